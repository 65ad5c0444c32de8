/**
 * The kinds of mail-service call the sync makes, each of which needs its own permission; `doctor`
 * tries one of each through the provider (`probe`) and reports them one by one.
 * - `list-users`: the directory's users (Graph `/users`, Google Admin SDK users);
 * - `list-group-members`: a group's members (Graph `/groups/{id}/members`, Admin SDK members);
 * - `read-folders`: a mailbox's Inbox and Sent listings (Graph folder delta, Gmail profile and label listing);
 * - `read-messages`: one message of that mailbox (Graph message get, Gmail `messages.get`).
 */
export type MailProbe = 'list-users' | 'list-group-members' | 'read-folders' | 'read-messages';
