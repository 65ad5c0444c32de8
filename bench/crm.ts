/**
 * CRM adapter benchmark: a full pull of 1,000,000 contacts / 200,000 accounts / 100,000 deals
 * from each emulator, then 10,000 activities written back. The emulator runs in a child process
 * so the peak RSS measured is the adapter's own. Prints one JSON object (last line) keyed by CRM:
 * `{pullRecordsPerSec, peakRssMb, writeCalls, writeLowerBound, ratio}` plus context fields.
 *
 * Each adapter is measured in its own process with a 160 MB V8 heap cap (`--heap-mb` to change,
 * 0 for none): a pull that held its records would fail there, and V8's lazy collection does not
 * inflate the figure.
 *
 * Usage: `tsx bench/crm.ts [--json] [--scale 0.1] [--only salesforce|hubspot] [--heap-mb 160]`.
 * (`--serve <crm>` and `--measure <crm>` are the child modes.)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { ActivityDraft } from '../src/core/ports.js';
import type { Contact, CrmUser } from '../src/core/types.js';
import { HubspotAdapter } from '../src/crm-adapters/hubspot/hubspot-adapter.js';
import { SalesforceAdapter } from '../src/crm-adapters/salesforce/salesforce-adapter.js';
import type { RelationIndex } from '../src/crm-adapters/salesforce/salesforce-write.js';
import { startHubspotEmulator } from '../src/emulators/hubspot/hubspot-emulator.js';
import { startSalesforceEmulator } from '../src/emulators/salesforce/salesforce-emulator.js';
import { generateTenant, type TenantSpec } from '../src/emulators/common/tenant-generator.js';
import { writeLowerBound as writeLowerBoundOf } from './lower-bounds.js';
import { flag, hasFlag } from './flags.js';

type Crm = 'salesforce' | 'hubspot';
const scale = Number(flag('--scale') ?? 1);
const ACTIVITIES = Math.round(10_000 * Math.min(1, scale * 10));

function tenantSpec(): TenantSpec {
  return { accounts: Math.round(200_000 * scale), contactsPerAccount: 5, deals: Math.round(100_000 * scale), users: 20, leads: 0 };
}

/** Child mode: serve one emulator, print its coordinates, live until killed. */
async function serve(crm: Crm): Promise<void> {
  // Exit cleanly when the parent is done (lets --cpu-prof write its profile).
  process.on('SIGTERM', () => process.exit(0));
  const tenant = generateTenant(tenantSpec());
  const unlimited = { dailyLimit: 100_000_000 };
  if (crm === 'salesforce') {
    const sf = await startSalesforceEmulator({ tenant, ...unlimited });
    console.log(JSON.stringify({ url: sf.url, credentials: sf.credentials }));
  } else {
    // HubSpot's documented search limit (5/s × 200) caps a real full load near 1,000 records/s;
    // the limits are lifted here to measure the adapter, not the policy.
    const hs = await startHubspotEmulator({ tenant, limits: { tenSecondlyMax: 1_000_000, searchPerSecond: 1_000_000, daily: 100_000_000 } });
    console.log(JSON.stringify({ url: hs.url, credentials: hs.credentials }));
  }
}

function spawnSelf(mode: '--serve' | '--measure', crm: Crm, nodeFlags: string[] = []): ChildProcess {
  // The emulator holds the whole tenant: it must not inherit the measured process's heap cap.
  const inherited = process.execArgv.filter((flag) => !flag.startsWith('--max-old-space-size'));
  return spawn(process.execPath, [...inherited, ...nodeFlags, fileURLToPath(import.meta.url), mode, crm, '--scale', String(scale)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

async function startChild(crm: Crm): Promise<{ child: ChildProcess; info: { url: string; credentials: Record<string, string> } }> {
  const child = spawnSelf('--serve', crm);
  const lines = createInterface({ input: child.stdout! });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`emulator child exited with ${code}`)));
  });
  return { child, info: JSON.parse(first) as { url: string; credentials: Record<string, string> } };
}

async function counters(url: string): Promise<Record<string, number>> {
  return (await (await fetch(`${url}/__mock/counters`)).json()) as Record<string, number>;
}

const delta = (after: Record<string, number>, before: Record<string, number>, skip: string[]) =>
  Object.entries(after).reduce((sum, [k, v]) => (skip.includes(k) ? sum : sum + v - (before[k] ?? 0)), 0);

/** Activities on generated contacts: Ann (user-1) writes to contact n of account a. */
function drafts(n: number, keyPrefix: string): { drafts: ActivityDraft[]; contacts: Map<string, Contact>; users: Map<string, CrmUser> } {
  const contacts = new Map<string, Contact>();
  const users = new Map<string, CrmUser>([['seller1@mailbridge-demo.example', { id: 'user-1', email: 'seller1@mailbridge-demo.example' }]]);
  const accounts = Math.round(200_000 * scale);
  const out: ActivityDraft[] = [];
  for (let i = 0; i < n; i++) {
    const a = ((i * 7919) % accounts) + 1;
    const c = (a - 1) * 5 + 1 + (i % 5);
    const address = `contact-${c}@company${a}.example`;
    contacts.set(address, { id: `contact-${c}`, emails: [address], phones: [], accountId: `acct-${a}` });
    out.push({
      key: `${keyPrefix}-${i}`,
      direction: i % 2 ? 'inbound' : 'outbound',
      sentAt: new Date(Date.UTC(2026, 2, 1) + i * 60_000).toISOString(),
      from: i % 2 ? { name: `Contact ${c}`, address } : { name: 'Seller 1', address: 'seller1@mailbridge-demo.example' },
      to: i % 2 ? [{ name: 'Seller 1', address: 'seller1@mailbridge-demo.example' }] : [{ name: `Contact ${c}`, address }],
      cc: [],
      subject: `Benchmark ${i}`,
      text: `Body of benchmark message ${i}.`,
      messageId: `<bench-${keyPrefix}-${i}@mailbridge-demo.example>`,
      inReplyTo: null,
      references: [],
      contactIds: [`contact-${c}`],
      accountIds: [`acct-${a}`],
      leadIds: [],
      dealIds: [],
      userIds: ['user-1'],
      ownerId: 'user-1',
      relatedToId: `acct-${a}`,
      explanation: `contact ${address} → account Company ${a}`,
    });
  }
  return { drafts: out, contacts, users };
}

function rssSampler(): { peakMb(): number; stop(): void } {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 50);
  return { peakMb: () => Math.round((Math.max(peak, process.memoryUsage().rss) / 1_048_576) * 10) / 10, stop: () => clearInterval(timer) };
}

async function benchOne(crm: Crm): Promise<Record<string, unknown>> {
  const { child, info } = await startChild(crm);
  try {
    const c = info.credentials;
    const batch = drafts(ACTIVITIES, `bench-${crm}`);
    const index: RelationIndex = {
      contactsByEmail: (a) => (batch.contacts.has(a) ? [batch.contacts.get(a)!] : []),
      leadsByEmail: () => [],
      userByEmail: (a) => batch.users.get(a),
    };
    const sf = crm === 'salesforce' ? new SalesforceAdapter({ loginUrl: c.loginUrl, clientId: c.clientId, clientSecret: c.clientSecret, relationIndex: index }) : null;
    const hs = crm === 'hubspot' ? new HubspotAdapter({ accessToken: c.accessToken!, basePath: c.basePath, share: 1, tenSecondlyMax: 1_000_000, searchPerSecond: 1_000_000, dedupe: 'unique-property' }) : null;
    const adapter = (sf ?? hs)!;

    const rss = rssSampler();
    let records = 0;
    const started = performance.now();
    for await (const b of adapter.pullChanges(null)) {
      records += (b.accounts?.length ?? 0) + (b.contacts?.length ?? 0) + (b.deals?.length ?? 0) + (b.users?.length ?? 0) + (b.leads?.length ?? 0);
    }
    const pullSeconds = (performance.now() - started) / 1000;

    const before = await counters(info.url);
    const writeStarted = performance.now();
    const outcomes = await adapter.writeActivities(batch.drafts);
    const writeSeconds = (performance.now() - writeStarted) / 1000;
    const after = await counters(info.url);
    rss.stop();
    const failed = outcomes.filter((o) => !o.ok).length;
    const writeCalls = delta(after, before, ['oauth', 'control']);
    const relations = batch.drafts.reduce((n, d) => n + d.contactIds.length + d.userIds.length, 0);
    // Fewest calls any idempotent write can make with the documented batch sizes.
    const writeLowerBound = writeLowerBoundOf(crm, ACTIVITIES, relations);

    // HubSpot's default (read-before-create) mode, for comparison: one read more per 100.
    let readBeforeCreate: Record<string, number> = {};
    if (hs) {
      const safe = new HubspotAdapter({ accessToken: c.accessToken!, basePath: c.basePath, share: 1, tenSecondlyMax: 1_000_000, searchPerSecond: 1_000_000 });
      const second = drafts(ACTIVITIES, 'bench-hubspot-safe');
      const b2 = await counters(info.url);
      await safe.writeActivities(second.drafts);
      const calls = delta(await counters(info.url), b2, ['control']);
      readBeforeCreate = { writeCallsReadBeforeCreate: calls, ratioReadBeforeCreate: Math.round((calls / writeLowerBound) * 1000) / 1000 };
      await safe.close();
      await hs.close();
    }
    return {
      pullRecordsPerSec: Math.round(records / pullSeconds),
      peakRssMb: rss.peakMb(),
      writeCalls,
      writeLowerBound,
      ratio: Math.round((writeCalls / writeLowerBound) * 1000) / 1000,
      records,
      pullSeconds: Math.round(pullSeconds * 10) / 10,
      activities: ACTIVITIES,
      writeSeconds: Math.round(writeSeconds * 10) / 10,
      writeFailures: failed,
      ...(hs ? { dedupe: 'unique-property', limitsLifted: true, ...readBeforeCreate } : {}),
    };
  } finally {
    child.kill();
  }
}

/** Runs `benchOne` in a child process with the heap cap; resolves with its JSON line. */
async function measureInChild(crm: Crm, heapMb: number): Promise<Record<string, unknown>> {
  const child = spawnSelf('--measure', crm, heapMb > 0 ? [`--max-old-space-size=${heapMb}`] : []);
  let last = '';
  createInterface({ input: child.stdout! }).on('line', (line) => {
    last = line;
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`${crm} measurement exited with ${code}`);
  return { ...(JSON.parse(last) as Record<string, unknown>), heapCapMb: heapMb || null };
}

async function main(): Promise<void> {
  const serveCrm = flag('--serve') as Crm | undefined;
  if (serveCrm) return serve(serveCrm);
  const measureCrm = flag('--measure') as Crm | undefined;
  if (measureCrm) {
    console.log(JSON.stringify(await benchOne(measureCrm)));
    return;
  }
  const only = flag('--only') as Crm | undefined;
  const heapMb = Number(flag('--heap-mb') ?? 160);
  const result: Record<string, unknown> = {};
  for (const crm of ['salesforce', 'hubspot'] as const) {
    if (only && only !== crm) continue;
    result[crm] = await measureInChild(crm, heapMb);
    if (!hasFlag('--json')) console.error(crm, result[crm]);
  }
  console.log(JSON.stringify(result));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
