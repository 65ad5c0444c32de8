/**
 * `mailbridge explain`: why one email was or was not captured. Its metadata is read live from
 * the mail service, decided with the engine the sync runs (qualify, then the body check and
 * deals on its body, exactly as a sync round would, here with a trace the rules fill), and
 * compared with the ledger. Nothing about the message is stored or logged: the answer goes to
 * the admin who asked, and only there.
 */
import { backfillStart } from '../../core/backfill-window.js';
import { decide, skipDecision, type EmailDecision } from '../../core/classify.js';
import { DecisionTrace, type AssociationTrace, type DealTrace, type RuleStep } from '../../core/decision-trace.js';
import { dedupeKey } from '../../core/dedupe.js';
import type { DomainIndex, Mailbox, MessageRef } from '../../core/ports.js';
import { pageKeys } from '../../core/participants.js';
import { qualify } from '../../core/qualify.js';
import { threadKeys, threadParent } from '../../core/thread.js';
import type { Folder, Reason } from '../../core/types.js';
import type { ImportedMessage } from '../../store/imported-messages.js';
import type { IndexStore } from '../../store/store-ports.js';
import type { OpenTenant } from '../open-tenant.js';

/** `not-found`: the mail service does not hold the message; `unknown-mailbox`: no such mailbox to read. */
export class ExplainError extends Error {
  override name = 'ExplainError';
  constructor(
    readonly code: 'not-found' | 'unknown-mailbox',
    message: string,
    readonly field: string,
  ) {
    super(message);
  }
}

export interface ExplainRequest {
  mailbox: string;
  ref: MessageRef;
}

export interface Explanation {
  mailbox: string;
  message: { id: string; messageId: string | null; folder: Folder; sentAt: string | null; subject: string; from: string | null };
  decision: EmailDecision['decision'];
  reason: Reason;
  /** The engine's one-line explanation (what an import carries into the CRM). */
  explanation: string;
  rules: RuleStep[];
  /** Null when an earlier rule decided before the association ran. */
  association: AssociationTrace | null;
  /** Null for a skipped message (no deal ranking ran). */
  deal: DealTrace | null;
  /** Whether the ledger holds it: an activity was written to the CRM. */
  written: boolean;
  /** The ledger entry: CRM activity and records, holders, what the engine said then. */
  ledger: ImportedMessage | null;
  /** Imported once, then deleted on purpose: the sync never imports it again. */
  forgotten: boolean;
  /** What else bears on it (folders the sync never reads, the first-run window). */
  notes: string[];
}

export async function explainMessage(tenant: OpenTenant, request: ExplainRequest): Promise<Explanation> {
  const { ledger, index, messages } = tenant.stores;
  const provider = tenant.provider();
  const address = request.mailbox.trim().toLowerCase();
  const mailbox = (await provider.listMailboxes()).find((m) => m.address === address);
  if (!mailbox) {
    throw new ExplainError('unknown-mailbox', `--mailbox: ${request.mailbox} is not a mailbox this tenant reads (see \`mailbridge status\`)`, 'mailbox');
  }
  const meta = await provider.fetchMessageMeta(mailbox, request.ref);
  if (!meta) {
    const what = 'id' in request.ref ? `id ${request.ref.id}` : `Message-ID ${request.ref.messageId}`;
    throw new ExplainError('not-found', `the mail service has no message with ${what} in ${mailbox.address}`, 'id' in request.ref ? 'id' : 'messageId');
  }

  const rules = await tenant.rules();
  // As the sync does for a page: the message's participant keys (and the owner's) resolved in
  // one call, on either store, then decided synchronously.
  const resolved = await index.resolveKeys(pageKeys([meta], rules.companyDomains, mailbox.address));
  const ctx = { index: resolved, rules };
  const now = tenant.clock.now();
  const trace = new DecisionTrace();
  // As the sync does: a reply to an imported email inherits its records (thread.ts).
  const parent = threadParent(meta, await ledger.importedAssociations(threadKeys(meta)));
  const q = qualify(meta, ctx, parent && { thread: parent }, trace);
  let decision: EmailDecision;
  if (!q.ok) {
    decision = skipDecision(q.reason, q.why);
  } else {
    // As the sync does: the body is fetched only for mail that qualified on its metadata.
    const body = (await provider.fetchBodies(mailbox, [meta.id])).get(meta.id) ?? null;
    decision = decide(meta, q, body, ctx, { mailboxOwner: mailbox.address, now }, trace);
  }

  const key = dedupeKey(meta);
  const written = await messages.byKey(key);
  const forgotten = !written && (await ledger.wasForgotten(key));
  return {
    mailbox: mailbox.address,
    message: { id: meta.id, messageId: meta.messageId, folder: meta.folder, sentAt: meta.sentAt, subject: meta.subject, from: meta.from?.address ?? null },
    decision: decision.decision,
    reason: decision.reason,
    explanation: decision.explanation,
    rules: trace.rules(),
    association: trace.associationTrace,
    deal: trace.dealTrace,
    written: written !== null,
    ledger: written,
    forgotten,
    notes: await notesFor(index, resolved, mailbox, meta.folder, meta.sentAt, written, forgotten, now),
  };
}

async function notesFor(
  index: IndexStore,
  resolved: DomainIndex,
  mailbox: Mailbox,
  folder: Folder,
  sentAt: string | null,
  ledger: ImportedMessage | null,
  forgotten: boolean,
  now: Date,
): Promise<string[]> {
  const notes: string[] = [];
  if (forgotten) notes.push('it was imported once and then deleted on purpose (messages delete, erase or retention): the sync never imports it again');
  if (ledger) return notes;
  if (folder === 'other') notes.push('it sits in a folder the sync never reads (only Inbox and Sent Items are scanned)');
  // The owner was resolved with the message's keys (pageKeys adds the mailbox address).
  const owner = resolved.userByEmail(mailbox.address);
  const since = backfillStart(owner ? await index.openDealsOwnedBy(owner.id) : [], owner?.id ?? null, now);
  if (sentAt && Date.parse(sentAt) < since.getTime()) {
    notes.push(`it is older than this mailbox's first-run window (from ${since.toISOString().slice(0, 10)}): a first sync does not reach back to it`);
  }
  return notes;
}
