/**
 * A crash in the middle of a re-association batch (docs/rules.md "Re-association"): the
 * `mailbridge sync --once` child is SIGKILLed as its first re-association write reaches the CRM
 * (Salesforce: the all-or-none `POST /composite`; HubSpot: the explanation update, before any
 * association changes). The write lands; the child never records it.
 * The next round finishes the move from the persisted work list: one activity per email, on the
 * new association, the ledger following the CRM, and nothing moves again after that.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { openTenant } from '../../src/app/open-tenant.js';
import { startDemoEmulators, duplicateActivities, type DemoActivity, type DemoEmulators } from '../../src/demo/demo-emulators.js';
import { createWorkspace, type DemoWorkspace } from '../../src/demo/demo-config.js';
import { RequestTap } from '../../src/demo/request-tap.js';
import { startSyncChild } from '../../src/demo/sync-child.js';
import { demoDay, demoTenant } from '../../src/demo/demo-tenant.js';

const DEAL = '006-acme-arms';
const ACCOUNT = '001-acme';

function lastJson(stdout: string): { reassociated: number; reassociation: { checked: number; pending: number; failed: number } } {
  const line = stdout.trim().split('\n').at(-1) ?? '{}';
  return JSON.parse(line) as never;
}

describe.each([
  ['graph', 'salesforce', 'composite'],
  ['gmail', 'hubspot', 'batch-update-emails'],
] as const)('re-association crash: %s → %s', (provider, crm, killKind) => {
  let emulators: DemoEmulators | null = null;
  let workspace: DemoWorkspace | null = null;
  afterEach(async () => {
    await emulators?.close();
    if (workspace) rmSync(workspace.dir, { recursive: true, force: true });
  });

  it(`killed at the ${killKind} write, the next round leaves one activity per email on the new association`, async () => {
    const tenant = demoTenant();
    emulators = await startDemoEmulators(tenant, provider, crm);
    const tap = new RequestTap(emulators);
    workspace = createWorkspace(emulators, tenant, 'mailbridge-reassoc-crash-');
    // The child runs on the wall clock; the demo's mail is months old: widen the window to reach it.
    const raw = JSON.parse(readFileSync(workspace.configFile, 'utf8')) as { tenants: Record<string, unknown>[] };
    raw.tenants[0]!.reassociation = { windowDays: 365 };
    writeFileSync(workspace.configFile, JSON.stringify(raw, null, 2), { mode: 0o600 });

    const first = await startSyncChild(workspace.configFile).done;
    expect(first.code, first.stderr).toBe(0);
    const before = emulators.activities();
    const onDeal = before.filter((a) => a.relatedTo === DEAL);
    expect(onDeal.length).toBeGreaterThanOrEqual(2);

    // The deal is closed, dated a month back: the Acme mail of the last week leaves it.
    emulators.crmChange.closeDeal(DEAL, demoDay(-30).toISOString().slice(0, 10));
    const child = startSyncChild(workspace.configFile);
    let killedAt: string | null = null;
    const off = tap.on((_cls, kind) => {
      if (kind === killKind && killedAt === null) {
        killedAt = kind;
        child.kill();
      }
    });
    const killed = await child.done;
    off();
    expect(killed.killed).toBe(true);
    expect(killedAt).toBe(killKind);

    const resumed = await startSyncChild(workspace.configFile).done;
    expect(resumed.code, resumed.stderr).toBe(0);
    const round = lastJson(resumed.stdout);
    expect(round.reassociated).toBe(onDeal.length);
    expect(round.reassociation).toEqual({ checked: onDeal.length, pending: 0, failed: 0 });

    const after = emulators.activities();
    const byKey = (list: DemoActivity[]) => new Map(list.map((a) => [a.key, a]));
    expect(duplicateActivities(after)).toBe(0);
    expect([...byKey(after).keys()].sort()).toEqual([...byKey(before).keys()].sort());
    expect(emulators.duplicateRelations()).toBe(0);
    for (const old of onDeal) {
      const now = byKey(after).get(old.key)!;
      // Whole: on the account, off the deal, every person it was linked to still linked.
      expect(now.relatedTo).toBe(ACCOUNT);
      expect(now.linked).not.toContain(DEAL);
      expect(new Set(now.linked)).toEqual(new Set([...old.linked.filter((id) => id !== DEAL), ACCOUNT]));
      expect(now.explanation).toMatch(/\nre-associated \d{4}-\d{2}-\d{2}: deal Acme Robotics — Robot Arms 2026 → account Acme Robotics \(/);
    }
    // Untouched activities are as they were.
    for (const a of before.filter((x) => x.relatedTo !== DEAL)) expect(byKey(after).get(a.key)).toEqual(a);

    // The ledger follows the CRM (id and explanation), and nothing is left to move.
    const open = openTenant(workspace.config, workspace.config.tenants[0]!);
    try {
      for (const old of onDeal) {
        const entry = await open.store.entry(old.key!);
        const now = byKey(after).get(old.key)!;
        expect(entry).toMatchObject({ crmId: now.crmId, relatedToId: ACCOUNT, explanation: now.explanation });
      }
      expect(await open.store.reassociationQueueSize()).toBe(0);
    } finally {
      await open.close();
    }
    const again = await startSyncChild(workspace.configFile).done;
    expect(lastJson(again.stdout)).toMatchObject({ reassociated: 0, reassociation: { checked: 0, pending: 0, failed: 0 } });
    expect(emulators.activities()).toEqual(after);
  }, 180_000);
});
