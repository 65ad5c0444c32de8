/**
 * Engine benchmark (issue: "the matching engine"): builds the SQLite domain index of a synthetic
 * tenant (1M contacts, 200k accounts, 50k leads, 100k deals), then qualifies and associates 1M
 * message metadata records (40% internal, 10% blocklisted, 10% automated, 20% no match, 20%
 * matching) on one core. Messages are generated in chunks outside the timed section, so the
 * figure is the engine's alone and memory stays flat.
 *
 *   npm run bench:engine -- [--json] [--contacts N] [--messages N] [--working-set N]
 *
 * Last line with --json: {"msgsPerSec", "indexBuildSec", "peakRssMb", "contacts", "messages"}.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { decide, type EngineContext } from '../src/core/classify.js';
import { qualify } from '../src/core/qualify.js';
import { buildRules } from '../src/core/rules.js';
import type { MessageMeta } from '../src/core/types.js';
import { openDatabase } from '../src/store/database.js';
import { SqliteDomainIndex } from '../src/store/domain-index.js';
import { migrate } from '../src/store/migrations.js';
import { COMPANY_DOMAIN, SyntheticTenant } from './synthetic-tenant.js';

const { values: args } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    contacts: { type: 'string', default: '1000000' },
    messages: { type: 'string', default: '1000000' },
    // Contacts the mail is exchanged with. A sales team's mail over a sync window concentrates
    // on its active customers; 0 draws every message's contact from the whole CRM (all cold).
    'working-set': { type: 'string', default: '50000' },
  },
});
const contacts = Number(args.contacts);
const messageCount = Number(args.messages);
const workingSet = Number(args['working-set']);
const scale = contacts / 1_000_000;
const tenant = new SyntheticTenant({
  contacts,
  accounts: Math.max(1, Math.round(200_000 * scale)),
  leads: Math.max(1, Math.round(50_000 * scale)),
  deals: Math.max(1, Math.round(100_000 * scale)),
});

const dir = mkdtempSync(join(tmpdir(), 'mailbridge-bench-'));
const db = openDatabase({ path: join(dir, 'bench.db'), key: 'bench-key-not-secret' });
migrate(db);
const index = new SqliteDomainIndex(db);

const buildStart = process.hrtime.bigint();
index.loadSnapshot(tenant);
const indexBuildSec = Number(process.hrtime.bigint() - buildStart) / 1e9;

const ctx: EngineContext = {
  index,
  rules: buildRules({ companyDomains: tenant.companyDomains, blocklist: tenant.blocklist }),
};

/** Deterministic message `i` of the mix. */
function message(i: number): MessageMeta {
  const bucket = i % 10;
  const user = (n: number) => ({ name: 'Rep', address: tenant.user(n % tenant.sizes.users).email });
  const day = new Date(Date.UTC(2026, 0, 1) + (i % 500) * 86_400_000).toISOString();
  const base: MessageMeta = {
    id: `m${i}`,
    folder: i % 3 === 0 ? 'sent' : 'inbox',
    isDraft: false,
    messageId: `<m${i}@bench.example>`,
    from: user(i),
    sender: null,
    replyTo: [],
    to: [user(i + 1)],
    cc: [],
    bcc: [],
    subject: `Subject ${i}`,
    sentAt: day,
    inReplyTo: null,
    references: [],
    headers: {},
  };
  const draw = workingSet > 0 ? i % workingSet : i;
  const contact = (draw * 7919) % tenant.sizes.contacts;
  if (bucket < 4) {
    // internal: user to user, sometimes via a subdomain
    base.cc = [{ name: '', address: `ops${i % 50}@eu.${COMPANY_DOMAIN}` }];
  } else if (bucket === 4) {
    base.from = { name: 'Offers', address: i % 2 ? 'offers@bulk-deals.example.net' : `x${i}@mail.spam-vendor.example.org` };
  } else if (bucket === 5) {
    base.from = { name: 'News', address: `news@${tenant.accountDomains(i % tenant.sizes.accounts)[0]}` };
    base.headers = { 'list-unsubscribe': [`<https://example.net/u/${i}>`], precedence: ['bulk'] };
  } else if (bucket < 8) {
    base.from = { name: 'Someone', address: `person${i}@unknown-${i % 5000}.example.com` };
  } else if (bucket === 8) {
    base.from = { name: 'Contact', address: tenant.contactEmail(contact) };
  } else {
    // outbound to a new person on an account domain, with the contact in copy
    base.to = [{ name: 'New', address: `new.person${i}@${tenant.accountDomains(contact % tenant.sizes.accounts)[0]}` }];
    base.cc = [{ name: 'Contact', address: tenant.contactEmail(contact) }];
  }
  return base;
}

const CHUNK = 20_000;
const now = new Date('2026-06-01T00:00:00Z');
const reasons: Record<string, number> = {};
let engineNs = 0n;
let peakRss = process.memoryUsage.rss();
for (let start = 0; start < messageCount; start += CHUNK) {
  const batch: MessageMeta[] = [];
  for (let i = start; i < Math.min(messageCount, start + CHUNK); i++) batch.push(message(i));
  // Collect the generator's garbage before the clock starts (run with --expose-gc), so the
  // figure is the engine's own allocation and work.
  (globalThis as { gc?: () => void }).gc?.();
  const t = process.hrtime.bigint();
  for (const meta of batch) {
    const q = qualify(meta, ctx);
    const reason = q.ok ? decide(meta, q, null, ctx, { mailboxOwner: meta.to[0]?.address ?? null, now }).reason : q.reason;
    reasons[reason] = (reasons[reason] ?? 0) + 1;
  }
  engineNs += process.hrtime.bigint() - t;
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
  if (!args.json && process.stderr.isTTY) process.stderr.write(`\r${Math.min(messageCount, start + CHUNK)} / ${messageCount} messages`);
}
if (!args.json && process.stderr.isTTY) process.stderr.write('\n');

// maxRSS (KiB) is the kernel's peak for the whole process, the index build included.
peakRss = Math.max(peakRss, process.resourceUsage().maxRSS * 1024);
db.close();
rmSync(dir, { recursive: true, force: true });

const result = {
  msgsPerSec: Math.round(messageCount / (Number(engineNs) / 1e9)),
  indexBuildSec: Number(indexBuildSec.toFixed(2)),
  indexRecordsPerSec: Math.round(tenant.records / indexBuildSec),
  peakRssMb: Math.round(peakRss / 1024 / 1024),
  contacts,
  messages: messageCount,
  workingSet,
  reasons,
};
if (args.json) {
  process.stdout.write(`${JSON.stringify(result)}\n`);
} else {
  process.stdout.write(
    [
      `index: ${tenant.records.toLocaleString('en')} records in ${result.indexBuildSec} s (${result.indexRecordsPerSec.toLocaleString('en')} records/s)`,
      `engine: ${messageCount.toLocaleString('en')} messages, ${result.msgsPerSec.toLocaleString('en')} messages/s qualified and associated`,
      `peak RSS: ${result.peakRssMb} MB`,
      `outcomes: ${Object.entries(reasons).map(([r, n]) => `${r} ${n}`).join(', ')}`,
    ].join('\n') + '\n',
  );
}
