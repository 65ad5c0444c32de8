/**
 * `mailbridge sync --once` as a child process, the way an operator's scheduler runs it, so the
 * chaos run can SIGKILL it anywhere. From sources it runs `node --import tsx src/cli/main.ts`;
 * from the built package, `dist/cli/main.js`.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface ChildOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Killed by us (SIGKILL), as opposed to exiting on its own. */
  killed: boolean;
  stdout: string;
  stderr: string;
}

export interface SyncChild {
  pid: number | undefined;
  kill(): void;
  done: Promise<ChildOutcome>;
}

/** How to start the CLI from here: the TypeScript sources through tsx, or the built JavaScript. */
export function cliCommand(): { args: string[]; cwd: string } {
  const ts = fileURLToPath(new URL('../cli/main.ts', import.meta.url));
  const root = fileURLToPath(new URL('../../', import.meta.url));
  if (import.meta.url.endsWith('.ts') && existsSync(ts)) return { args: ['--import', 'tsx', ts], cwd: root };
  return { args: [fileURLToPath(new URL('../cli/main.js', import.meta.url))], cwd: root };
}

/** Starts one sync round of the config's tenant; `timeoutMs` kills a child that hangs. */
export function startSyncChild(configFile: string, timeoutMs = 120_000): SyncChild {
  const { args, cwd } = cliCommand();
  const child = spawn(process.execPath, [...args, 'sync', '--once', '--config', configFile, '--json', '--quiet'], {
    cwd,
    env: process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let killed = false;
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const kill = () => {
    if (child.exitCode !== null || child.signalCode !== null || killed) return;
    killed = true;
    child.kill('SIGKILL');
  };
  const timer = setTimeout(() => {
    stderr += `\n(chaos: no exit after ${timeoutMs} ms, killed)`;
    child.kill('SIGKILL');
  }, timeoutMs);
  // 'close' comes after 'exit' and the streams' end, once the pid is reaped: a lease the
  // child held now names a dead process, and the next child takes it over.
  const done = new Promise<ChildOutcome>((resolve, reject) => {
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, killed, stdout, stderr });
    });
  });
  return { pid: child.pid, kill, done };
}

/** The JSON result a finished `sync --once --json` printed last, if any. */
export function lastJsonLine<T>(stdout: string): T | null {
  const line = stdout.trim().split('\n').pop();
  if (!line) return null;
  try {
    return JSON.parse(line) as T;
  } catch {
    return null;
  }
}
