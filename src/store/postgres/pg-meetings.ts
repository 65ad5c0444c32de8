/**
 * The meeting ledger and calendar cursors in a tenant's PostgreSQL schema (core's
 * `MeetingStore`). The activity (title, description, explanation) is sealed (AES-256-GCM) with
 * its row key, so the server never holds a readable meeting; attendee addresses stay plain, as
 * mail's participants do, because erase and blocklist purges look them up. The claim is the
 * meeting_claims primary key, locked with the row, as the mail ledger's.
 */
import type pg from 'pg';
import type { MeetingActivityDraft } from '../../core/meeting.js';
import { forgottenMeetingKey, type MeetingLedgerEntry, type MeetingMatcher, type MeetingRecord, type MeetingStore } from '../../core/meeting-ledger.js';
import { addressMatcher, meetingAttendees, meetingRecords, titleHas } from '../meeting-store.js';
import { keyHash } from '../sync-store.js';
import type { FieldCrypto } from './field-crypto.js';
import { oweCrmDeletions } from './pg-governance.js';
import { inTransaction } from './pg-ledger.js';

const context = (key: string) => `meetings.activity:${key}`;

export class PgMeetingStore implements MeetingStore {
  constructor(
    private readonly pool: pg.Pool,
    /** The quoted schema name. */
    private readonly s: string,
    private readonly crypto: FieldCrypto,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private open(key: string, sealed: Buffer): MeetingActivityDraft {
    return JSON.parse(this.crypto.open(sealed, context(key))) as MeetingActivityDraft;
  }

  async calendarCursor(mailboxId: string): Promise<string | null> {
    const r = await this.pool.query<{ cursor: string | null }>(`SELECT cursor FROM ${this.s}.calendar_cursors WHERE mailbox_id = $1`, [mailboxId]);
    return r.rows[0]?.cursor ?? null;
  }

  async calendarCheckpoint(mailboxId: string, cursor: string | null, counts: Readonly<Record<string, number>>): Promise<void> {
    await inTransaction(this.pool, async (c) => {
      for (const [reason, n] of Object.entries(counts)) {
        if (!n) continue;
        await c.query(
          `INSERT INTO ${this.s}.meeting_reason_counts (mailbox_id, reason, count) VALUES ($1, $2, $3)
           ON CONFLICT (mailbox_id, reason) DO UPDATE SET count = meeting_reason_counts.count + excluded.count`,
          [mailboxId, reason, n],
        );
      }
      await c.query(
        `INSERT INTO ${this.s}.calendar_cursors (mailbox_id, cursor, updated_at) VALUES ($1, $2, now())
         ON CONFLICT (mailbox_id) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at`,
        [mailboxId, cursor],
      );
    });
  }

  async meetingReasonCounts(mailboxId: string): Promise<Record<string, number>> {
    const r = await this.pool.query<{ reason: string; count: string }>(`SELECT reason, count FROM ${this.s}.meeting_reason_counts WHERE mailbox_id = $1`, [mailboxId]);
    return Object.fromEntries(r.rows.map((row) => [row.reason, Number(row.count)]));
  }

  async importedMeetingCount(mailboxId?: string): Promise<number> {
    const r =
      mailboxId === undefined
        ? await this.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${this.s}.meetings`)
        : await this.pool.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM ${this.s}.meeting_holders h JOIN ${this.s}.meetings m ON m.key = h.key WHERE h.mailbox_id = $1`,
            [mailboxId],
          );
    return r.rows[0]?.n ?? 0;
  }

  async meeting(key: string): Promise<MeetingLedgerEntry | undefined> {
    const r = await this.pool.query<{ key: string; crm_id: string; mailbox_id: string; start_at: string; end_at: string; last_modified: string | null; activity: Buffer }>(
      `SELECT key, crm_id, mailbox_id, start_at, end_at, last_modified, activity FROM ${this.s}.meetings WHERE key = $1`,
      [key],
    );
    const row = r.rows[0];
    if (!row) return undefined;
    const holders = await this.pool.query<{ mailboxId: string; eventId: string }>(
      `SELECT mailbox_id AS "mailboxId", event_id AS "eventId" FROM ${this.s}.meeting_holders WHERE key = $1 ORDER BY mailbox_id`,
      [key],
    );
    const attendees = await this.pool.query<{ address: string }>(`SELECT address FROM ${this.s}.meeting_attendees WHERE key = $1 ORDER BY address`, [key]);
    return {
      key: row.key,
      crmId: row.crm_id,
      mailboxId: row.mailbox_id,
      start: row.start_at,
      end: row.end_at,
      lastModified: row.last_modified,
      activity: this.open(key, row.activity),
      holders: holders.rows,
      attendees: attendees.rows.map((a) => a.address),
    };
  }

  async meetingKeyOfEvent(mailboxId: string, eventId: string): Promise<string | null> {
    const r = await this.pool.query<{ key: string }>(`SELECT key FROM ${this.s}.meeting_holders WHERE mailbox_id = $1 AND event_id = $2`, [mailboxId, eventId]);
    return r.rows[0]?.key ?? null;
  }

  private holderSql(): string {
    return `INSERT INTO ${this.s}.meeting_holders (key, mailbox_id, event_id) VALUES ($1, $2, $3)
            ON CONFLICT (key, mailbox_id) DO UPDATE SET event_id = excluded.event_id`;
  }

  async claimMeeting(key: string, mailboxId: string, eventId: string): Promise<boolean> {
    return inTransaction(this.pool, async (c) => {
      await c.query(this.holderSql(), [key, mailboxId, eventId]);
      if ((await c.query(`SELECT 1 FROM ${this.s}.meetings WHERE key = $1`, [key])).rowCount! > 0) return false;
      await c.query(`INSERT INTO ${this.s}.meeting_claims (key, mailbox_id, claimed_at) VALUES ($1, $2, now()) ON CONFLICT (key) DO NOTHING`, [key, mailboxId]);
      const claimant = (await c.query<{ mailbox_id: string }>(`SELECT mailbox_id FROM ${this.s}.meeting_claims WHERE key = $1 FOR UPDATE`, [key])).rows[0]?.mailbox_id;
      return claimant === mailboxId;
    });
  }

  async releaseMeetingClaim(key: string): Promise<void> {
    await inTransaction(this.pool, async (c) => {
      await c.query(`DELETE FROM ${this.s}.meeting_claims WHERE key = $1`, [key]);
      await c.query(`DELETE FROM ${this.s}.meeting_holders WHERE key = $1 AND NOT EXISTS (SELECT 1 FROM ${this.s}.meetings WHERE key = $1)`, [key]);
    });
  }

  async addMeetingHolder(key: string, mailboxId: string, eventId: string): Promise<void> {
    await this.pool.query(this.holderSql(), [key, mailboxId, eventId]);
  }

  async dropMeetingHolder(key: string, mailboxId: string): Promise<number> {
    await this.pool.query(`DELETE FROM ${this.s}.meeting_holders WHERE key = $1 AND mailbox_id = $2`, [key, mailboxId]);
    const r = await this.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${this.s}.meeting_holders WHERE key = $1`, [key]);
    return Number(r.rows[0]?.n ?? 0);
  }

  async recordMeeting(r: MeetingRecord): Promise<void> {
    const a = r.activity;
    const flat = meetingRecords(a).flatMap(([kind, ids]) => ids.map((id) => [kind, id] as const));
    await inTransaction(this.pool, async (c) => {
      await c.query(`SELECT 1 FROM ${this.s}.meeting_claims WHERE key = $1 FOR UPDATE`, [r.key]);
      await c.query(
        `INSERT INTO ${this.s}.meetings (key, crm_id, mailbox_id, start_at, end_at, last_modified, status, activity, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now())
         ON CONFLICT (key) DO UPDATE SET crm_id = excluded.crm_id, start_at = excluded.start_at, end_at = excluded.end_at,
           last_modified = excluded.last_modified, status = excluded.status, activity = excluded.activity, recorded_at = excluded.recorded_at`,
        [r.key, r.crmId, r.mailboxId, a.start, a.end, r.lastModified, a.status, this.crypto.seal(JSON.stringify(a), context(r.key))],
      );
      await c.query(this.holderSql(), [r.key, r.mailboxId, r.eventId]);
      await c.query(`DELETE FROM ${this.s}.meeting_claims WHERE key = $1`, [r.key]);
      if (r.attendees) {
        await c.query(`DELETE FROM ${this.s}.meeting_attendees WHERE key = $1`, [r.key]);
        await c.query(`INSERT INTO ${this.s}.meeting_attendees (key, address) SELECT $1, * FROM unnest($2::text[]) ON CONFLICT DO NOTHING`, [r.key, meetingAttendees(r)]);
      }
      await c.query(`DELETE FROM ${this.s}.meeting_records WHERE key = $1`, [r.key]);
      await c.query(
        `INSERT INTO ${this.s}.meeting_records (key, kind, record_id) SELECT $1, * FROM unnest($2::text[], $3::text[]) ON CONFLICT DO NOTHING`,
        [r.key, flat.map((f) => f[0]), flat.map((f) => f[1])],
      );
    });
  }

  async wasMeetingForgotten(key: string): Promise<boolean> {
    return (await this.pool.query(`SELECT 1 FROM ${this.s}.forgotten WHERE key_hash = $1`, [keyHash(forgottenMeetingKey(key))])).rowCount! > 0;
  }

  async meetingKeysMatching(matcher: MeetingMatcher): Promise<string[]> {
    const keys = new Set<string>();
    if (matcher.kind === 'phrase') {
      // Titles are sealed: opened here, in the process, and compared as the engine does.
      const rows = await this.pool.query<{ key: string; activity: Buffer }>(`SELECT key, activity FROM ${this.s}.meetings ORDER BY key`);
      for (const row of rows.rows) if (titleHas(this.open(row.key, row.activity).title, matcher.value)) keys.add(row.key);
    } else {
      const wanted = addressMatcher(matcher);
      const rows = await this.pool.query<{ key: string; address: string }>(`SELECT key, address FROM ${this.s}.meeting_attendees`);
      for (const row of rows.rows) if (wanted(row.address)) keys.add(row.key);
    }
    return [...keys].sort();
  }

  async meetingKeysEndedBefore(cutoff: Date): Promise<string[]> {
    const bound = new Date(cutoff.getTime() + 86_400_000).toISOString();
    const r = await this.pool.query<{ key: string; end_at: string }>(`SELECT key, end_at FROM ${this.s}.meetings WHERE end_at < $1 ORDER BY end_at`, [bound]);
    return r.rows.filter((row) => Date.parse(row.end_at) < cutoff.getTime()).map((row) => row.key);
  }

  async forgetMeetings(keys: readonly string[], oweReason: string | null = null): Promise<{ meetings: number; crmIds: string[] }> {
    const unique = [...new Set(keys)];
    if (!unique.length) return { meetings: 0, crmIds: [] };
    const at = this.now().toISOString();
    return inTransaction(this.pool, async (c) => {
      const gone = await c.query<{ key: string; crm_id: string }>(`DELETE FROM ${this.s}.meetings WHERE key = ANY($1::text[]) RETURNING key, crm_id`, [unique]);
      await c.query(`DELETE FROM ${this.s}.meeting_holders WHERE key = ANY($1::text[])`, [unique]);
      await c.query(`DELETE FROM ${this.s}.meeting_claims WHERE key = ANY($1::text[])`, [unique]);
      await c.query(
        `INSERT INTO ${this.s}.forgotten (key_hash, forgotten_at) SELECT h, now() FROM unnest($1::text[]) AS h ON CONFLICT DO NOTHING`,
        [gone.rows.map((row) => keyHash(forgottenMeetingKey(row.key)))],
      );
      const crmIds = [...new Set(gone.rows.map((row) => row.crm_id).filter(Boolean))];
      if (oweReason) await oweCrmDeletions(c, this.s, crmIds, oweReason, at);
      return { meetings: gone.rows.length, crmIds };
    });
  }

  async meetingCrmIds(): Promise<string[]> {
    const r = await this.pool.query<{ crm_id: string }>(`SELECT DISTINCT crm_id FROM ${this.s}.meetings WHERE crm_id <> ''`);
    return r.rows.map((row) => row.crm_id);
  }
}
