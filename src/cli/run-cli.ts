/**
 * Runs a commander program and turns errors into exit codes: 2 for bad input the user can fix
 * (it names the file and field), 1 for anything else. Under `--json` the error also comes as
 * JSON on stdout, `{"error": {"code", "message", "field"?}}`, for every command. A closed
 * stdout (`mailbridge status | head -1`) ends the command quietly.
 */
import { ConnectError } from '../app/connect.js';
import { Command, CommanderError } from 'commander';
import { AdminError } from '../app/admin/admin-parts.js';
import { InputFileError } from '../app/classify-files.js';
import { ConfigError } from '../config/load-config.js';
import { SnapshotError } from '../core/snapshot.js';
import { StoreKeyError, StoreUnreachableError } from '../store/store-errors.js';
import { RoundFailedError, TenantBusyError } from '../app/run-sync.js';
import { isSyncError } from '../core/sync-error.js';
import { exitQuietlyOnClosedStdout } from './output.js';

export const EXIT_BAD_INPUT = 2;

export class UsageError extends Error {
  override name = 'UsageError';
  constructor(
    message: string,
    /** The setting at fault (`tenants[acme].crm.clientSecret`), when one is. */
    readonly field?: string,
  ) {
    super(message);
  }
}

/** A flag's value as a whole number of at least `min`, or a usage error naming the flag. */
export function wholeNumber(flag: string, value: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${flag}: expected a whole number ≥ ${min}, got "${value}"`);
  return n;
}

function isBadInput(err: unknown): boolean {
  if (err instanceof RoundFailedError) return err.code === 'config';
  if (err instanceof SnapshotError || err instanceof InputFileError || err instanceof UsageError || err instanceof ConfigError || err instanceof StoreKeyError || err instanceof AdminError) return true;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'EACCES' || code === 'ENOTDIR' || err instanceof RangeError;
}

/** An error as `--json` prints it: a stable code, the message, the configuration field at fault. */
export interface CliErrorJson {
  code: string;
  message: string;
  field?: string;
}

export function errorJson(err: unknown): CliErrorJson {
  const message = err instanceof Error ? err.message : String(err);
  const withField = (code: string, field: string | null | undefined): CliErrorJson => (field ? { code, message, field } : { code, message });
  // Any error that knows the setting at fault (UsageError, ConnectError, …) names it.
  const known = (err as { field?: unknown } | null)?.field;
  const field = typeof known === 'string' ? known : undefined;
  if (err instanceof CommanderError || err instanceof UsageError) return withField('usage', field);
  if (err instanceof ConfigError) return withField('config', err.field);
  if (err instanceof SnapshotError) return withField('bad-input', err.field);
  if (err instanceof InputFileError || err instanceof AdminError) return { code: 'bad-input', message };
  if (err instanceof StoreKeyError) return { code: 'wrong-key', message };
  if (err instanceof RoundFailedError) return withField(err.code, err.field);
  if (err instanceof TenantBusyError) return { code: 'busy', message };
  if (err instanceof StoreUnreachableError) return withField('store-unreachable', err.field);
  if (isSyncError(err)) return withField(err.code, field ?? err.setting);
  if (err instanceof ConnectError) return withField(err.code, err.field);
  const errno = (err as NodeJS.ErrnoException | undefined)?.code;
  if (errno === 'ENOENT' || errno === 'ENOTDIR') return { code: 'not-found', message };
  if (errno === 'EACCES') return { code: 'permission', message };
  if (err instanceof RangeError) return { code: 'bad-input', message };
  return withField('error', field);
}

/** Whether the command line asks for JSON (options only: nothing after `--`). */
function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).includes('--json');
}

export async function runCli(program: Command, argv: string[]): Promise<void> {
  exitQuietlyOnClosedStdout();
  const json = wantsJson(argv.slice(2));
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode === 0 ? 0 : EXIT_BAD_INPUT;
      // Commander already explained it on stderr; scripts get it on stdout too.
      if (json && err.exitCode !== 0) process.stdout.write(`${JSON.stringify({ error: errorJson(err) })}\n`);
      return;
    }
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`mailbridge: ${message}\n`);
    if (json) process.stdout.write(`${JSON.stringify({ error: errorJson(err) })}\n`);
    process.exitCode = isBadInput(err) ? EXIT_BAD_INPUT : 1;
  }
}
