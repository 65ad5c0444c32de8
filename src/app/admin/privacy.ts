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
import type { IndexErasure, LedgerSummary } from '../../store/store-ports.js';
import { AdminError, type AdminParts } from './admin-parts.js';
import { forgetMeetings } from './forget-meetings.js';
import { forgetMessages } from './forget-messages.js';

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

export async function accessReport(parts: AdminParts, email: string): Promise<AccessReport> {
  const address = normalizeSubject(email);
  const { ledger, index, status, governance, audit } = parts.stores;
  const keys = await ledger.keysMatching({ kind: 'address', value: address });
  const messages: AccessReport['messages'] = [];
  for (const m of await ledger.summaries(keys)) {
    const roles = (await ledger.participants(m.key)).filter((r) => normalizeAddress(r.address) === address).map((r) => r.role);
    messages.push({ ...m, roles: [...new Set(roles)].sort() });
  }
  const participantKeys = new Set(keys);
  const mentionKeys = (await ledger.keysMentioning(address)).filter((k) => !participantKeys.has(k));
  const found = await index.resolveKeys([address]);
  const user = found.userByEmail(address);
  const stored = await governance.blocklist();

  const report: AccessReport = {
    address,
    messages,
    mentions: await ledger.summaries(mentionKeys),
    meetings: await meetingsOf(parts, address),
    contacts: [...found.contactsByEmail(address)].map((c) => ({ id: c.id, name: c.name ?? null, accountId: c.accountId ?? null })).sort(byId),
    leads: [...found.leadsByEmail(address)].map((l) => ({ id: l.id, name: l.name ?? null, company: l.company ?? null })).sort(byId),
    users: user ? [{ id: user.id, name: user.name ?? null }] : [],
    mailboxes: (await status.mailboxStatuses()).filter((m) => normalizeAddress(m.address) === address),
    suppressed: await suppressionOf(parts, address),
    blocklisted: stored.addresses.includes(address) || parts.config.blocklist.addresses.some((a) => normalizeAddress(a) === address),
    privacyJobs: await governance.privacyJobsFor(address),
    audit: await audit.auditMentioning(address),
  };
  await audit.audit(parts.actor, 'privacy.access', address, {
    messages: report.messages.length,
    mentions: report.mentions.length,
    meetings: report.meetings.length,
    contacts: report.contacts.length,
    leads: report.leads.length,
    users: report.users.length,
  });
  return report;
}

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

async function meetingsOf(parts: AdminParts, address: string): Promise<AccessReport['meetings']> {
  const store = parts.stores.meetings;
  const out: AccessReport['meetings'] = [];
  for (const key of await store.meetingKeysMatching({ kind: 'address', value: address })) {
    const m = await store.meeting(key);
    if (m) out.push({ key: m.key, crmId: m.crmId, start: m.start, title: m.activity.title, status: m.activity.status });
  }
  return out.sort((a, b) => a.start.localeCompare(b.start) || a.key.localeCompare(b.key));
}

async function suppressionOf(parts: AdminParts, address: string): Promise<AccessReport['suppressed']> {
  const s = await parts.stores.governance.suppression(address);
  return s ? { addedAt: s.addedAt, jobId: s.jobId } : null;
}

/** Queues an erase; returns the job id (`privacy status <id>`). */
export async function requestErase(parts: AdminParts, email: string): Promise<string> {
  const address = normalizeSubject(email);
  const id = randomUUID();
  await parts.stores.governance.createPrivacyJob(id, 'erase', address, parts.actor);
  await parts.stores.audit.audit(parts.actor, 'privacy.erase.requested', address, { jobId: id });
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
  const { governance, audit } = parts.stores;
  const done: PrivacyJob[] = [];
  for (const job of await governance.openPrivacyJobs()) {
    // A job a crash left running keeps the progress it recorded (see `erase`).
    const progress = job.state === 'running' ? eraseProgress(job.result) : { messages: 0, crmQueued: 0 };
    await governance.setPrivacyJobState(job.id, 'running', progress);
    try {
      if (job.kind !== 'erase') throw new Error(`unknown privacy job kind ${job.kind}`);
      const summary = await erase(parts, job.subject, job.id, progress);
      await governance.setPrivacyJobState(job.id, 'done', summary);
      await audit.audit(job.requestedBy, 'privacy.erase', job.subject, { jobId: job.id, ...summary });
    } catch (err) {
      await governance.setPrivacyJobState(job.id, 'failed', null, err instanceof Error ? err.message : String(err));
      await audit.audit(job.requestedBy, 'privacy.erase.failed', job.subject, { jobId: job.id });
    }
    done.push((await governance.privacyJob(job.id))!);
  }
  return done;
}

export async function privacyStatus(parts: AdminParts, jobId: string): Promise<PrivacyJob> {
  const job = await parts.stores.governance.privacyJob(jobId);
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
  const { governance, ledger, meetings, index } = parts.stores;
  await governance.suppress(address, jobId);
  const keys = await ledger.keysMatching({ kind: 'address', value: address });
  // The running count is written in the same transaction as the deletes, so a resumed job
  // reports what the interrupted pass deleted (its ledger rows are gone by then).
  const forgotten = await forgetMessages(parts, keys, {
    reason: 'privacy.erase',
    progress: { jobId, result: (removed) => ({ messages: before.messages + removed.messages, crmQueued: before.crmQueued + removed.crmIds }) },
  });
  // Meetings are forgotten whole on every pass (the tombstones make a resumed pass find none).
  const meetingsGone = await forgetMeetings(parts, await meetings.meetingKeysMatching({ kind: 'address', value: address }), { reason: 'privacy.erase' });
  const dropped: IndexErasure = await index.eraseAddress(address);
  return {
    messages: before.messages + forgotten.messages,
    meetings: meetingsGone.messages,
    crmDeleted: forgotten.crmDeleted + meetingsGone.crmDeleted,
    // Deletions the interrupted pass queued stay owed until a sync round pays them.
    crmOwed: forgotten.crmOwed + before.crmQueued + meetingsGone.crmOwed,
    ...dropped,
  };
}
