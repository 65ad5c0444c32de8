// Pure logic of the mailbridge timeline panel (no DOM, no Apex): threading, filters,
// snippets and labels. Kept apart from the component so each rule is tested directly.
export { normalizeMessageId, parseMessageIdList, parseThreadHeaders } from './messageIds';
export { hasReplyPrefix, stripSubjectPrefixes, subjectKey } from './subject';
export { groupIntoThreads, newestFirst } from './threads';
export { displayBody, plainSnippet } from './snippet';
export { formatParties, formatParty, mergeParties, parseAddressField } from './parties';
export { contactOptions, dealOptions, filterEmails } from './filters';
export { fromApexRow } from './apexRows';
export { buildTimelineView, formatSentAt } from './view';
export { fromApexMeeting, meetingView } from './meetings';
