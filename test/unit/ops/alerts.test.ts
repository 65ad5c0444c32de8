/**
 * Alerts go to `alerts.webhook` on transitions only: a mailbox that starts failing, is revoked,
 * recovers; a tenant whose round fails. Received by a real HTTP server on 127.0.0.1.
 * Slack incoming webhooks take a JSON body with a `text` field
 * (https://api.slack.com/messaging/webhooks), which is what every alert carries.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OpenTenant } from '../../../src/app/open-tenant.js';
import { silentLogger } from '../../../src/app/logger.js';
import { Ops } from '../../../src/app/ops/ops.js';
import { SyncError } from '../../../src/core/sync-error.js';
import { openOpsTenant, opsConfig, roundResult, totals } from './ops-fixture.js';

const ANN = 'ann@acme-seller.example';
const BOB = 'bob@acme-seller.example';

interface Receiver {
  url: string;
  bodies: Record<string, unknown>[];
  status: number;
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const r = { bodies: [] as Record<string, unknown>[], status: 200 };
  const server: Server = createServer((req, res) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString()));
    req.on('end', () => {
      expect(req.method).toBe('POST');
      expect(req.headers['content-type']).toBe('application/json');
      r.bodies.push(JSON.parse(data) as Record<string, unknown>);
      res.writeHead(r.status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(r, { url: `http://127.0.0.1:${port}/hook`, close: () => new Promise<void>((done) => server.close(() => done())) });
}

describe('alerts', () => {
  let receiver: Receiver;
  let tenant: OpenTenant;
  let ops: Ops;

  beforeEach(async () => {
    receiver = await startReceiver();
    const config = opsConfig({ alerts: { webhook: receiver.url } });
    tenant = await openOpsTenant(config);
    ops = new Ops(config, silentLogger(), () => ({ queued: 0, running: 0 }));
  });
  afterEach(async () => {
    await ops.close();
    await tenant.close();
    await receiver.close();
  });

  it('posts when a mailbox becomes failing, not again while it stays so, and when it recovers', async () => {
    tenant.admin.recordRun(ANN, 'id-ann', null, {});
    tenant.admin.recordRun(BOB, 'id-bob', null, {});
    await ops.roundFinished(tenant, roundResult());
    await ops.alertsSent();
    expect(receiver.bodies).toEqual([]);

    tenant.admin.recordRun(BOB, 'id-bob', 'graph 503 after 5 tries', { code: 'transient' });
    await ops.roundFinished(tenant, roundResult(totals({ failed: 1 })));
    await ops.roundFinished(tenant, roundResult(totals({ failed: 1 })));
    await ops.alertsSent();
    expect(receiver.bodies).toHaveLength(1);
    expect(receiver.bodies[0]).toMatchObject({ event: 'failing', tenant: 'acme', mailbox: BOB, reason: 'graph 503 after 5 tries' });
    expect(receiver.bodies[0]!.text).toMatch(/^mailbridge: mailbox bob@acme-seller\.example of tenant acme is failing: graph 503 after 5 tries/);

    tenant.admin.recordRun(BOB, 'id-bob', null, {});
    await ops.roundFinished(tenant, roundResult());
    await ops.alertsSent();
    expect(receiver.bodies.map((b) => [b.event, b.mailbox])).toEqual([
      ['failing', BOB],
      ['recovered', BOB],
    ]);
    expect(receiver.bodies[1]!.text).toContain('recovered');
  });

  it('posts when a mailbox is revoked, and when a round fails and then succeeds', async () => {
    await ops.observe(tenant);
    tenant.admin.setConnection(ANN, 'revoked', 'id-ann');
    await ops.observe(tenant);
    await ops.roundFailed('acme', tenant, new SyncError('auth', 'Salesforce login refused: invalid_client (check crm.clientSecret)'));
    await ops.roundFinished(tenant, roundResult());
    await ops.alertsSent();
    expect(receiver.bodies.map((b) => [b.event, b.mailbox])).toEqual([
      ['revoked', ANN],
      ['revoked', null],
      ['recovered', null],
    ]);
    expect(receiver.bodies[1]!.reason).toContain('auth: Salesforce login refused');
  });

  it('alerts what is already failing when the process starts, and a webhook that refuses breaks nothing', async () => {
    receiver.status = 500;
    tenant.admin.recordRun(BOB, 'id-bob', 'consent withdrawn', { code: 'auth' });
    await ops.observe(tenant);
    await ops.alertsSent();
    expect(receiver.bodies.map((b) => b.event)).toEqual(['failing']);
    await ops.observe(tenant);
    await ops.alertsSent();
    expect(receiver.bodies).toHaveLength(1);
  });
});
