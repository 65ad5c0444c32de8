/**
 * Runs a commander program and turns errors into exit codes: 2 for bad input the user can fix
 * (it names the file and field), 1 for anything else.
 */
import { Command, CommanderError } from 'commander';
import { AdminError } from '../app/admin/admin-parts.js';
import { InputFileError } from '../app/classify-files.js';
import { ConfigError } from '../config/load-config.js';
import { SnapshotError } from '../core/snapshot.js';
import { StoreKeyError } from '../store/store-errors.js';

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
  if (err instanceof SnapshotError || err instanceof InputFileError || err instanceof UsageError || err instanceof ConfigError || err instanceof StoreKeyError || err instanceof AdminError) return true;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'EACCES' || code === 'ENOTDIR' || err instanceof RangeError;
}

/** An error as `--json` prints it: its kind, message and, when known, the setting at fault. */
function errorJson(err: unknown, message: string): { name: string; message: string; field?: string } {
  const name = err instanceof Error ? err.name : 'Error';
  const field = (err as { field?: unknown } | null)?.field;
  return { name, message, ...(typeof field === 'string' ? { field } : {}) };
}

export async function runCli(program: Command, argv: string[]): Promise<void> {
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode === 0 ? 0 : EXIT_BAD_INPUT;
      return;
    }
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`mailbridge: ${message}\n`);
    // Under --json a script reads stdout only: the failure is its last line there too.
    if (argv.includes('--json')) process.stdout.write(`${JSON.stringify({ ok: false, error: errorJson(err, message) })}\n`);
    process.exitCode = isBadInput(err) ? EXIT_BAD_INPUT : 1;
  }
}
