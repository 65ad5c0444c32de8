/**
 * Qualification of a calendar meeting on metadata only (DESIGN §6, docs/rules.md "Meetings"),
 * in this order, first failure wins:
 * `cancelled`, `private`, `out-of-office`, `declined-by-all`, `internal-only`, `blocklisted`,
 * `automated` (a webinar: more than `webinarAttendees` attendees from outside the CRM),
 * `no-crm-match`. A meeting that passes carries its participants and association on, so the
 * cascade runs once per meeting. A rejected meeting leaves only its reason (a counter).
 */
import { domainOf, isOnDomains, normalizeAddress } from './address.js';
import { associate, isEmptyAssociation, type Association } from './associate.js';
import { blockHit } from './blocklist.js';
import type { MeetingAttendee, MeetingMeta } from './meeting.js';
import { cachedRegistrable, MAX_PARTICIPANTS, type Participant, type ParticipantRole } from './participants.js';
import type { EngineContext } from './qualify.js';

/** The reasons a meeting is not logged, in the order they are checked. */
export const MEETING_SKIP_REASONS = [
  'cancelled',
  'private',
  'out-of-office',
  'declined-by-all',
  'internal-only',
  'blocklisted',
  'automated',
  'no-crm-match',
] as const;
export type MeetingSkipReason = (typeof MEETING_SKIP_REASONS)[number];

/** DESIGN §6: a meeting with more attendees than this from outside the CRM is a webinar. */
export const DEFAULT_WEBINAR_ATTENDEES = 50;

export interface MeetingContext extends EngineContext {
  /** `calendar.webinarAttendees`: more attendees than this from outside the CRM is `automated`. */
  webinarAttendees: number;
}

export interface MeetingQualified {
  ok: true;
  /** Organizer (role `from`), required (`to`) and optional (`cc`) attendees; rooms left out. */
  participants: Participant[];
  /** Not on a company domain and not CRM users. */
  external: Participant[];
  /** CRM user ids among the participants. */
  userIds: Set<string>;
  association: Association;
}

export interface MeetingRejected {
  ok: false;
  reason: MeetingSkipReason;
  /** Short and generic: never an address or the title (it may be counted or logged). */
  why: string;
}

export type MeetingQualification = MeetingQualified | MeetingRejected;

export interface MeetingQualifyOptions {
  /**
   * Skip the `cancelled` check: the pipeline asks this of a cancelled meeting that was already
   * imported, so its activity is marked cancelled (not of a new one, which is never written).
   */
  ignoreCancelled?: boolean;
}

const reject = (reason: MeetingSkipReason, why: string): MeetingRejected => ({ ok: false, reason, why });

/**
 * The people of a meeting as the mail rules see them: the organizer as `from`, required
 * attendees as `to`, optional ones as `cc`. Resources (rooms, equipment) are not people and
 * never count. Distinct by normalised address, at most `MAX_PARTICIPANTS`.
 */
export function meetingParticipants(meta: MeetingMeta, companyDomains: ReadonlySet<string>): Participant[] {
  const out: Participant[] = [];
  const seen = new Set<string>();
  const add = (raw: string, role: ParticipantRole): void => {
    const address = normalizeAddress(raw);
    if (!address || seen.has(address) || out.length >= MAX_PARTICIPANTS) return;
    seen.add(address);
    const domain = domainOf(address);
    out.push({ address, domain, registrable: cachedRegistrable(domain), role, internal: isOnDomains(domain, companyDomains) });
  };
  add(meta.organizer.address, 'from');
  for (const a of meta.attendees) if (a.type !== 'resource') add(a.address, a.type === 'optional' ? 'cc' : 'to');
  return out;
}

/**
 * Out of office: shown as away (Graph `showAs: oof`), or an all-day entry that does not block
 * time (`free` or `workingElsewhere`: holidays, "working from Lisbon", reminders). An all-day
 * workshop shown as busy is a meeting and goes on.
 */
function isOutOfOffice(meta: MeetingMeta): boolean {
  if (meta.showAs === 'oof') return true;
  return meta.isAllDay && (meta.showAs === 'free' || meta.showAs === 'workingElsewhere');
}

/** Every invited person but the organizer declined (rooms do not count): it will not take place. */
function isDeclinedByAll(meta: MeetingMeta): boolean {
  const organizer = normalizeAddress(meta.organizer.address);
  const invited = meta.attendees.filter((a: MeetingAttendee) => a.type !== 'resource' && normalizeAddress(a.address) !== organizer);
  return invited.length > 0 && invited.every((a) => a.response === 'declined');
}

/** Attendees that are neither ours nor known to the CRM by address (a webinar's audience). */
function outsideCrm(external: readonly Participant[], ctx: EngineContext): number {
  let n = 0;
  for (const p of external) if (!ctx.index.contactsByEmail(p.address).length && !ctx.index.leadsByEmail(p.address).length) n++;
  return n;
}

export function qualifyMeeting(meta: MeetingMeta, ctx: MeetingContext, opts: MeetingQualifyOptions = {}): MeetingQualification {
  if (meta.isCancelled && !opts.ignoreCancelled) return reject('cancelled', 'cancelled by the organizer');
  if (meta.isPrivate) return reject('private', 'marked private or sensitive');
  if (isOutOfOffice(meta)) return reject('out-of-office', meta.showAs === 'oof' ? 'shown as out of office' : 'all-day entry that does not block time');
  if (isDeclinedByAll(meta)) return reject('declined-by-all', 'every attendee declined');

  const participants = meetingParticipants(meta, ctx.rules.companyDomains);
  if (!participants.some((p) => !p.internal)) return reject('internal-only', 'every attendee is on a company domain');

  const blocked = blockHit(participants, meta.title, ctx.rules);
  if (blocked) return reject('blocklisted', blocked.list === 'phrase' ? 'title phrase blocked' : blocked.why);

  const userIds = new Set<string>();
  const external: Participant[] = [];
  for (const p of participants) {
    const user = ctx.index.userByEmail(p.address);
    if (user) userIds.add(user.id);
    else if (!p.internal) external.push(p);
  }
  if (outsideCrm(external, ctx) > ctx.webinarAttendees) {
    return reject('automated', `webinar: more than ${ctx.webinarAttendees} attendees from outside the CRM`);
  }

  const association = associate(external, ctx.index, undefined, undefined, ctx.rules.freeMail);
  if (isEmptyAssociation(association)) return reject('no-crm-match', 'no external attendee matches a contact, account or lead');
  return { ok: true, participants, external, userIds, association };
}
