/**
 * Data-subject requests (DESIGN §3).
 *
 * `accessReport(email)`: every reference mailbridge holds to the address — imported messages it
 * took part in (any role, Bcc included), messages whose subject or text mention it (FTS5),
 * contacts, leads and CRM users with it in the index, its mailbox status, suppression, blocklist
 * entry, privacy jobs and audit entries. Audited.
 *
 * Erase is asynchronous: `requestErase` queues a job and returns its id; `runPrivacyJobs`
 * processes queued jobs (and running ones a crash interrupted: every step is idempotent):
 * 1. suppress the address first, so no sync round imports it again from here on (the engine
 *    rejects any message with a suppressed participant as `blocklisted`);
 * 2. forget every message it took part in, locally and in the CRM (owed deletions are retried);
 * 3. drop it from the index: removed from each contact and lead holding it, and a contact or
 *    lead whose only address it was is removed whole (name and phones too). CRM users are the
 *    tenant's staff and stay. The CRM's own records are not changed: mailbridge never edits
 *    people in the CRM, and a later CRM pull may bring the address back into the index, where
 *    the suppression still keeps its mail out.
 * Messages that merely mention the address in their text are reported by access, not erased.
 */
import { randomUUID } from 'node:crypto';
import { normalizeAddress } from '../../core/address.js';
import type { AuditEntry, MailboxStatusRow, PrivacyJob } from '../../store/admin-store.js';
import { AdminError, type AdminParts } from './admin-parts.js';
import { forgetMeetings, meetingStoreOf } from './forget-meetings.js';
import { forgetMessages } from './forget-messages.js';
import { ledgerKeysMatching, ledgerSummaries, type LedgerSummary } from './ledger-match.js';

export interface AccessReport {
  address: string;
  /** Imported messages the address took part in, with its roles on each. */
  messages: (LedgerSummary & { roles: string[] })[];
  /** Other imported messages whose subject or text mention the address. */
  mentions: LedgerSummary[];
  /** Imported meetings the address was invited to or organised. */
  meetings: { key: string; crmId: string; start: string; title: string; status: string }[];
  contacts: { id: string; name: string | null; accountId: string | null }[];
  leads: { id: string; name: string | null; company: string | null }[];
  users: { id: string; name: string | null }[];
  mailboxes: MailboxStatusRow[];
  suppressed: { addedAt: string; jobId: string | null } | null;
  blocklisted: boolean;
  privacyJobs: PrivacyJob[];
  audit: AuditEntry[];
}

export function normalizeSubject(email: string): string {
  const address = normalizeAddress(email);
  if (!address) throw new AdminError(`"${email}" is not an email address`);
  return address;
}

export function accessReport(parts: AdminParts, email: string): AccessReport {
  const address = normalizeSubject(email);
  const { db } = parts;
  const keys = ledgerKeysMatching(db, { kind: 'address', value: address });
  const roleRows = db.prepare<[string], { address: string; role: string }>('SELECT address, role FROM ledger_participants WHERE key = ?');
  const messages = ledgerSummaries(db, keys).map((m) => ({
    ...m,
    roles: [...new Set(roleRows.all(m.key).filter((r) => normalizeAddress(r.address) === address).map((r) => r.role))].sort(),
  }));
  const participantKeys = new Set(keys);
  const mentionKeys = db
    .prepare<[string], string>('SELECT DISTINCT key FROM message_text WHERE message_text MATCH ?')
    .pluck()
    .all(`{subject body} : ${ftsPhrase(address)}`)
    .filter((k) => !participantKeys.has(k));

  const report: AccessReport = {
    address,
    messages,
    mentions: ledgerSummaries(db, mentionKeys),
    meetings: meetingsOf(parts, address),
    contacts: db
      .prepare<[string], { id: string; name: string | null; accountId: string | null }>(
        `SELECT c.id, c.name, c.account_id AS accountId FROM contacts c
         WHERE c.id IN (SELECT contact_id FROM contact_emails WHERE email = ?) ORDER BY c.id`,
      )
      .all(address),
    leads: db
      .prepare<[string], { id: string; name: string | null; company: string | null }>(
        'SELECT l.id, l.name, l.company FROM leads l WHERE l.id IN (SELECT lead_id FROM lead_emails WHERE email = ?) ORDER BY l.id',
      )
      .all(address),
    users: db.prepare<[string], { id: string; name: string | null }>('SELECT id, name FROM users WHERE email = ? ORDER BY id').all(address),
    mailboxes: parts.admin.mailboxStatuses().filter((m) => normalizeAddress(m.address) === address),
    suppressed: suppressionOf(parts, address),
    blocklisted: parts.admin.blocklist().addresses.includes(address) || parts.config.blocklist.addresses.some((a) => normalizeAddress(a) === address),
    privacyJobs: parts.admin.privacyJobsFor(address),
    audit: auditMentioning(parts, address),
  };
  parts.admin.audit(parts.actor, 'privacy.access', address, {
    messages: report.messages.length,
    mentions: report.mentions.length,
    meetings: report.meetings.length,
    contacts: report.contacts.length,
    leads: report.leads.length,
    users: report.users.length,
  });
  return report;
}

function meetingsOf(parts: AdminParts, address: string): AccessReport['meetings'] {
  const store = meetingStoreOf(parts);
  return store
    .meetingKeysMatching({ kind: 'address', value: address })
    .map((key) => store.meeting(key))
    .filter((m) => m !== undefined)
    .map((m) => ({ key: m.key, crmId: m.crmId, start: m.start, title: m.activity.title, status: m.activity.status }))
    .sort((a, b) => a.start.localeCompare(b.start) || a.key.localeCompare(b.key));
}

/** An FTS5 phrase: the tokenizer splits the address into words that must appear in order. */
function ftsPhrase(text: string): string {
  return `"${text.replaceAll('"', '""')}"`;
}

function suppressionOf(parts: AdminParts, address: string): AccessReport['suppressed'] {
  const s = parts.admin.suppression(address);
  return s ? { addedAt: s.addedAt, jobId: s.jobId } : null;
}

function auditMentioning(parts: AdminParts, address: string): AuditEntry[] {
  return parts.db
    .prepare<[string, string, string], { id: number; at: string; actor: string; action: string; target: string | null; detail: string | null }>(
      `SELECT id, at, actor, action, target, detail FROM audit_log
       WHERE lower(target) = ? OR lower(actor) = ? OR instr(lower(coalesce(detail, '')), ?) > 0 ORDER BY id`,
    )
    .all(address, address, address)
    .map((r) => ({ ...r, detail: r.detail ? JSON.parse(r.detail) : null }));
}

/** Queues an erase; returns the job id (`privacy status <id>`). */
export function requestErase(parts: AdminParts, email: string): string {
  const address = normalizeSubject(email);
  const id = randomUUID();
  parts.admin.createPrivacyJob(id, 'erase', address, parts.actor);
  parts.admin.audit(parts.actor, 'privacy.erase.requested', address, { jobId: id });
  return id;
}

export interface EraseSummary {
  messages: number;
  /** Imported meetings it took part in, deleted (their CRM activities too). */
  meetings: number;
  crmDeleted: number;
  crmOwed: number;
  contactsUpdated: number;
  contactsRemoved: number;
  leadsUpdated: number;
  leadsRemoved: number;
}

/** Runs every queued (or interrupted) job, oldest first; returns them as they ended. */
export async function runPrivacyJobs(parts: AdminParts): Promise<PrivacyJob[]> {
  const done: PrivacyJob[] = [];
  for (const job of parts.admin.openPrivacyJobs()) {
    // A job a crash left running keeps the progress it recorded (see `erase`).
    const progress = job.state === 'running' ? eraseProgress(job.result) : { messages: 0, crmQueued: 0 };
    parts.admin.setPrivacyJobState(job.id, 'running', progress);
    try {
      if (job.kind !== 'erase') throw new Error(`unknown privacy job kind ${job.kind}`);
      const summary = await erase(parts, job.subject, job.id, progress);
      parts.admin.setPrivacyJobState(job.id, 'done', summary);
      parts.admin.audit(job.requestedBy, 'privacy.erase', job.subject, { jobId: job.id, ...summary });
    } catch (err) {
      parts.admin.setPrivacyJobState(job.id, 'failed', null, err instanceof Error ? err.message : String(err));
      parts.admin.audit(job.requestedBy, 'privacy.erase.failed', job.subject, { jobId: job.id });
    }
    done.push(parts.admin.privacyJob(job.id)!);
  }
  return done;
}

export function privacyStatus(parts: AdminParts, jobId: string): PrivacyJob {
  const job = parts.admin.privacyJob(jobId);
  if (!job) throw new AdminError(`no privacy job ${jobId}`);
  return job;
}

/** What an erase job did before a crash stopped it: messages deleted, CRM deletions queued. */
interface EraseProgress {
  messages: number;
  crmQueued: number;
}

function eraseProgress(result: unknown): EraseProgress {
  const r = (result ?? {}) as Partial<Record<keyof EraseProgress, unknown>>;
  const n = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  return { messages: n(r.messages), crmQueued: n(r.crmQueued) };
}

async function erase(parts: AdminParts, address: string, jobId: string, before: EraseProgress): Promise<EraseSummary> {
  parts.admin.suppress(address, jobId);
  const keys = ledgerKeysMatching(parts.db, { kind: 'address', value: address });
  // The running count is written in the same transaction as the deletes, so a resumed job
  // reports what the interrupted pass deleted (its ledger rows are gone by then).
  const forgotten = await forgetMessages(parts, keys, {
    reason: 'privacy.erase',
    onRemoved: (removed) =>
      parts.admin.setPrivacyJobState(jobId, 'running', { messages: before.messages + removed.messages, crmQueued: before.crmQueued + removed.crmIds }),
  });
  // Meetings are forgotten whole on every pass (the tombstones make a resumed pass find none).
  const meetings = await forgetMeetings(parts, meetingStoreOf(parts).meetingKeysMatching({ kind: 'address', value: address }), { reason: 'privacy.erase' });
  return {
    messages: before.messages + forgotten.messages,
    meetings: meetings.messages,
    crmDeleted: forgotten.crmDeleted + meetings.crmDeleted,
    // Deletions the interrupted pass queued stay owed until a sync round pays them.
    crmOwed: forgotten.crmOwed + before.crmQueued + meetings.crmOwed,
    ...dropFromIndex(parts, address),
  };
}

/** Removes the address from contacts and leads; a record left with no address goes whole. */
function dropFromIndex(parts: AdminParts, address: string): Omit<EraseSummary, 'messages' | 'meetings' | 'crmDeleted' | 'crmOwed'> {
  const { db } = parts;
  const counts = { contactsUpdated: 0, contactsRemoved: 0, leadsUpdated: 0, leadsRemoved: 0 };
  db.transaction(() => {
    for (const kind of ['contact', 'lead'] as const) {
      const table = `${kind}s`;
      const emails = `${kind}_emails`;
      const owners = db
        .prepare<[string], { id: string; emails: string }>(`SELECT id, emails FROM ${table} WHERE id IN (SELECT ${kind}_id FROM ${emails} WHERE email = ?)`)
        .all(address);
      for (const row of owners) {
        const rest = (JSON.parse(row.emails) as string[]).filter((e) => e !== address);
        if (rest.length === 0) {
          // Child rows (emails, phones, domains) cascade; contact roles have no foreign key.
          db.prepare(`DELETE FROM ${table} WHERE id = ?`).run(row.id);
          if (kind === 'contact') db.prepare('DELETE FROM deal_contact_roles WHERE contact_id = ?').run(row.id);
          counts[`${kind}sRemoved`]++;
        } else {
          db.prepare(`UPDATE ${table} SET emails = ? WHERE id = ?`).run(JSON.stringify(rest), row.id);
          db.prepare(`DELETE FROM ${emails} WHERE ${kind}_id = ? AND email = ?`).run(row.id, address);
          counts[`${kind}sUpdated`]++;
        }
      }
    }
  }).immediate();
  parts.index.clearCaches();
  return counts;
}
