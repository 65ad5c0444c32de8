/**
 * Errors of the store. They name the database file, never the key: a message may be logged.
 */

/**
 * The key given does not decrypt the database: none of its pages authenticates under it (so the
 * file is not merely damaged), or the file is not a mailbridge database.
 */
export class StoreKeyError extends Error {
  constructor(readonly file: string) {
    super(
      `the database key does not open ${file}: it is not the key the file was written with ` +
        '(set MAILBRIDGE_DB_KEY or keyFile to that key), or the file is not a mailbridge database',
    );
    this.name = 'StoreKeyError';
  }
}

/** The database is in a state this build cannot use (newer schema, missing key, …). */
export class StoreError extends Error {
  constructor(
    message: string,
    readonly file: string,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

/**
 * Why an existing file could not be opened, when the key is not the problem:
 * - `busy`: another process holds it locked past the busy timeout (a key rotation, a migration);
 * - `corrupt`: the key authenticates the file's other pages but not its first one;
 * - `empty-file`: a zero-length file, which SQLite would silently take as a new database.
 */
export type StoreOpenProblem = 'busy' | 'corrupt' | 'empty-file';

export class StoreOpenError extends StoreError {
  constructor(
    readonly problem: StoreOpenProblem,
    message: string,
    file: string,
  ) {
    super(message, file);
    this.name = 'StoreOpenError';
  }
}

/** Network failures of a PostgreSQL connection (Node's socket errors). */
const NETWORK = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET']);
/** PostgreSQL's own refusals of a login (SQLSTATE): the URL is wrong, not the server down. */
const REFUSED: Record<string, string> = {
  '28P01': 'the password was refused',
  '28000': 'the login was refused',
  '3D000': 'the database does not exist',
};

/** The shared store (`store.kind: "postgres"`) could not be reached or refused the login. */
export class StoreUnreachableError extends Error {
  override name = 'StoreUnreachableError';
  readonly field = 'store.url';
}

/** `err` as a StoreUnreachableError naming store.url and what to check, or null if it is another failure. */
export function unreachableStore(err: unknown): StoreUnreachableError | null {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !(NETWORK.has(code) || code in REFUSED)) return null;
  const why = REFUSED[code] ?? (err as Error).message;
  return new StoreUnreachableError(
    `store.url: PostgreSQL could not be reached (${why}): check store.url (host, port, database, user, password) and that the server accepts connections from here`,
  );
}
