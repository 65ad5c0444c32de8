// Packaging checks for hubspot-app/ from the root suite: the project files HubSpot reads on
// upload are present and consistent. The zod validation of every field runs in hubspot-app's
// own suite (npm test --prefix hubspot-app).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { HUBSPOT_PERMISSIONS, names } from '../../src/core/permissions.js';

const app = fileURLToPath(new URL('../../hubspot-app/', import.meta.url));
const readJson = (path: string): Record<string, unknown> => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;

describe('hubspot-app project', () => {
  const project = readJson(join(app, 'hsproject.json')) as { srcDir: string; platformVersion: string };
  const appDir = join(app, project.srcDir, 'app');
  const metaFiles = [
    ...readdirSync(appDir).filter((f) => f.endsWith('-hsmeta.json')).map((f) => join(appDir, f)),
    ...readdirSync(join(appDir, 'cards')).filter((f) => f.endsWith('-hsmeta.json')).map((f) => join(appDir, 'cards', f)),
  ];

  it('is a 2025.2 project with one app and one card, uids unique', () => {
    expect(project.platformVersion).toBe('2025.2');
    const metas = metaFiles.map((file) => readJson(file) as { uid: string; type: string });
    expect(metas.map((m) => m.type).sort()).toEqual(['app', 'card']);
    expect(new Set(metas.map((m) => m.uid)).size).toBe(metas.length);
  });

  it('points every card at an entry file that exists', () => {
    for (const file of metaFiles) {
      const meta = readJson(file) as { type: string; config: { entrypoint?: string } };
      if (meta.type !== 'card') continue;
      expect(existsSync(join(app, project.srcDir, meta.config.entrypoint ?? '')), file).toBe(true);
    }
  });

  it('is a private app with a static token and exactly the scopes of the permissions registry', () => {
    const appMeta = metaFiles.map((f) => readJson(f)).find((m) => m.type === 'app') as {
      config: { distribution: string; auth: { type: string; requiredScopes: string[] } };
    };
    expect(appMeta.config.distribution).toBe('private');
    expect(appMeta.config.auth.type).toBe('static');
    // The adapter reads owners (deal owners, the backfill window): crm.objects.owners.read.
    expect([...appMeta.config.auth.requiredScopes].sort()).toEqual(names(HUBSPOT_PERMISSIONS.scopes).sort());
  });

  it('commits its lockfile', () => {
    expect(existsSync(join(app, 'package-lock.json'))).toBe(true);
  });
});
