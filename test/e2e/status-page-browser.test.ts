/**
 * The status page in a real browser: Chromium (the Debian package) driven by playwright-core
 * against `mailbridge run --http`, serving the demo tenant after two sync rounds on the
 * emulators, the second with one mailbox failing. The page needs the token (401 without; `?token=`
 * once signs the browser in with an HttpOnly cookie), lists the failing mailbox first, applies
 * its inline style under the CSP (allowed by hash), and shows a `<script>` audit entry as text.
 *
 * Without /usr/bin/chromium the test skips itself locally, and FAILS under CI=true (`.ci/run`
 * installs the package).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTenant } from '../../src/app/open-tenant.js';
import { runSyncRound } from '../../src/app/run-sync.js';
import { createWorkspace, type DemoWorkspace } from '../../src/demo/demo-config.js';
import { startDemoEmulators, type DemoEmulators } from '../../src/demo/demo-emulators.js';
import { demoTenant } from '../../src/demo/demo-tenant.js';
import { DEMO_TUNING } from '../../src/demo/run-demo.js';
import { root } from '../helpers/cli-tenant.js';

/** The one DOM call made in the page (the project's TypeScript has no DOM library). */
interface BrowserWindow {
  getComputedStyle(element: unknown): { backgroundColor: string };
}

const CHROMIUM = '/usr/bin/chromium';
const TOKEN = 'browser-test-token-0123456789abcdef';
const FAILING = 'dan.schmidt@harborlabs.io';
const hasChromium = existsSync(CHROMIUM);
const inCi = process.env.CI === 'true';

describe.runIf(hasChromium || inCi)('the status page in Chromium', () => {
  const tenant = demoTenant();
  let emulators: DemoEmulators;
  let ws: DemoWorkspace;
  let child: ChildProcessWithoutNullStreams;
  let url: string;
  let profile: string;
  let context: BrowserContext;

  beforeAll(async () => {
    if (!hasChromium) return; // the test below fails, naming the package
    emulators = await startDemoEmulators(tenant, 'graph', 'salesforce');
    ws = createWorkspace(emulators, tenant, 'mailbridge-page-');
    const open = await openTenant(ws.config, ws.config.tenants[0]!, { clock: { now: () => tenant.now }, ...DEMO_TUNING });
    try {
      await runSyncRound(open);
      // The second round: Graph refuses one mailbox from now on.
      const id = open.admin.mailboxStatuses().find((m) => m.address === FAILING)!.mailboxId!;
      emulators.mailFault({ fault: { type: 'status', status: 403, body: { error: { code: 'ErrorAccessDenied', message: 'Access is denied.' } } }, pathIncludes: encodeURIComponent(id), times: 1_000 });
      const second = await runSyncRound(open);
      expect(second.mailboxes.filter((m) => !m.ok).map((m) => m.address)).toEqual([FAILING]);
      open.admin.audit('admin@harborlabs.io', 'blocklist.add', '<script>document.title="pwned"</script>', null);
    } finally {
      await open.close();
    }

    child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), 'run', '--config', ws.configFile, '--no-initial', '--http', '127.0.0.1:0'], {
      cwd: root,
      env: { ...process.env, MAILBRIDGE_HTTP_TOKEN: TOKEN },
    });
    url = await new Promise<string>((resolve, reject) => {
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        const m = /"url":"(http:\/\/127\.0\.0\.1:\d+)"[^\n]*status page listening/.exec(stderr);
        if (m) resolve(m[1]!);
      });
      child.on('exit', (code) => reject(new Error(`run exited with ${code}: ${stderr}`)));
    });

    profile = mkdtempSync(join(tmpdir(), 'mailbridge-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });

  afterAll(async () => {
    await context?.close();
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.on('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await emulators?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    if (ws) rmSync(ws.dir, { recursive: true, force: true });
  });

  it('asks for the token, then shows the demo tenant with the failing mailbox first', async () => {
    expect(hasChromium, `${CHROMIUM} is missing: install the Debian package "chromium" (.ci/run does)`).toBe(true);
    const page = await context.newPage();
    const cspViolations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
    });

    const denied = await page.goto(`${url}/`);
    expect(denied!.status()).toBe(401);
    expect(await page.textContent('body')).toContain('token required');

    const shown = await page.goto(`${url}/?token=${TOKEN}`);
    expect(shown!.status()).toBe(200);
    expect(page.url()).toBe(`${url}/`);
    expect(await page.title()).toBe('mailbridge status');
    await expect(page.locator('h2').first().textContent()).resolves.toContain('Tenant harbor-labs');

    const rows = page.locator('table.mailboxes tbody tr');
    expect(await rows.count()).toBe(tenant.mailboxAddresses.length);
    const first = rows.first();
    expect(await first.locator('td').first().textContent()).toBe(FAILING);
    expect(await first.getAttribute('class')).toBe('failing');
    expect(await first.locator('td').last().textContent()).not.toBe('');
    // The inline stylesheet applies (the CSP allows it by hash): the failing row is tinted.
    expect(await first.locator('td').first().evaluate((td) => (globalThis as unknown as BrowserWindow).getComputedStyle(td).backgroundColor)).toBe('rgb(253, 236, 234)');

    // The audit entry with a <script> is text: it did not run, and it reads as written.
    expect(await page.title()).toBe('mailbridge status');
    await expect(page.getByText('<script>document.title="pwned"</script>').count()).resolves.toBe(1);
    expect(await page.locator('script').count()).toBe(0);
    expect(cspViolations).toEqual([]);

    const cookie = (await context.cookies(url)).find((c) => c.name === 'mailbridge_session')!;
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.sameSite).toBe('Strict');
    expect(cookie.value).not.toContain(TOKEN);

    // Signed out again (no cookie), the page is refused.
    await context.clearCookies();
    expect((await page.goto(`${url}/`))!.status()).toBe(401);
  });
});
