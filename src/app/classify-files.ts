/**
 * `classify` (DESIGN §5): the sync's engine fed from files. A CRM snapshot is loaded into an
 * in-memory index (the same SQLite index the sync uses), then every message of a folder, mbox
 * or maildir is classified. Unparseable messages are reported and the run goes on.
 *
 * Replies inherit their thread within the files given (docs/rules.md "Threads"): messages are
 * decided oldest first, so a reply sees the files of its thread imported before it; lines are
 * still printed in the order the files were read. The whole source is read before deciding.
 */
import { readFile } from 'node:fs/promises';
import { classifyMessage, skipDecision, type EmailDecision } from '../core/classify.js';
import { normalizeMessageId } from '../core/dedupe.js';
import { parseRawMessage, UnparseableMessageError } from '../core/parse-message.js';
import { buildRules, type EngineRules } from '../core/rules.js';
import { parseBlocklist, parseSnapshot } from '../core/snapshot.js';
import { threadParent } from '../core/thread.js';
import type { ImportedAssociation } from '../core/ports.js';
import type { Blocklist, CrmSnapshot, MessageBody, MessageMeta } from '../core/types.js';
import { readMailSource } from '../mail-files/read-mail-source.js';
import { openDatabase, type SqliteDatabase } from '../store/database.js';
import { SqliteDomainIndex } from '../store/domain-index.js';
import { migrate } from '../store/migrations.js';

/** One line of `classify --json`: exactly the fields of DESIGN §5 (in the order `toLine` writes them). */
export type ClassifyLine = { file: string; messageId: string | null } & Pick<
  EmailDecision,
  'decision' | 'reason' | 'contacts' | 'accounts' | 'leads' | 'deals' | 'owner' | 'explanation'
>;

export interface ClassifyFilesOptions {
  snapshot: CrmSnapshot;
  mailPath: string;
  owner?: string | null;
  /** Replaces the snapshot's company domains when given. */
  companyDomains?: string[];
  /** Added to the snapshot's blocklist. */
  blocklist?: Blocklist;
  timeZone?: string;
  now?: Date;
}

/** Reads and validates a snapshot file; errors name the file and the bad field. */
export async function loadSnapshotFile(path: string): Promise<CrmSnapshot> {
  return parseSnapshot(await readJson(path), path);
}

export async function loadBlocklistFile(path: string): Promise<Blocklist> {
  return parseBlocklist(await readJson(path), path);
}

export class InputFileError extends Error {
  override name = 'InputFileError';
}

async function readJson(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new InputFileError(`${path}: cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new InputFileError(`${path}: not valid JSON (${(err as Error).message})`);
  }
}

function toLine(file: string, messageId: string | null, d: EmailDecision): ClassifyLine {
  return {
    file,
    messageId,
    decision: d.decision,
    reason: d.reason,
    contacts: d.contacts,
    accounts: d.accounts,
    leads: d.leads,
    deals: d.deals,
    owner: d.owner,
    explanation: d.explanation,
  };
}

/** Positions of the messages oldest first (undated ones last, file order among equals). */
function byDate(read: readonly ({ meta: MessageMeta } | ClassifyLine)[]): number[] {
  const sentAt = (i: number): string => {
    const r = read[i]!;
    return 'meta' in r ? (r.meta.sentAt ?? '\uffff') : '\uffff';
  };
  return read.map((_, i) => i).sort((a, b) => (sentAt(a) < sentAt(b) ? -1 : sentAt(a) > sentAt(b) ? 1 : a - b));
}

/** The rules the classify options describe: the snapshot's, with the command line's changes. */
export function classifyRules(opts: Pick<ClassifyFilesOptions, 'snapshot' | 'companyDomains' | 'blocklist' | 'timeZone'>): EngineRules {
  const { snapshot } = opts;
  return buildRules({
    companyDomains: opts.companyDomains ?? snapshot.companyDomains,
    blocklist: {
      addresses: [...snapshot.blocklist.addresses, ...(opts.blocklist?.addresses ?? [])],
      domains: [...snapshot.blocklist.domains, ...(opts.blocklist?.domains ?? [])],
      phrases: [...snapshot.blocklist.phrases, ...(opts.blocklist?.phrases ?? [])],
    },
    ...(opts.timeZone ? { timeZone: opts.timeZone } : {}),
    ...(snapshot.freeMail ? { freeMail: snapshot.freeMail } : {}),
  });
}

/** The snapshot in an in-memory index (the sync's own SQLite index); `db` is closed by the caller. */
export function snapshotIndex(snapshot: CrmSnapshot): { db: SqliteDatabase; index: SqliteDomainIndex } {
  const db = openDatabase({ path: ':memory:' });
  migrate(db);
  const index = new SqliteDomainIndex(db);
  index.loadSnapshot(snapshot);
  return { db, index };
}

export async function* classifyFiles(opts: ClassifyFilesOptions): AsyncGenerator<ClassifyLine> {
  const rules = classifyRules(opts);
  const { db, index } = snapshotIndex(opts.snapshot);
  try {
    const ctx = { rules, index };
    const decideOpts = { mailboxOwner: opts.owner ?? null, now: opts.now ?? new Date() };
    const read: ({ file: string; meta: MessageMeta; body: MessageBody } | ClassifyLine)[] = [];
    for await (const mail of readMailSource(opts.mailPath)) {
      try {
        const parsed = await parseRawMessage(mail.raw, mail.file, { folder: mail.folder, isDraft: mail.isDraft });
        read.push({ file: mail.file, ...parsed });
      } catch (err) {
        if (!(err instanceof UnparseableMessageError)) throw err;
        read.push(toLine(mail.file, null, skipDecision('unparseable', err.message)));
      }
    }
    const lines: ClassifyLine[] = [];
    // The imported files of this run, by ledger key: what the sync's ledger holds for the sync.
    const imported = new Map<string, ImportedAssociation>();
    for (const i of byDate(read)) {
      const mail = read[i]!;
      if (!('meta' in mail)) {
        lines[i] = mail;
        continue;
      }
      const parent = threadParent(mail.meta, imported);
      const decision = classifyMessage(mail.meta, mail.body, ctx, decideOpts, parent && { thread: parent });
      if (decision.decision === 'import' && decision.key) {
        imported.set(decision.key, { key: decision.key, activityId: null, contactIds: decision.contacts, accountIds: decision.accounts, leadIds: decision.leads, dealIds: decision.deals });
      }
      lines[i] = toLine(mail.file, normalizeMessageId(mail.meta.messageId), decision);
    }
    yield* lines;
  } finally {
    db.close();
  }
}
