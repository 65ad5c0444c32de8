/**
 * `classify --calendar` (docs/rules.md "Meetings"): the meeting rules tried offline on exported
 * calendars. Each .ics file (one, or every .ics of a folder) is read with its recurring series
 * expanded, and every occurrence in the window is decided by the sync's own functions
 * (qualifyMeeting, meetingActivity) against the CRM snapshot. One line per occurrence, in the
 * shape of mail's lines plus `start` and `end`; `messageId` carries the meeting's dedupe key.
 * A meeting in several files (exports of several calendars) is decided once, as the sync does.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseIcs, UnparseableCalendarError } from '../calendar-files/parse-ics.js';
import { meetingActivity } from '../core/meeting-activity.js';
import { DEFAULT_WEBINAR_ATTENDEES, qualifyMeeting, type MeetingContext, type MeetingSkipReason } from '../core/meeting-qualify.js';
import { DEFAULT_DAYS_AHEAD } from '../core/sync-calendar.js';
import { classifyRules, InputFileError, snapshotIndex, type ClassifyFilesOptions, type ClassifyLine } from './classify-files.js';

const DAY_MS = 86_400_000;

/** A mail line plus the occurrence's start and end (ISO, UTC); null for an unreadable file. */
export type CalendarClassifyLine = Omit<ClassifyLine, 'reason'> & {
  reason: MeetingSkipReason | 'matched' | 'unparseable';
  start: string | null;
  end: string | null;
};

export interface ClassifyCalendarOptions extends Omit<ClassifyFilesOptions, 'mailPath'> {
  /** An .ics file or a folder of them. */
  calendarPath: string;
  /** `calendar.webinarAttendees` (default 50). */
  webinarAttendees?: number;
  /** Occurrences ending before this are left out (default: none). */
  since?: Date;
  /** Read ahead this many days after `now` (default 30, as the sync). */
  daysAhead?: number;
}

/** The .ics files of a path: the file itself, or a folder's `*.ics`, sorted. */
async function icsFiles(path: string): Promise<string[]> {
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    throw new InputFileError(`${path}: cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (!info.isDirectory()) return [path];
  const names = (await readdir(path)).filter((n) => n.toLowerCase().endsWith('.ics')).sort();
  if (!names.length) throw new InputFileError(`${path}: no .ics file in this folder`);
  return names.map((n) => join(path, n));
}

function skipLine(file: string, key: string | null, reason: CalendarClassifyLine['reason'], explanation: string, start: string | null, end: string | null): CalendarClassifyLine {
  return { file, messageId: key, decision: 'skip', reason, contacts: [], accounts: [], leads: [], deals: [], owner: null, explanation, start, end };
}

export async function* classifyCalendar(opts: ClassifyCalendarOptions): AsyncGenerator<CalendarClassifyLine> {
  const now = opts.now ?? new Date();
  const window = { ...(opts.since ? { since: opts.since } : {}), until: new Date(now.getTime() + (opts.daysAhead ?? DEFAULT_DAYS_AHEAD) * DAY_MS) };
  const rules = classifyRules(opts);
  const { db, index } = snapshotIndex(opts.snapshot);
  try {
    const ctx: MeetingContext = { rules, index, webinarAttendees: opts.webinarAttendees ?? DEFAULT_WEBINAR_ATTENDEES };
    const seen = new Set<string>();
    for (const file of await icsFiles(opts.calendarPath)) {
      let meetings;
      try {
        meetings = parseIcs(await readFile(file, 'utf8'), file, window);
      } catch (err) {
        if (!(err instanceof UnparseableCalendarError)) throw err;
        yield skipLine(file, null, 'unparseable', err.message, null, null);
        continue;
      }
      for (const meta of meetings) {
        // The same meeting exported from another calendar: already decided above.
        if (seen.has(meta.key)) continue;
        seen.add(meta.key);
        const q = qualifyMeeting(meta, ctx);
        if (!q.ok) {
          yield skipLine(file, meta.key, q.reason, q.why, meta.start, meta.end);
          continue;
        }
        const d = meetingActivity(meta, q, ctx, { calendarOwner: opts.owner ?? null });
        yield {
          file,
          messageId: meta.key,
          decision: 'import',
          reason: 'matched',
          contacts: d.contactIds,
          accounts: d.accountIds,
          leads: d.leadIds,
          deals: d.dealIds,
          owner: d.ownerId ?? null,
          explanation: d.explanation,
          start: meta.start,
          end: meta.end,
        };
      }
    }
  } finally {
    db.close();
  }
}
