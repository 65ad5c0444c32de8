/**
 * Provider API cost benchmark: scans 10 mailboxes × 2,000 generated messages (20% exchanged with
 * customers) through the Graph and Gmail emulators with the real SDKs, fetches bodies of the
 * qualifying ones, and compares the requests served with the lower bound: list/delta pages at
 * the maximum page size plus one body batch per 20 qualifying messages (Graph). The last line
 * printed is one JSON object; `--json` prints only that line.
 *
 * Run: npx tsx bench/providers.ts [--json] [--mailboxes N] [--messages N]
 */
import { registrableDomain } from '../src/core/address.js';
import type { MessageMeta } from '../src/core/types.js';
import { generateMailboxes } from '../src/emulators/common/mailbox-generator.js';
import { startGmailEmulator } from '../src/emulators/gmail/gmail-emulator.js';
import { startGraphEmulator } from '../src/emulators/graph/graph-emulator.js';
import { GmailProvider } from '../src/providers/gmail/gmail-provider.js';
import { GraphProvider } from '../src/providers/graph/graph-provider.js';
import { RedirectingNetworkClient } from '../src/providers/graph/graph-network-client.js';
import type { MailProvider } from '../src/core/ports.js';
import { apiCalls, GRAPH_PAGE, graphLowerBound, perFolder } from './lower-bounds.js';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const jsonOnly = args.includes('--json');
const MAILBOXES = flag('--mailboxes', 10);
const MESSAGES = flag('--messages', 2_000);
const GMAIL_PAGE = 500;
const GMAIL_BATCH = 50;
const SINCE = new Date('2020-01-01T00:00:00Z');

const generated = generateMailboxes({ mailboxes: MAILBOXES, messagesPerMailbox: MESSAGES, customerShare: 0.2, seed: 2026 });
const customers = new Set(generated.customerDomains);

/** Stand-in for the engine's qualification: a participant on a customer domain. */
function qualifies(m: MessageMeta): boolean {
  return [m.from, ...m.to, ...m.cc].some((a) => a !== null && customers.has(registrableDomain(a.address.split('@')[1]) ?? ''));
}

interface Run {
  messages: number;
  qualifying: number;
  pages: number;
  perMailbox: { messages: number; qualifying: number }[];
  ms: number;
}

async function scanEverything(provider: MailProvider): Promise<Run> {
  const started = Date.now();
  const boxes = await provider.listMailboxes();
  const perMailbox = await Promise.all(
    boxes.map(async (box) => {
      let messages = 0;
      const wanted: string[] = [];
      for (const folder of ['inbox', 'sent'] as const) {
        for await (const page of provider.scan(box, folder, null, { since: SINCE })) {
          messages += page.messages.length;
          for (const m of page.messages) if (qualifies(m)) wanted.push(m.id);
        }
      }
      const bodies = await provider.fetchBodies(box, wanted);
      if (bodies.size !== wanted.length) throw new Error(`bodies missing for ${box.address}`);
      return { messages, qualifying: wanted.length };
    }),
  );
  return {
    messages: perMailbox.reduce((s, b) => s + b.messages, 0),
    qualifying: perMailbox.reduce((s, b) => s + b.qualifying, 0),
    pages: 0,
    perMailbox,
    ms: Date.now() - started,
  };
}

async function graphRun() {
  const emu = await startGraphEmulator({ mailboxes: generated.mailboxes });
  const provider = new GraphProvider({
    mode: 'company',
    baseUrl: emu.url,
    auth: { ...emu.credentials, networkClient: new RedirectingNetworkClient(emu.url) },
    pageSize: GRAPH_PAGE,
  });
  try {
    const run = await scanEverything(provider);
    const counters = emu.emulator.counters;
    const lowerBound = graphLowerBound(emu, run.perMailbox.map((b) => b.qualifying));
    const calls = apiCalls(counters);
    return {
      messages: run.messages,
      apiCalls: calls,
      lowerBound,
      ratio: Math.round((calls / lowerBound) * 1000) / 1000,
      bodyCalls: counters.get('batch'),
      bodyItems: counters.get('batch:message.get'),
      qualifying: run.qualifying,
      bodiesServed: emu.control.bodyRequests().length,
      byKind: counters.byKind(),
      ms: run.ms,
    };
  } finally {
    await provider.close();
    await emu.close();
  }
}

async function gmailRun() {
  const emu = await startGmailEmulator({ mailboxes: generated.mailboxes });
  const provider = new GmailProvider({
    mode: 'company',
    users: emu.store.mailboxes().map((b) => b.address),
    serviceAccount: emu.serviceAccount,
    rootUrl: `${emu.url}/`,
    tokenOrigin: emu.url,
    pageSize: GMAIL_PAGE,
    batchSize: GMAIL_BATCH,
  });
  try {
    const run = await scanEverything(provider);
    const counters = emu.emulator.counters;
    // Gmail lists ids only: its lower bound adds the metadata batches and one profile read per scan.
    let lowerBound = perFolder(emu, (n) => Math.max(1, Math.ceil(n / GMAIL_PAGE)) + Math.ceil(n / GMAIL_BATCH) + 1);
    lowerBound += run.perMailbox.reduce((s, b) => s + Math.ceil(b.qualifying / GMAIL_BATCH), 0);
    const calls = apiCalls(counters);
    return {
      messages: run.messages,
      apiCalls: calls,
      lowerBound,
      ratio: Math.round((calls / lowerBound) * 1000) / 1000,
      // Gmail batches carry metadata reads and body reads alike.
      batchCalls: counters.get('batch'),
      bodiesServed: emu.control.bodyRequests().length,
      qualifying: run.qualifying,
      byKind: counters.byKind(),
      ms: run.ms,
    };
  } finally {
    await provider.close();
    await emu.close();
  }
}

const graph = await graphRun();
if (!jsonOnly) console.log('graph', JSON.stringify(graph));
const gmailResult = await gmailRun();
if (!jsonOnly) console.log('gmail', JSON.stringify(gmailResult));
console.log(
  JSON.stringify({
    messages: graph.messages,
    apiCalls: graph.apiCalls,
    lowerBound: graph.lowerBound,
    ratio: graph.ratio,
    bodyCalls: graph.bodyCalls,
    gmail: { messages: gmailResult.messages, apiCalls: gmailResult.apiCalls, lowerBound: gmailResult.lowerBound, ratio: gmailResult.ratio, batchCalls: gmailResult.batchCalls, bodiesServed: gmailResult.bodiesServed },
  }),
);
