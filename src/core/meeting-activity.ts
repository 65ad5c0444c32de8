/**
 * A qualified meeting as the CRM activity it becomes (DESIGN §6): deals ranked with the
 * meeting's start as the date (the same deal window as mail), the owner (the organizer when a
 * CRM user, else the calendar owner), the attendees' CRM ids, a plain-text description built
 * from metadata (no meeting body is read) and the explanation, worded like mail's.
 */
import { normalizeAddress } from './address.js';
import { dayInZone, describeDeal, rankDeals } from './deal-window.js';
import type { MeetingActivityDraft, MeetingActivityStatus, MeetingMeta } from './meeting.js';
import type { MeetingContext, MeetingQualified } from './meeting-qualify.js';
import type { Deal } from './types.js';

/** Attendees listed by name in the description; the rest are counted. */
const DESCRIPTION_ATTENDEES = 50;

export interface MeetingDecideOptions {
  /** Address of the calendar's owner: the owner when the organizer is not a CRM user. */
  calendarOwner: string | null;
  /** `cancelled` for an imported meeting the organizer cancelled. */
  status?: MeetingActivityStatus;
}

/** The deals of the meeting's accounts eligible at its start, best first, `maxDeals` of them. */
function chooseDeals(meta: MeetingMeta, q: MeetingQualified, ctx: MeetingContext): { ids: string[]; lines: string[] } {
  const candidates = new Map<string, Deal>();
  for (const accountId of q.association.accountIds) for (const d of ctx.index.dealsByAccount(accountId)) candidates.set(d.id, d);
  if (!candidates.size) return { ids: [], lines: [] };
  const startDay = dayInZone(new Date(meta.start), ctx.rules.timeZone);
  const ranked = rankDeals(
    [...candidates.values()],
    startDay,
    { timeZone: ctx.rules.timeZone, windowDays: ctx.rules.dealWindowDays },
    new Set(q.association.contactIds),
    q.userIds,
  ).slice(0, ctx.rules.maxDeals);
  // describeDeal speaks of the send date: for a meeting the date is its start.
  const atMeeting = (line: string) => line.replace('at send time', 'at the meeting').replace('before send', 'before the meeting');
  return { ids: ranked.map((r) => r.deal.id), lines: ranked.map((r) => atMeeting(describeDeal(r))) };
}

/** The CRM ids of the people invited (contacts, else leads, by exact address; users), the owner left out. */
function attendeeCrmIds(q: MeetingQualified, ctx: MeetingContext, ownerId: string | undefined): string[] {
  const ids = new Set<string>();
  for (const p of q.participants) {
    const user = ctx.index.userByEmail(p.address);
    if (user) {
      ids.add(user.id);
      continue;
    }
    const contacts = ctx.index.contactsByEmail(p.address);
    for (const c of contacts) ids.add(c.id);
    if (!contacts.length) for (const l of ctx.index.leadsByEmail(p.address)) ids.add(l.id);
  }
  if (ownerId) ids.delete(ownerId);
  return [...ids];
}

const person = (p: { address: string; name?: string }): string => (p.name ? `${p.name} <${p.address}>` : p.address);

/** Plain text from metadata only: organizer, attendees with their answers, time, place, link. */
export function meetingDescription(meta: MeetingMeta): string {
  const people = meta.attendees.filter((a) => a.type !== 'resource');
  const listed = people.slice(0, DESCRIPTION_ATTENDEES).map((a) => `${person(a)} (${a.response}${a.type === 'optional' ? ', optional' : ''})`);
  if (people.length > DESCRIPTION_ATTENDEES) listed.push(`and ${people.length - DESCRIPTION_ATTENDEES} more`);
  const lines = [
    `Organizer: ${person(meta.organizer)}`,
    `Attendees: ${listed.join(', ') || 'none'}`,
    `When: ${meta.start} to ${meta.end}${meta.isAllDay ? ' (all day)' : ''}${meta.timeZone ? ` (${meta.timeZone})` : ''}`,
  ];
  if (meta.location) lines.push(`Location: ${meta.location}`);
  if (meta.onlineMeetingUrl) lines.push(`Online meeting: ${meta.onlineMeetingUrl}`);
  return lines.join('\n');
}

/** The draft of a qualified meeting: one per occurrence, keyed on `meta.key`. */
export function meetingActivity(meta: MeetingMeta, q: MeetingQualified, ctx: MeetingContext, opts: MeetingDecideOptions): MeetingActivityDraft {
  const deals = chooseDeals(meta, q, ctx);
  const dealIds = [...new Set([...q.association.attachedDealIds, ...deals.ids])];
  const explanation = [...q.association.reasons, ...deals.lines];
  if (!deals.ids.length && q.association.accountIds.length) explanation.push('no eligible deal: logged on the account');

  const organizer = normalizeAddress(meta.organizer.address);
  const calendarOwner = normalizeAddress(opts.calendarOwner);
  let ownerId = organizer ? ctx.index.userByEmail(organizer)?.id : undefined;
  if (ownerId) explanation.push('owner: organizer');
  else {
    ownerId = calendarOwner ? ctx.index.userByEmail(calendarOwner)?.id : undefined;
    explanation.push(ownerId ? 'owner: calendar owner (the organizer is not a CRM user)' : 'no owner: neither the organizer nor the calendar owner is a CRM user (the CRM default applies)');
  }
  const status = opts.status ?? 'active';
  if (status === 'cancelled') explanation.push('cancelled by the organizer: marked cancelled');

  return {
    key: meta.key,
    title: meta.title,
    start: meta.start,
    end: meta.end,
    ...(meta.location ? { location: meta.location } : {}),
    ...(meta.onlineMeetingUrl ? { onlineMeetingUrl: meta.onlineMeetingUrl } : {}),
    description: meetingDescription(meta),
    status,
    contactIds: q.association.contactIds,
    accountIds: q.association.accountIds,
    leadIds: q.association.leadIds,
    dealIds,
    ...(ownerId ? { ownerId } : {}),
    attendeeCrmIds: attendeeCrmIds(q, ctx, ownerId),
    explanation: explanation.join('; '),
    ...(meta.lastModified ? { lastModified: meta.lastModified } : {}),
  };
}
