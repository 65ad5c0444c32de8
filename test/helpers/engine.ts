/** Builds the real engine context (in-memory SQLite index) from a small hand-written snapshot. */
import type { EngineContext } from '../../src/core/classify.js';
import { buildRules, type RulesInput } from '../../src/core/rules.js';
import { parseSnapshot } from '../../src/core/snapshot.js';
import type { CrmSnapshot, MessageMeta } from '../../src/core/types.js';
import { parseAddress, parseAddressList } from '../../src/core/address.js';
import { openDatabase } from '../../src/store/database.js';
import { SqliteDomainIndex } from '../../src/store/domain-index.js';
import { migrate } from '../../src/store/migrations.js';

export function engineFor(snapshot: unknown, rules: Partial<RulesInput> = {}): EngineContext & { snapshot: CrmSnapshot } {
  const parsed = parseSnapshot(snapshot);
  const db = openDatabase({ path: ':memory:' });
  migrate(db);
  const index = new SqliteDomainIndex(db);
  index.loadSnapshot(parsed);
  return {
    snapshot: parsed,
    index,
    rules: buildRules({ companyDomains: parsed.companyDomains, blocklist: parsed.blocklist, ...rules }),
  };
}

/** A message's metadata from header-like strings: `msg({ from: 'Jane <jane@acme.com>', to: '…' })`. */
export function msg(h: {
  from?: string;
  to?: string;
  cc?: string;
  bcc?: string;
  subject?: string;
  date?: string;
  messageId?: string;
  folder?: MessageMeta['folder'];
  isDraft?: boolean;
  headers?: Record<string, string>;
}): MessageMeta {
  const headers: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(h.headers ?? {})) headers[k.toLowerCase()] = [v];
  return {
    id: 'test',
    folder: h.folder ?? 'inbox',
    isDraft: h.isDraft ?? false,
    messageId: h.messageId ?? null,
    from: parseAddress(h.from),
    sender: null,
    replyTo: [],
    to: parseAddressList(h.to),
    cc: parseAddressList(h.cc),
    bcc: parseAddressList(h.bcc),
    subject: h.subject ?? 'Hello',
    sentAt: h.date ? new Date(h.date).toISOString() : '2026-04-14T09:00:00.000Z',
    inReplyTo: null,
    references: [],
    headers,
  };
}
