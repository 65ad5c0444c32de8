/**
 * The admin commands as an admin runs them, each a real `mailbridge` process, against the Graph
 * and Salesforce emulators: init → config check → connect (company-wide, and user by user with
 * the consent round trip) → sync → status → key rotate, and an interrupted rotation recovering.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tenantDatabasePath } from '../../src/app/open-tenant.js';
import { databaseKey, writeKeyFile } from '../../src/config/database-key.js';
import { loadConfig, type LoadedConfig } from '../../src/config/load-config.js';
import { parseSnapshot } from '../../src/core/snapshot.js';
import type { SeedMessage } from '../../src/emulators/common/mail-store.js';
import { startGraphEmulator, type GraphEmulator } from '../../src/emulators/graph/graph-emulator.js';
import { startSalesforceEmulator, type RunningSalesforceEmulator } from '../../src/emulators/salesforce/salesforce-emulator.js';
import { SqliteAdminStore } from '../../src/store/admin-store.js';
import { openDatabase, rekeyDatabase } from '../../src/store/database.js';
import { SqliteSecretStore } from '../../src/store/secret-store.js';
import { StoreKeyError } from '../../src/store/store-errors.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const snapshot = parseSnapshot(JSON.parse(readFileSync(new URL('../../examples/sample-crm.json', import.meta.url), 'utf8')));
const ALEX = 'alex@example-seller.com';
const SAM = 'sam@example-seller.com';
const REDIRECT = 'http://localhost:8765/oauth/callback';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `mailbridge …` as a child process (asynchronously: the emulators live in this process). */
function mailbridge(args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: root, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += String(d)));
    child.stderr.on('data', (d) => (stderr += String(d)));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function lastJson<T = Record<string, unknown>>(run: Run): T {
  if (run.code !== 0) throw new Error(`exit ${run.code}: ${run.stderr}`);
  const lines = run.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!) as T;
}

const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000);

function mail(at: Date, h: Record<string, string>, text = 'Hello'): SeedMessage {
  return { folder: 'inbox', receivedAt: at.toISOString(), headers: Object.entries({ ...h, Date: at.toUTCString() }).map(([name, value]) => ({ name, value })), text, html: null };
}

function mailboxes() {
  const renewal = mail(daysAgo(2), { From: 'Jane Doe <jane.doe@acme.com>', To: ALEX, Cc: SAM, Subject: 'Renewal pricing', 'Message-ID': '<renewal-admin@acme.com>' });
  return [
    {
      address: ALEX,
      displayName: 'Alex Seller',
      messages: [
        renewal,
        mail(daysAgo(2), { From: SAM, To: ALEX, Subject: 'Forecast', 'Message-ID': '<forecast-admin@example-seller.com>' }),
        mail(daysAgo(1), { From: 'Acme News <news@acme.com>', To: ALEX, Subject: 'Acme news', 'Message-ID': '<news-admin@acme.com>', 'List-Unsubscribe': '<mailto:u@acme.com>' }),
      ],
    },
    { address: SAM, displayName: 'Sam Seller', messages: [renewal] },
  ];
}

// Each step is a fresh process (about a second or two each): generous per-test time.
describe('admin CLI: init, config check, connect, status, key rotate', { timeout: 180_000 }, () => {
  let graph: GraphEmulator;
  let sf: RunningSalesforceEmulator;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    graph = await startGraphEmulator({ mailboxes: mailboxes() });
    sf = await startSalesforceEmulator({ snapshot });
    env = { ...process.env, GRAPH_SECRET: graph.credentials.clientSecret, SF_SECRET: sf.credentials.clientSecret };
    delete env.MAILBRIDGE_DB_KEY;
    delete env.MAILBRIDGE_CONFIG;
  });
  afterAll(async () => {
    await graph?.close();
    await sf?.close();
  });

  /** `mailbridge init` for the emulators, in a fresh folder; returns the config path. */
  async function init(extra: string[] = []): Promise<{ file: string; result: Record<string, unknown> }> {
    const dir = mkdtempSync(join(tmpdir(), 'mailbridge-admin-'));
    const file = join(dir, 'mailbridge.config.json');
    const run = await mailbridge(
      [
        'init', '-c', file, '--tenant', 'acme', '--company-domain', 'example-seller.com',
        '--provider', 'graph', '--graph-tenant-id', graph.credentials.tenantId, '--graph-client-id', graph.credentials.clientId,
        '--graph-client-secret', 'env:GRAPH_SECRET', '--graph-base-url', graph.url, '--graph-authority-host', graph.url,
        '--crm', 'salesforce', '--salesforce-login-url', sf.credentials.loginUrl, '--salesforce-client-id', sf.credentials.clientId,
        '--salesforce-client-secret', 'env:SF_SECRET', '--data-dir', 'data', '--json', ...extra,
      ],
      env,
    );
    return { file, result: lastJson(run) };
  }

  it('company-wide: init → check → connect → sync → status → key rotate, data surviving the rotation', async () => {
    const { file, result } = await init();
    const dir = join(file, '..');
    expect(result).toMatchObject({ config: file, keyFile: join(dir, 'mailbridge.key'), dataDir: join(dir, 'data'), tenants: ['acme'] });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'mailbridge.key')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'data')).mode & 0o777).toBe(0o700);
    expect(readFileSync(file, 'utf8')).not.toContain(graph.credentials.clientSecret);

    const again = await mailbridge(['init', '-c', file, '--company-domain', 'x.com', '--provider', 'graph', '--crm', 'hubspot'], env);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already exists.*--force/);

    expect(lastJson(await mailbridge(['config', 'check', '-c', file, '--json'], env))).toMatchObject({ ok: true, tenants: ['acme'] });
    const broken = join(dir, 'broken.json');
    const json = JSON.parse(readFileSync(file, 'utf8'));
    delete json.tenants[0].crm.clientId;
    writeFileSync(broken, JSON.stringify(json));
    const bad = await mailbridge(['config', 'check', '-c', broken], env);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toContain('tenants[0].crm.clientId');
    const unset = await mailbridge(['config', 'check', '-c', file], { ...env, GRAPH_SECRET: '' });
    expect(unset.code).toBe(2);
    expect(unset.stdout).toContain('tenants[0].mail.clientSecret: environment variable GRAPH_SECRET is not set');

    const connected = lastJson<{ mailboxes: { address: string; connection: string }[] }>(await mailbridge(['connect', '-c', file, '-t', 'acme', '--json'], env));
    expect(connected.mailboxes.map((m) => [m.address, m.connection]).sort()).toEqual([[ALEX, 'connected'], [SAM, 'connected']]);
    const listed = lastJson<{ users: { address: string; connection: string }[] }>(await mailbridge(['connect', '-c', file, '--list', '--json', '-t', 'acme'], env));
    expect(listed.users.map((u) => u.connection)).toEqual(['connected', 'connected']);

    const sync = await mailbridge(['sync', '--once', '-c', file, '--json', '--quiet'], env);
    expect(sync.code, sync.stderr).toBe(0);
    expect(sf.control.emails().map((e) => e.record.Subject)).toEqual(['Renewal pricing']);

    // A CRM deletion still owed (as a blocklist purge leaves one when the CRM is down).
    const config = loadConfig(file);
    const db = openDatabase({ path: tenantDatabasePath(config, 'acme'), key: databaseKey(config, {}) });
    db.prepare("INSERT INTO crm_deletions (crm_id, reason, queued_at) VALUES ('02s000000000001', 'blocklist', ?)").run(new Date().toISOString());
    db.close();

    const status = lastJson<StatusJson>(await mailbridge(['status', '-c', file, '--tenant', 'acme', '--json'], env));
    const alex = status.mailboxes.find((m) => m.address === ALEX)!;
    const sam = status.mailboxes.find((m) => m.address === SAM)!;
    expect(alex).toMatchObject({ connection: 'connected', imported: 1, lastError: null, skipped: { 'internal-only': 1, automated: 1 } });
    expect(alex.lastSyncAt).not.toBeNull();
    expect(alex.lastOkAt).toBe(alex.lastSyncAt);
    // The renewal reached Sam too: one email, two holders.
    expect(sam).toMatchObject({ connection: 'connected', imported: 1, skipped: {} });
    expect(status.totals).toMatchObject({ mailboxes: 2, connected: 2, needingAttention: 0, imported: 1, skipped: { 'internal-only': 1, automated: 1 } });
    expect(status.crm).toMatchObject({ kind: 'salesforce', pendingDeletions: 1 });
    expect(status.crm.budget?.at).toBeTypeOf('string');
    expect(new Date(status.schedule.nextRun!).getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(status.schedule.cron).toBe('*/15 * * * *');

    const oldKey = databaseKey(config, {});
    const rotated = lastJson(await mailbridge(['key', 'rotate', '-c', file, '--json'], env));
    expect(rotated).toMatchObject({ resumed: false, tenants: [{ id: 'acme', result: 'rekeyed' }] });
    const newKey = databaseKey(config, {});
    expect(newKey).not.toBe(oldKey);
    expect(() => openDatabase({ path: tenantDatabasePath(config, 'acme'), key: oldKey })).toThrow(StoreKeyError);
    const after = lastJson<StatusJson>(await mailbridge(['status', '-c', file, '--json', '-t', 'acme'], env));
    expect(after.mailboxes).toEqual(status.mailboxes);
    expect(after.totals).toEqual(status.totals);
    const reopened = openDatabase({ path: tenantDatabasePath(config, 'acme'), key: newKey });
    expect(new SqliteAdminStore(reopened).auditLog().map((a) => a.action)).toContain('key.rotate');
    reopened.close();

    const fromEnv = await mailbridge(['key', 'rotate', '-c', file], { ...env, MAILBRIDGE_DB_KEY: newKey });
    expect(fromEnv.code).toBe(2);
    expect(fromEnv.stderr).toContain('rotation needs a key file');
    expect(fromEnv.stderr).not.toContain(newKey);
  });

  it('user by user: consent link, code from the authorize redirect, connected; tokens never printed', async () => {
    const { file } = await init(['--mode', 'user', '--users', `${ALEX},${SAM}`, '--redirect-uri', REDIRECT]);
    const before = lastJson<{ users: { address: string; connection: string }[] }>(await mailbridge(['connect', '-c', file, '--list', '--json', '-t', 'acme'], env));
    expect(before.users.map((u) => [u.address, u.connection])).toEqual([[ALEX, 'invited'], [SAM, 'invited']]);

    const invite = lastJson<{ url: string; state: string }>(await mailbridge(['connect', '-c', file, '--user', ALEX, '--json'], env));
    const consent = new URL(invite.url);
    expect(consent.searchParams.get('login_hint')).toBe(ALEX);
    expect(consent.searchParams.get('code_challenge_method')).toBe('S256');
    expect(consent.searchParams.get('state')).toBe(invite.state);

    const config = loadConfig(file);
    const dbPath = tenantDatabasePath(config, 'acme');
    const pending = async () => {
      const db = openDatabase({ path: dbPath, key: databaseKey(config, {}) });
      try {
        const secrets = new SqliteSecretStore(db);
        return { verifier: await secrets.get(`connect:pending:${ALEX}`), cache: await secrets.get(`graph:msal-cache:${ALEX}`) };
      } finally {
        db.close();
      }
    };
    const waiting = await pending();
    const verifier = (JSON.parse(waiting.verifier!) as { codeVerifier: string }).codeVerifier;
    expect(invite.url).not.toContain(verifier);

    // The browser: the emulator's authorize endpoint redirects back with the code and state.
    const res = await fetch(`${graph.url}${consent.pathname}${consent.search}`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const back = res.headers.get('location')!;

    const forged = await mailbridge(['connect', '-c', file, '--user', ALEX, '--code', new URL(back).searchParams.get('code')!, '--state', 'not-the-state'], env);
    expect(forged.code).toBe(2);
    expect(forged.stderr).toMatch(/state does not match/);
    const stranger = await mailbridge(['connect', '-c', file, '--user', 'kim@example-seller.com'], env);
    expect(stranger.code).toBe(2);
    expect(stranger.stderr).toContain('mail.users');

    const done = await mailbridge(['connect', '-c', file, '--user', ALEX, '--code', back, '--json'], env);
    expect(lastJson(done)).toMatchObject({ address: ALEX, connection: 'connected' });
    const stored = await pending();
    expect(stored.verifier).toBeNull();
    expect(stored.cache).toMatch(/RefreshToken/);
    const cache = JSON.parse(stored.cache!) as { RefreshToken: Record<string, { secret: string }> };
    const refreshToken = Object.values(cache.RefreshToken)[0]!.secret;
    for (const run of [done, forged]) {
      expect(run.stdout + run.stderr).not.toContain(refreshToken);
      expect(run.stdout + run.stderr).not.toContain(verifier);
    }

    const list = await mailbridge(['connect', '-c', file, '--list', '--json', '-t', 'acme'], env);
    expect(lastJson<{ users: { address: string; connection: string }[] }>(list).users.map((u) => [u.address, u.connection])).toEqual([
      [ALEX, 'connected'],
      [SAM, 'invited'],
    ]);
    const status = lastJson<StatusJson>(await mailbridge(['status', '-c', file, '--json', '-t', 'acme'], env));
    expect(status.mailboxes.map((m) => [m.address, m.connection])).toEqual([[ALEX, 'connected'], [SAM, 'invited']]);
  });

  it('an interrupted rotation (.next written, one of two databases re-encrypted) still opens and resumes', async () => {
    const { file } = await init();
    const json = JSON.parse(readFileSync(file, 'utf8'));
    json.tenants.push({ ...json.tenants[0], id: 'globex' });
    writeFileSync(file, JSON.stringify(json), { mode: 0o600 });
    const config: LoadedConfig = loadConfig(file);
    const oldKey = databaseKey(config, {});
    for (const id of ['acme', 'globex']) {
      const db = openDatabase({ path: tenantDatabasePath(config, id), key: oldKey });
      new SqliteAdminStore(db).setConnection(`owner@${id}.example`, 'connected', id);
      db.close();
    }
    // What a rotation killed after its first database leaves behind.
    const nextKey = 'f'.repeat(64);
    writeKeyFile(`${config.keyPath}.next`, nextKey);
    const first = openDatabase({ path: tenantDatabasePath(config, 'acme'), key: oldKey });
    rekeyDatabase(first, nextKey);
    first.close();

    const status = lastJson<{ tenants: StatusJson[] }>(await mailbridge(['status', '-c', file, '--json'], env));
    expect(status.tenants.map((t) => [t.tenant, t.mailboxes.map((m) => m.address)])).toEqual([
      ['acme', ['owner@acme.example']],
      ['globex', ['owner@globex.example']],
    ]);

    const resumed = lastJson(await mailbridge(['key', 'rotate', '-c', file, '--json'], env));
    expect(resumed).toMatchObject({ resumed: true, tenants: [{ id: 'acme', result: 'already-rekeyed' }, { id: 'globex', result: 'rekeyed' }] });
    expect(readFileSync(config.keyPath!, 'utf8').trim()).toBe(nextKey);
    for (const id of ['acme', 'globex']) {
      const db = openDatabase({ path: tenantDatabasePath(config, id), key: nextKey });
      expect(new SqliteAdminStore(db).mailboxStatuses().map((s) => s.address)).toEqual([`owner@${id}.example`]);
      db.close();
      expect(() => openDatabase({ path: tenantDatabasePath(config, id), key: oldKey })).toThrow(StoreKeyError);
    }
  });
});

interface StatusJson {
  tenant: string;
  mailboxes: { address: string; connection: string; imported: number; lastSyncAt: string | null; lastOkAt: string | null; lastError: string | null; skipped: Record<string, number> }[];
  totals: Record<string, unknown>;
  crm: { kind: string; pendingDeletions: number; budget: { at: string | null } | null };
  schedule: { cron: string; nextRun: string | null };
}
