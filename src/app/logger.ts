/**
 * The job's structured log (pino, JSON lines). It goes to stderr, or to the configured file, so
 * stdout stays the command's output. Log lines carry counts, mailbox addresses of the company's
 * own users and error codes; never message data, and any field named like a secret is redacted
 * as a second line of defence.
 */
import { chmodSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { pino, type Logger as PinoLogger } from 'pino';

export type JobLogger = PinoLogger;

const SECRET_PATHS = [
  'key', '*.key', 'token', '*.token', 'accessToken', '*.accessToken', 'refreshToken', '*.refreshToken',
  'clientSecret', '*.clientSecret', 'password', '*.password', 'authorization', '*.authorization', 'headers.authorization',
];

export interface LoggerOptions {
  level?: string;
  /** A file to append to (absolute: the configuration resolves it against its folder); stderr when absent. */
  file?: string;
}

/** The log names mailboxes and errors of the company: this user only (file 0600, a new folder 0700). */
function privateLogFile(file: string) {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const destination = pino.destination({ dest: file, sync: true, mode: 0o600 });
  // `mode` applies to a new file only; a log left by an older version is narrowed as well.
  chmodSync(file, 0o600);
  return destination;
}

export function createLogger(opts: LoggerOptions = {}): JobLogger {
  const destination = opts.file ? privateLogFile(opts.file) : pino.destination({ fd: 2, sync: true });
  return pino(
    {
      level: opts.level ?? 'info',
      base: { app: 'mailbridge' },
      redact: { paths: SECRET_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

/** A logger that writes nothing (commands run with --quiet, tests). */
export function silentLogger(): JobLogger {
  return pino({ level: 'silent' });
}
