/** Temporary database files for store tests, removed after the suite. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function tempDir(): { path(name: string): string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'mailbridge-store-test-'));
  return {
    path: (name) => join(dir, name),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
