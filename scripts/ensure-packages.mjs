#!/usr/bin/env node
// `npm test` also runs the Salesforce package's and the HubSpot app's own suites. They are
// separate npm projects; install each from its lockfile the first time, so `npm ci && npm test`
// works on a fresh clone.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import process from 'node:process';

for (const dir of ['salesforce-pkg', 'hubspot-app']) {
  if (existsSync(`${dir}/node_modules/.package-lock.json`)) continue;
  process.stderr.write(`installing ${dir} (first run only)…\n`);
  const run = spawnSync('npm', ['ci', '--prefix', dir, '--no-audit', '--no-fund'], { stdio: 'inherit' });
  if (run.status !== 0) process.exit(run.status ?? 1);
}
