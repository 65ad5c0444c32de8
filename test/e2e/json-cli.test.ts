/**
 * `--json` everywhere (issue 11): errors come as `{"error": {"code", "message", "field"?}}` on
 * stdout for every command, `run --json` prints a JSON line per round, and a reader closing
 * stdout early (`status | head -1`) ends the command quietly instead of an EPIPE crash.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lastJsonLine, mailbridge, recentMail, root, startCliTenant, type CliTenant } from '../helpers/cli-tenant.js';

const ALEX = 'alex@example-seller.com';

describe('--json and stdout', () => {
  let t: CliTenant;
  // A test that fails early must not leave a child running.
  const children = new Set<ChildProcess>();
  beforeEach(async () => {
    t = await startCliTenant(
      [{ address: ALEX, messages: [recentMail('inbox', 30, { From: 'Jane Doe <jane.doe@acme.com>', To: ALEX, Subject: 'Renewal', 'Message-ID': '<renewal-json@acme.com>' })] }],
      { schedule: { cron: '* * * * * *' } },
    );
  });
  afterEach(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    children.clear();
    await t.close();
  });
  const env = () => ({ MAILBRIDGE_DB_KEY: t.key });

  it('errors come as JSON on stdout, naming the field when there is one', async () => {
    const config = JSON.parse(readFileSync(t.configFile, 'utf8')) as { tenants: { crm: Record<string, unknown> }[] };
    delete config.tenants[0]!.crm.clientId;
    const bad = join(t.dir, 'bad.config.json');
    writeFileSync(bad, JSON.stringify(config));
    const invalid = await mailbridge(['status', '--config', bad, '--json'], env());
    expect(invalid.code).toBe(2);
    expect(lastJsonLine(invalid.stdout)).toEqual({ error: { code: 'config', message: expect.stringMatching(/crm\.clientId/), field: 'tenants[0].crm.clientId' } });

    const usage = await mailbridge(['sync', '--once', '--json', '--no-such-flag', '--config', t.configFile], env());
    expect(usage.code).toBe(2);
    expect(lastJsonLine(usage.stdout)).toMatchObject({ error: { code: 'usage', message: expect.stringMatching(/no-such-flag/) } });

    const wrongKey = await mailbridge(['sync', '--once', '--quiet', '--json', '--config', t.configFile], { MAILBRIDGE_DB_KEY: t.key });
    expect(wrongKey.code).toBe(0);
    const refused = await mailbridge(['status', '--json', '--config', t.configFile], { MAILBRIDGE_DB_KEY: 'another-key-0123456789abcdef' });
    expect(refused.code).toBe(2);
    expect(lastJsonLine(refused.stdout)).toMatchObject({ error: { code: 'wrong-key' } });

    const round = await mailbridge(['sync', '--once', '--quiet', '--json', '--config', t.configFile], env());
    expect(round.code).toBe(0);
    config.tenants[0]!.crm.clientId = t.sf.credentials.clientId;
    (config.tenants[0] as unknown as { mail: Record<string, unknown> }).mail.clientSecret = 'wrong';
    writeFileSync(bad, JSON.stringify(config));
    const failed = await mailbridge(['sync', '--once', '--quiet', '--json', '--config', bad], env());
    expect(failed.code).toBe(1);
    expect(lastJsonLine(failed.stdout)).toMatchObject({ error: { code: 'auth', field: 'tenants[acme].mail.clientSecret' } });
  });

  it('run --json prints one JSON line per round', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), 'run', '--json', '--config', t.configFile], { cwd: root, env: { ...process.env, ...env() } });
    children.add(child);
    let stdout = '';
    const firstLine = new Promise<string>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (stdout.includes('\n')) resolve(stdout.split('\n')[0]!);
      });
    });
    try {
      const line = JSON.parse(await firstLine) as { round: { tenant: string; totals: { imported: number } } };
      expect(line.round).toMatchObject({ tenant: 'acme', totals: { imported: 1 } });
    } finally {
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  });

  it('a reader that closes stdout early does not make the command crash with EPIPE', async () => {
    // Thousands of configured mailboxes: far more output than a pipe buffers.
    const config = JSON.parse(readFileSync(t.configFile, 'utf8')) as { tenants: { mail: Record<string, unknown> }[] };
    config.tenants[0]!.mail.users = Array.from({ length: 4000 }, (_, i) => `user${i}@example-seller.com`);
    writeFileSync(t.configFile, JSON.stringify(config));
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), 'status', '--config', t.configFile], { cwd: root, env: { ...process.env, ...env() } });
    children.add(child);
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // Like `head -1`: read the first chunk, then close the pipe.
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.stdout.destroy();
    expect(await exited).toBe(0);
    expect(stderr).not.toMatch(/EPIPE/);
  });
});
