/**
 * The job's structured log (pino, JSON lines). It goes to stderr, or to the configured file, so
 * stdout stays the command's output. Log lines carry counts, mailbox addresses of the company's
 * own users and error codes; never message data, and any field named like a secret is redacted
 * as a second line of defence.
 */
import { pino, type Logger as PinoLogger } from 'pino';

export type JobLogger = PinoLogger;

const SECRET_PATHS = [
  'key', '*.key', 'token', '*.token', 'accessToken', '*.accessToken', 'refreshToken', '*.refreshToken',
  'clientSecret', '*.clientSecret', 'password', '*.password', 'authorization', '*.authorization', 'headers.authorization',
];

export interface LoggerOptions {
  level?: string;
  /** A file to append to; stderr when absent. */
  file?: string;
}

export function createLogger(opts: LoggerOptions = {}): JobLogger {
  const destination = opts.file ? pino.destination({ dest: opts.file, mkdir: true, sync: true }) : pino.destination({ fd: 2, sync: true });
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
