/**
 * A tenant for the ops tests: a real encrypted database in a temp folder behind a real config.
 * Nothing here calls a mail service or CRM (the status views read the database only), so the
 * service URLs are never contacted.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTenant, type OpenTenant } from '../../../src/app/open-tenant.js';
import type { SyncRoundResult, SyncTotals } from '../../../src/app/run-sync.js';
import { writeKeyFile } from '../../../src/config/database-key.js';
import { parseConfig, type LoadedConfig } from '../../../src/config/load-config.js';

export const TOKEN = 'ops-test-token-0123456789abcdef';

export function opsConfig(extra: Record<string, unknown> = {}): LoadedConfig {
  const dir = mkdtempSync(join(tmpdir(), 'mailbridge-ops-'));
  writeKeyFile(join(dir, 'mailbridge.key'), 'a'.repeat(64));
  const raw = {
    dataDir: 'data',
    keyFile: 'mailbridge.key',
    tenants: [
      {
        id: 'acme',
        companyDomains: ['acme-seller.example'],
        mail: { provider: 'graph', tenantId: 't', clientId: 'c', clientSecret: 's', users: ['ann@acme-seller.example', 'bob@acme-seller.example'], baseUrl: 'http://127.0.0.1:9' },
        crm: { kind: 'salesforce', loginUrl: 'http://127.0.0.1:9', clientId: 'c', clientSecret: 's' },
      },
    ],
    ...extra,
  };
  const file = join(dir, 'mailbridge.config.json');
  writeFileSync(file, JSON.stringify(raw), { mode: 0o600 });
  return parseConfig(raw, file);
}

export function openOpsTenant(config: LoadedConfig): Promise<OpenTenant> {
  return openTenant(config, config.tenants[0]!);
}

export function totals(over: Partial<SyncTotals> = {}): SyncTotals {
  return { mailboxes: 2, scanned: 7, imported: 3, duplicates: 1, skipped: { 'internal-only': 2, automated: 1 }, failed: 0, lateMatched: 0, reassociated: 0, meetingsScanned: 0, meetingsImported: 0, meetingActivitiesWritten: 0, meetingsUpdated: 0, meetingsCancelled: 0, meetingsAlreadyImported: 0, meetingsSkipped: {}, calendarsFailed: 0, ...over };
}

/** A round result as `runSyncRound` returns it (the fields ops reads). */
export function roundResult(t: SyncTotals = totals()): SyncRoundResult {
  return { tenant: 'acme', provider: 'graph', crm: 'salesforce', crmBatches: 1, privacyJobs: 0, crmDeletions: { paid: 0, owed: 0 }, mailboxes: [], totals: t, lateMatch: { queries: 0, pendingKeys: 0, failed: [] }, lateMatched: t.lateMatched, reassociated: t.reassociated, reassociation: { checked: 0, pending: 0, failed: 0 }, stopped: false };
}
