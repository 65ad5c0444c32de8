/**
 * The calendars both calendar emulators serve: meetings per mailbox, seeded from a description
 * and changed by tests and the demo (add, move, cancel, delete), with a version history per
 * meeting and a global sequence number, from which Graph's calendarView delta and Google's
 * syncToken rounds are computed. Recurring series are expanded into occurrences here, once, so
 * both services agree on what a series holds.
 */
import type { MeetingAttendeeType, MeetingShowAs } from '../../core/meeting.js';

/** How an attendee answered, in the store's neutral spelling. */
export type SeedResponse = 'accepted' | 'declined' | 'tentative' | 'none';

export interface SeedAttendee {
  address: string;
  name?: string;
  response?: SeedResponse;
  type?: MeetingAttendeeType;
}

/** One change to one occurrence of a weekly series (an exception). */
export interface SeedException {
  /** 0-based index of the occurrence in the series. */
  index: number;
  /** New start/end (ISO with offset): the occurrence was moved. */
  start?: string;
  end?: string;
  title?: string;
  /** The occurrence alone was cancelled. */
  cancelled?: boolean;
}

/** A meeting as seeded into one or more calendars. */
export interface SeedMeeting {
  /** RFC 5545 UID: the same meeting in every calendar that holds it. */
  uid: string;
  title: string;
  organizer: { address: string; name?: string };
  attendees: SeedAttendee[];
  /** ISO 8601 instants (with offset or Z); for all-day events, midnight of the first and the day after the last. */
  start: string;
  end: string;
  /** IANA zone the meeting was created in (default `UTC`). */
  timeZone?: string;
  isAllDay?: boolean;
  location?: string;
  onlineMeetingUrl?: string;
  /** Graph sensitivity (Google: `private`/`confidential` visibility). */
  sensitivity?: 'normal' | 'personal' | 'private' | 'confidential';
  showAs?: MeetingShowAs;
  /** Confirmed by default; a cancelled meeting stays in calendars flagged, until deleted. */
  status?: 'confirmed' | 'tentative' | 'cancelled';
  /** Google `eventType` (Graph has no equivalent: out of office shows as `showAs: oof`). */
  eventType?: 'default' | 'outOfOffice' | 'focusTime' | 'workingLocation';
  /** A weekly series of `count` occurrences starting at `start`. */
  weekly?: { count: number };
  exceptions?: SeedException[];
}

export interface CalendarDescription {
  address: string;
  meetings: SeedMeeting[];
}

/** One version of a meeting in one calendar; `seed` null once deleted. */
interface MeetingVersion {
  seq: number;
  seed: SeedMeeting | null;
  modifiedAt: string;
}

export interface StoredMeeting {
  /** Emulator-wide id of the meeting in this calendar. */
  key: string;
  mailbox: string;
  createdAt: string;
  versions: MeetingVersion[];
}

/** One expanded instance: a single meeting, or one occurrence (or exception) of a series. */
export interface MeetingInstance {
  meeting: StoredMeeting;
  seed: SeedMeeting;
  kind: 'single' | 'occurrence' | 'exception';
  /** Occurrence index in its series (0 for a single meeting). */
  index: number;
  /** Original start of the occurrence in the series (ISO, UTC); undefined for a single meeting. */
  originalStart?: string;
  start: string;
  end: string;
  title: string;
  cancelled: boolean;
  modifiedAt: string;
}

const WEEK_MS = 7 * 24 * 3600 * 1000;
const iso = (ms: number) => new Date(ms).toISOString();

/** The instances of one version of a meeting (series expanded, exceptions applied). */
export function expandMeeting(meeting: StoredMeeting, version: MeetingVersion): MeetingInstance[] {
  const seed = version.seed;
  if (!seed) return [];
  const cancelled = seed.status === 'cancelled';
  const base = { meeting, seed, modifiedAt: version.modifiedAt };
  if (!seed.weekly) {
    return [{ ...base, kind: 'single', index: 0, start: iso(Date.parse(seed.start)), end: iso(Date.parse(seed.end)), title: seed.title, cancelled }];
  }
  const start = Date.parse(seed.start);
  const length = Date.parse(seed.end) - start;
  const out: MeetingInstance[] = [];
  for (let index = 0; index < seed.weekly.count; index++) {
    const originalStart = start + index * WEEK_MS;
    const exception = seed.exceptions?.find((e) => e.index === index);
    const s = exception?.start ? Date.parse(exception.start) : originalStart;
    const e = exception?.end ? Date.parse(exception.end) : s + length;
    out.push({
      ...base,
      kind: exception ? 'exception' : 'occurrence',
      index,
      originalStart: iso(originalStart),
      start: iso(s),
      end: iso(e),
      title: exception?.title ?? seed.title,
      cancelled: cancelled || exception?.cancelled === true,
    });
  }
  return out;
}

/** Whether an instance overlaps `[from, to)` (an event ending at `from` does not). */
export function overlaps(instance: { start: string; end: string }, from: string, to: string): boolean {
  return Date.parse(instance.end) > Date.parse(from) && Date.parse(instance.start) < Date.parse(to);
}

export class CalendarStore {
  private seq = 0;
  private serial = 0;
  private readonly calendars = new Map<string, StoredMeeting[]>();
  private readonly log: { seq: number; mailbox: string; key: string }[] = [];

  constructor(calendars: readonly CalendarDescription[] = [], private readonly now: () => Date = () => new Date()) {
    for (const c of calendars) for (const m of c.meetings) this.addMeeting(c.address, m);
  }

  /** The last change applied. */
  get sequence(): number {
    return this.seq;
  }

  addresses(): string[] {
    return [...this.calendars.keys()];
  }

  /** Adds a meeting to a calendar; returns its store key. */
  addMeeting(address: string, seed: SeedMeeting): string {
    const mailbox = address.toLowerCase();
    const list = this.calendars.get(mailbox) ?? [];
    this.calendars.set(mailbox, list);
    this.serial += 1;
    const key = `m${this.serial}`;
    const at = this.now().toISOString();
    const meeting: StoredMeeting = { key, mailbox, createdAt: at, versions: [] };
    list.push(meeting);
    this.change(meeting, structuredClone(seed));
    return key;
  }

  /** Store keys of the meeting with this UID in a calendar (live only). */
  find(address: string, uid: string): StoredMeeting | undefined {
    return (this.calendars.get(address.toLowerCase()) ?? []).find((m) => this.current(m)?.uid === uid);
  }

  meeting(address: string, key: string): StoredMeeting | undefined {
    return (this.calendars.get(address.toLowerCase()) ?? []).find((m) => m.key === key);
  }

  /** Applies a change to the meeting with `uid` in `address` (null: deleted). False when absent. */
  update(address: string, uid: string, change: (seed: SeedMeeting) => SeedMeeting | null): boolean {
    const meeting = this.find(address, uid);
    const seed = meeting && this.current(meeting);
    if (!meeting || !seed) return false;
    this.change(meeting, change(structuredClone(seed)));
    return true;
  }

  /** The meeting's seed now (null once deleted). */
  current(meeting: StoredMeeting): SeedMeeting | null {
    return meeting.versions.at(-1)?.seed ?? null;
  }

  /** The version of a meeting at sequence `at` (undefined before it was added). */
  versionAt(meeting: StoredMeeting, at: number): MeetingVersion | undefined {
    let found: MeetingVersion | undefined;
    for (const v of meeting.versions) if (v.seq <= at) found = v;
    return found;
  }

  /** Instances of a calendar at sequence `at` (default: now). */
  instancesAt(address: string, at = this.seq): MeetingInstance[] {
    const out: MeetingInstance[] = [];
    for (const m of this.calendars.get(address.toLowerCase()) ?? []) {
      const v = this.versionAt(m, at);
      if (v) out.push(...expandMeeting(m, v));
    }
    return out;
  }

  /** Meetings of a calendar changed in `(from, to]`, each once, in the order of their last change. */
  changedBetween(address: string, from: number, to: number): StoredMeeting[] {
    const mailbox = address.toLowerCase();
    const last = new Map<string, number>();
    for (const c of this.log) {
      if (c.mailbox !== mailbox || c.seq <= from || c.seq > to) continue;
      last.delete(c.key);
      last.set(c.key, c.seq);
    }
    return [...last.keys()].map((k) => this.meeting(mailbox, k)!).filter(Boolean);
  }

  private change(meeting: StoredMeeting, seed: SeedMeeting | null): void {
    this.seq += 1;
    // Modification times strictly increase, so a client comparing them sees every change.
    const previous = meeting.versions.at(-1)?.modifiedAt;
    // Whole seconds, as the services write them.
    let at = Math.floor(this.now().getTime() / 1000) * 1000;
    if (previous && Date.parse(previous) >= at) at = Date.parse(previous) + 1000;
    meeting.versions.push({ seq: this.seq, seed, modifiedAt: iso(at).replace(/\.\d{3}Z$/, 'Z') });
    this.log.push({ seq: this.seq, mailbox: meeting.mailbox, key: meeting.key });
  }
}
