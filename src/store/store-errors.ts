/**
 * Errors of the store. They name the database file, never the key: a message may be logged.
 */

/** The key given does not decrypt the database (or the file is not a mailbridge database). */
export class StoreKeyError extends Error {
  constructor(readonly file: string) {
    super(`the database key does not open ${file}`);
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
