/**
 * `key rotate` on the PostgreSQL store (a real server): each tenant's sealed columns (subjects,
 * explanations, message text, provider secrets, privacy job results) and its blind search terms
 * are re-sealed under the new key in one transaction; the old key no longer opens the tenant.
 * Refused while a sync or a worker holds a lease; an interrupted rotation opens with the pending
 * key and finishes.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initConfig } from '../../../src/app/init-config.js';
import { openTenant } from '../../../src/app/open-tenant.js';
import { KeyRotationError, rotateKey } from '../../../src/app/rotate-key.js';
import { databaseKey, generateKey, writeKeyFile } from '../../../src/config/database-key.js';
import { loadConfig, type LoadedConfig } from '../../../src/config/load-config.js';
import type { ImportRecord } from '../../../src/core/ports.js';
import { PostgresStore } from '../../../src/store/postgres/postgres-store.js';
import { StoreError } from '../../../src/store/store-errors.js';
import { startPostgresOrSkip, type PostgresServer } from '../../helpers/postgres-server.js';

let server: PostgresServer | null = null;
beforeAll(async () => {
  server = await startPostgresOrSkip();
}, 120_000);
afterAll(async () => server?.stop());

const record = (key: string, subject: string, text: string): ImportRecord => ({
  key,
  crmId: `00T-${key}`,
  mailboxId: 'mbx-1',
  bcc: [],
  activity: {
    key, direction: 'inbound', sentAt: '2026-11-02T09:00:00.000Z', from: { name: 'Jane', address: 'jane@acme.example' }, to: [{ name: 'Sam', address: 'sam@seller.example' }],
    cc: [], subject, text, messageId: `<${key}@acme.example>`, inReplyTo: null, references: [], contactIds: ['003A'], accountIds: ['001A'], leadIds: [], dealIds: [],
    userIds: [], ownerId: null, relatedToId: null, explanation: `jane@acme.example is contact Jane (${key})`,
  },
});

let seq = 0;
/** Two tenants on one PostgreSQL database, each with an import, a secret and a privacy job result. */
async function twoTenants(url: string): Promise<LoadedConfig> {
  const dir = mkdtempSync(join(tmpdir(), 'mailbridge-rotate-pg-'));
  const { config: file } = initConfig(
    { file: join(dir, 'mailbridge.config.json'), tenant: 'acme', companyDomains: ['acme.com'], provider: 'graph', graph: { tenantId: 'd', clientId: 'c' }, crm: 'hubspot' },
    {},
  );
  const json = JSON.parse(readFileSync(file, 'utf8'));
  json.tenants.push({ ...json.tenants[0], id: 'globex', companyDomains: ['globex.com'] });
  json.store = { kind: 'postgres', url };
  writeFileSync(file, JSON.stringify(json), { mode: 0o600 });
  const config = loadConfig(file);
  const store = new PostgresStore({ url });
  try {
    for (const t of config.tenants) {
      await store.migrate(t.id);
      const s = await store.tenant(t.id, databaseKey(config, {}));
      await s.ledger.recordImport(record(`mid:${t.id}`, `Renewal quote for ${t.id}`, 'Please send the platinum pricing'));
      await s.meetings.recordMeeting({
        key: `uid-${t.id}`, crmId: `00U-${t.id}`, mailboxId: 'mbx', eventId: 'ev', lastModified: null, attendees: ['jane@acme.example'],
        activity: {
          key: `uid-${t.id}`, title: `QBR with ${t.id}`, start: '2026-11-02T10:00:00.000Z', end: '2026-11-02T11:00:00.000Z', description: 'QBR',
          status: 'active', contactIds: [], accountIds: [], leadIds: [], dealIds: [], attendeeCrmIds: [], explanation: 'attendee matched',
        },
      });
      await s.secrets.set('graph:token', `secret of ${t.id}`);
      await s.governance.createPrivacyJob(`job-${t.id}`, 'access', 'jane@acme.example', 'cli');
      await s.governance.setPrivacyJobState(`job-${t.id}`, 'done', { messages: 1 });
    }
  } finally {
    await store.close();
  }
  return config;
}

async function readBack(config: LoadedConfig, id: string) {
  const t = await openTenant(config, config.tenants.find((x) => x.id === id)!);
  try {
    const { ledger, secrets, governance, meetings } = t.stores;
    return {
      subject: (await ledger.entry(`mid:${id}`))?.subject,
      meeting: (await meetings.meeting(`uid-${id}`))?.activity.title,
      found: await ledger.searchText('platinum pricing'),
      secret: await secrets.get('graph:token'),
      job: (await governance.privacyJob(`job-${id}`))?.result,
    };
  } finally {
    await t.close();
  }
}

describe('key rotate on PostgreSQL', () => {
  it('re-seals every tenant under the new key: data and search intact, the old key refused', async (ctx) => {
    if (!server) return ctx.skip();
    const url = await server.createDatabase(`rotate_${++seq}`);
    const config = await twoTenants(url);
    const oldKey = databaseKey(config, {});
    const result = await rotateKey(config, { env: {} });
    expect(result.tenants).toEqual([{ id: 'acme', result: 'rekeyed' }, { id: 'globex', result: 'rekeyed' }]);
    expect(databaseKey(config, {})).not.toBe(oldKey);
    for (const id of ['acme', 'globex']) {
      expect(await readBack(config, id)).toEqual({ subject: `Renewal quote for ${id}`, meeting: `QBR with ${id}`, found: [`mid:${id}`], secret: `secret of ${id}`, job: { messages: 1 } });
    }
    const store = new PostgresStore({ url });
    try {
      await expect(store.tenant('acme', oldKey)).rejects.toThrow(StoreError);
      const audit = await (await store.tenant('acme', databaseKey(config, {}))).audit.auditLog(5);
      expect(audit.map((a) => a.action)).toContain('key.rotate');
      expect(JSON.stringify(audit)).not.toContain(databaseKey(config, {}));
    } finally {
      await store.close();
    }
  });

  it('refuses while a lease is held, and an interrupted rotation opens with the pending key and finishes', async (ctx) => {
    if (!server) return ctx.skip();
    const url = await server.createDatabase(`rotate_${++seq}`);
    const config = await twoTenants(url);
    const oldKey = databaseKey(config, {});
    const next = generateKey();
    writeKeyFile(`${config.keyPath}.next`, next);
    const store = new PostgresStore({ url });
    try {
      // A crash after acme was re-sealed, before globex: acme opens with .next, globex with the key file.
      expect(await store.reseal('acme', oldKey, next, 'rotation:1')).toEqual({ result: 'rekeyed' });
      expect((await readBack(config, 'acme')).secret).toBe('secret of acme');
      expect((await readBack(config, 'globex')).secret).toBe('secret of globex');
      // A worker's mailbox job holds a lease on globex: refused, naming what to do.
      const globex = await store.tenant('globex', oldKey);
      await globex.leases.acquireLease('mailbox:mbx-1', 'worker-host:42', 60_000);
      await expect(rotateKey(config, { env: {} })).rejects.toThrow(KeyRotationError);
      await globex.leases.releaseLease('mailbox:mbx-1', 'worker-host:42');
    } finally {
      await store.close();
    }
    const result = await rotateKey(config, { env: {} });
    expect(result).toMatchObject({ resumed: true, tenants: [{ id: 'acme', result: 'already-rekeyed' }, { id: 'globex', result: 'rekeyed' }] });
    expect(databaseKey(config, {})).toBe(next);
    expect((await readBack(config, 'globex')).found).toEqual(['mid:globex']);
  });
});
