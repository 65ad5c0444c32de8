/**
 * Versioned schema migrations, tracked in `PRAGMA user_version`. Each migration runs in its own
 * transaction together with the version bump, so a crash leaves the schema at a whole version,
 * and re-opening an up-to-date database runs nothing. Append new migrations; never edit one
 * that has shipped.
 */
import type Database from 'better-sqlite3-multiple-ciphers';
import { createAdminSchema, createForgottenSchema, createSyncRoundsSchema } from './admin-schema.js';
import { createDomainIndexSchema } from './domain-index-schema.js';
import { createMeetingSchema } from './meeting-schema.js';
import { StoreError } from './store-errors.js';
import { createClaimSchema, createReassociationSchema, createSyncSchema } from './sync-schema.js';

export interface Migration {
  /** 1, 2, 3, … in order, without gaps. */
  version: number;
  name: string;
  up(db: Database.Database): void;
}

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'domain index', up: createDomainIndexSchema },
  { version: 2, name: 'sync state: cursors, ledger, message text, reason counts', up: createSyncSchema },
  { version: 3, name: 'administration: blocklist, suppressions, privacy jobs, audit, mailbox status, leases', up: createAdminSchema },
  { version: 4, name: 'forgotten messages (hashed keys)', up: createForgottenSchema },
  {
    version: 5,
    // The index used to drop the domain keys of a 96,000-domain "free mail" list (universities,
    // shops); free mail is now decided when matching. Forgetting the CRM cursor makes the next
    // round pull every record again, which rewrites the domain keys.
    name: 'domain keys for every domain: reload the CRM',
    up: (db) => {
      db.exec('DELETE FROM crm_cursors');
    },
  },
  { version: 6, name: 'sync round outcomes', up: createSyncRoundsSchema },
  { version: 7, name: 'ledger claims for many workers', up: createClaimSchema },
  { version: 8, name: 're-association work list', up: createReassociationSchema },
  { version: 9, name: 'meetings: ledger, holders, attendees, calendar cursors', up: createMeetingSchema },
];

/** The schema version the database is at (0 for a new file). */
export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Applies the migrations above the database's version, in order; returns the versions applied.
 * A database written by a newer build (version above the last known) is refused rather than
 * guessed at.
 */
export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS, file = db.name): number[] {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration "${m.name}" has version ${m.version}, expected ${i + 1}`);
  });
  const current = schemaVersion(db);
  if (current > migrations.length) {
    throw new StoreError(
      `${file} is at schema version ${current}, newer than this mailbridge (${migrations.length}): upgrade mailbridge`,
      file,
    );
  }
  const applied: number[] = [];
  for (const m of migrations.slice(current)) {
    db.transaction(() => {
      m.up(db);
      // user_version takes no bound parameter; the value is our own integer.
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
    applied.push(m.version);
  }
  return applied;
}
