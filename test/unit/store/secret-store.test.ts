import { existsSync, readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/store/database.js';
import { SqliteSecretStore } from '../../../src/store/secret-store.js';
import { tempDir } from './store-test-files.js';

const files = tempDir();
afterAll(() => files.remove());

// DESIGN §3: refresh tokens of user-by-user connections live in the encrypted database.
describe('secret store (provider tokens)', () => {
  it('keeps tokens across re-opens, encrypted on disk, and deletes them', async () => {
    const path = files.path('secrets.db');
    const token = 'refresh-token-7f3a9c-VERY-SECRET';
    const db = openDatabase({ path, key: 'k1' });
    const store = new SqliteSecretStore(db);
    await store.set('graph:msal-cache:ann@ours.example', token);
    await store.set('graph:msal-cache:ann@ours.example', `${token}-2`);
    expect(await store.get('graph:msal-cache:ann@ours.example')).toBe(`${token}-2`);
    for (const file of [path, `${path}-wal`]) {
      if (existsSync(file)) expect(readFileSync(file).includes(Buffer.from(token))).toBe(false);
    }
    db.close();

    const again = openDatabase({ path, key: 'k1' });
    const reopened = new SqliteSecretStore(again);
    expect(await reopened.get('graph:msal-cache:ann@ours.example')).toBe(`${token}-2`);
    await reopened.delete('graph:msal-cache:ann@ours.example');
    expect(await reopened.get('graph:msal-cache:ann@ours.example')).toBeNull();
    expect(await reopened.get('never-set')).toBeNull();
    again.close();
  });
});
