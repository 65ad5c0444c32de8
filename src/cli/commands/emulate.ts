/**
 * `mailbridge emulate graph|gmail|salesforce|hubspot`: one bundled API emulator, standalone, on
 * 127.0.0.1, for local development and for pointing the vendors' own tools or documented
 * requests at it. Seeded with the demo data unless given mail or a CRM snapshot.
 */
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { loadSnapshotFile } from '../../app/classify-files.js';
import { loadMailbox, loadMailboxes } from '../../emulators/common/mail-seed.js';
import type { MailboxDescription } from '../../emulators/common/mail-store.js';
import { generateMailboxes } from '../../emulators/common/mailbox-generator.js';
import { startGmailEmulator } from '../../emulators/gmail/gmail-emulator.js';
import { QUOTA_ERROR_MODES, type QuotaErrorMode } from '../../emulators/gmail/gmail-errors.js';
import { startGraphEmulator } from '../../emulators/graph/graph-emulator.js';
import { BATCH_CONFLICT_MODES, type BatchConflictMode } from '../../emulators/hubspot/hubspot-batch-create.js';
import { startHubspotEmulator } from '../../emulators/hubspot/hubspot-emulator.js';
import { startSalesforceEmulator } from '../../emulators/salesforce/salesforce-emulator.js';
import { UsageError } from '../run-cli.js';
import { stat } from 'node:fs/promises';

const KINDS = ['graph', 'gmail', 'salesforce', 'hubspot'] as const;
type Kind = (typeof KINDS)[number];

interface EmulateFlags {
  port?: string;
  mail?: string;
  crm?: string;
  domain: string;
  json?: boolean;
  searchLagMs?: string;
  batchConflict?: string;
  sentItemsWithoutHeaders?: boolean;
  deltaReplays?: boolean;
  quotaError?: string;
}

const DEMO_CRM = fileURLToPath(new URL('../../../examples/sample-crm.json', import.meta.url));

async function seedMailboxes(flags: EmulateFlags): Promise<MailboxDescription[]> {
  if (!flags.mail) {
    return generateMailboxes({
      mailboxes: 10,
      messagesPerMailbox: 200,
      companyDomain: 'example-seller.com',
      customerDomains: ['acme.com', 'acme.co.uk', 'globex.com', 'initech.io'],
    }).mailboxes;
  }
  // A folder of per-user folders (`<user>/…`) becomes one mailbox per user; anything else is one mailbox.
  const info = await stat(flags.mail);
  if (info.isDirectory()) {
    const boxes = await loadMailboxes(flags.mail, flags.domain);
    if (boxes.some((b) => b.messages.length)) return boxes;
  }
  return [await loadMailbox(flags.mail, `mailbox@${flags.domain}`)];
}

function parsePort(value: string | undefined): number {
  if (value === undefined) return 0;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port: expected 0–65535, got ${value}`);
  return port;
}

/** HubSpot behaviours switched by flags: search-index lag and the batch-create conflict answer. */
function hubspotModes(flags: EmulateFlags): { searchLagMs?: number; batchConflict?: BatchConflictMode } {
  const out: { searchLagMs?: number; batchConflict?: BatchConflictMode } = {};
  if (flags.searchLagMs !== undefined) {
    const ms = Number(flags.searchLagMs);
    if (!Number.isInteger(ms) || ms < 0) throw new UsageError(`--search-lag-ms: expected a whole number of milliseconds ≥ 0, got ${flags.searchLagMs}`);
    out.searchLagMs = ms;
  }
  if (flags.batchConflict !== undefined) {
    if (!(BATCH_CONFLICT_MODES as readonly string[]).includes(flags.batchConflict)) {
      throw new UsageError(`--batch-conflict: expected one of ${BATCH_CONFLICT_MODES.join(', ')}, got ${flags.batchConflict}`);
    }
    out.batchConflict = flags.batchConflict as BatchConflictMode;
  }
  return out;
}

async function start(kind: Kind, flags: EmulateFlags): Promise<{ info: Record<string, unknown>; close(): Promise<void> }> {
  const port = parsePort(flags.port);
  switch (kind) {
    case 'graph': {
      const mailboxes = await seedMailboxes(flags);
      const e = await startGraphEmulator({ port, mailboxes, sentItemsWithoutHeaders: flags.sentItemsWithoutHeaders, deltaReplays: flags.deltaReplays });
      return { info: { api: `${e.url}/v1.0`, tokenUrl: e.tokenUrl, credentials: e.credentials, mailboxes: mailboxes.map((m) => m.address) }, close: () => e.close() };
    }
    case 'gmail': {
      const mailboxes = await seedMailboxes(flags);
      const quotaError = flags.quotaError ?? 'legacy-403';
      if (!(QUOTA_ERROR_MODES as readonly string[]).includes(quotaError)) {
        throw new UsageError(`--quota-error: expected one of ${QUOTA_ERROR_MODES.join(', ')}, got ${quotaError}`);
      }
      const e = await startGmailEmulator({ port, mailboxes, quotaError: quotaError as QuotaErrorMode });
      return {
        info: { api: `${e.url}/gmail/v1`, rootUrl: `${e.url}/`, tokenUrl: e.tokenUrl, serviceAccount: e.serviceAccount, oauthClient: e.oauthClient, mailboxes: mailboxes.map((m) => m.address) },
        close: () => e.close(),
      };
    }
    case 'salesforce': {
      const e = await startSalesforceEmulator({ port, snapshot: await loadSnapshotFile(flags.crm ?? DEMO_CRM) });
      return { info: { instanceUrl: e.url, credentials: e.credentials }, close: () => e.close() };
    }
    case 'hubspot': {
      const e = await startHubspotEmulator({ port, snapshot: await loadSnapshotFile(flags.crm ?? DEMO_CRM), ...hubspotModes(flags) });
      return { info: { basePath: e.url, credentials: e.credentials }, close: () => e.close() };
    }
  }
}

export function registerEmulate(program: Command): void {
  program
    .command('emulate')
    .description('Serve one bundled API emulator (graph, gmail, salesforce, hubspot) on 127.0.0.1 until stopped')
    .argument('<api>', `one of: ${KINDS.join(', ')}`)
    .option('--port <n>', 'port to listen on (default: a free one)')
    .option('--mail <path>', 'graph/gmail: seed from a folder of per-user folders, a maildir, an mbox or .eml files')
    .option('--domain <domain>', 'graph/gmail: company domain for mailboxes loaded with --mail', 'example-seller.com')
    .option('--crm <snapshot.json>', 'salesforce/hubspot: seed from a CRM snapshot (default: the demo tenant)')
    .option('--search-lag-ms <ms>', 'hubspot: new writes stay out of search results this long (default 0)')
    .option('--batch-conflict <mode>', `hubspot: answer to a batch create meeting a taken unique value: ${BATCH_CONFLICT_MODES.join(', ')} (default reject-409)`)
    .option('--sent-items-without-headers', 'graph: Sent Items copies carry no internetMessageHeaders, as some tenants answer')
    .option('--delta-replays', 'graph: each delta round also replays the previous round\'s changes')
    .option('--quota-error <mode>', `gmail: how a spent user quota is answered (${QUOTA_ERROR_MODES.join(', ')})`)
    .option('--json', 'print the connection details as one JSON object')
    .addHelpText(
      'after',
      `
Every emulator counts requests, injects faults and can add mail while running, through its
control routes under /__mock/ (see src/emulators/common/README.md).

Examples:
  mailbridge emulate graph --port 8443
  mailbridge emulate gmail --mail ../shared/corpora/enron-dev --domain enron.com --json
  mailbridge emulate salesforce --crm examples/sample-crm.json
  mailbridge emulate hubspot --search-lag-ms 5000 --batch-conflict reject-409-after-saving`,
    )
    .action(async (api: string, flags: EmulateFlags) => {
      if (!(KINDS as readonly string[]).includes(api)) throw new UsageError(`unknown api "${api}": expected one of ${KINDS.join(', ')}`);
      const running = await start(api as Kind, flags);
      if (flags.json) process.stdout.write(`${JSON.stringify({ emulator: api, ...running.info })}\n`);
      else {
        process.stdout.write(`${api} emulator listening (Ctrl-C to stop)\n`);
        for (const [k, v] of Object.entries(running.info)) {
          process.stdout.write(`  ${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}\n`);
        }
      }
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await running.close();
    });
}
