/**
 * `npm run bench`: runs every benchmark with --json and prints one JSON object keyed by
 * benchmark (each benchmark's last line). A benchmark that fails is reported with its error.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const BENCHMARKS = ['engine', 'store', 'providers', 'crm', 'sync'];
const here = (name: string) => fileURLToPath(new URL(`./${name}.ts`, import.meta.url));

const results: Record<string, unknown> = {};
for (const name of BENCHMARKS) {
  if (!existsSync(here(name))) continue;
  process.stderr.write(`running bench:${name}…\n`);
  const run = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', here(name), '--json'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const last = run.stdout.trim().split('\n').pop() ?? '';
  try {
    results[name] = JSON.parse(last);
  } catch {
    results[name] = { error: `exit ${run.status}: ${(run.stderr || last).trim().split('\n').pop()}` };
  }
}
process.stdout.write(`${JSON.stringify(results)}\n`);
