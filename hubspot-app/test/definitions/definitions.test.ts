import { cpSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ALLOWED_SCOPES, appSchema, uidSchema } from '../../tools/definition-schemas';
import { validateProject } from '../../tools/validate-project';

const projectDir = fileURLToPath(new URL('../..', import.meta.url));
const copies: string[] = [];

/** A copy of the project's definition files to break one thing in. */
function copyProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mailbridge-hs-'));
  copies.push(dir);
  cpSync(join(projectDir, 'hsproject.json'), join(dir, 'hsproject.json'));
  cpSync(join(projectDir, 'src'), join(dir, 'src'), { recursive: true, filter: (path) => !path.includes('node_modules') });
  return dir;
}

// The definition files are edited as loose JSON on purpose: the point is to write invalid ones.
type LooseJson = { uid: string; config: { auth: { requiredScopes: string[] }; permittedUrls: { fetch: string[] }; objectTypes: string[] } };

function edit(path: string, change: (json: LooseJson) => void): void {
  const json = JSON.parse(readFileSync(path, 'utf8')) as LooseJson;
  change(json);
  writeFileSync(path, JSON.stringify(json));
}

const appFile = (dir: string) => join(dir, 'src/app/app-hsmeta.json');
const cardFile = (dir: string) => join(dir, 'src/app/cards/mailbridge-timeline-card-hsmeta.json');

afterEach(() => {
  for (const dir of copies.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('HubSpot project definition files', () => {
  it('are valid as committed', () => {
    const report = validateProject(projectDir);
    expect(report.problems).toEqual([]);
    expect(report.files).toEqual(['src/app/app-hsmeta.json', 'src/app/cards/mailbridge-timeline-card-hsmeta.json']);
  });

  it('ask for exactly the scopes the sync job needs, as a private app with a static token', () => {
    const app = appSchema.parse(JSON.parse(readFileSync(appFile(projectDir), 'utf8')));
    expect(app.config.distribution).toBe('private');
    expect(app.config.auth.type).toBe('static');
    expect([...app.config.auth.requiredScopes].sort()).toEqual([...ALLOWED_SCOPES].sort());
  });

  it.each([
    ['a scope beyond the need', (dir: string) => edit(appFile(dir), (j) => j.config.auth.requiredScopes.push('crm.objects.companies.write')), 'requiredScopes'],
    ['an http URL', (dir: string) => edit(appFile(dir), (j) => j.config.permittedUrls.fetch.push('http://api.mailbridge.example')), 'https'],
    ['a bad uid', (dir: string) => edit(cardFile(dir), (j) => (j.uid = 'timeline card!')), 'uid may contain only'],
    ['a duplicate uid', (dir: string) => edit(cardFile(dir), (j) => (j.uid = 'mailbridge-app')), 'already used'],
    ['a missing entry file', (dir: string) => unlinkSync(join(dir, 'src/app/cards/mailbridge-timeline-card.tsx')), 'does not exist'],
    ['an unknown object type', (dir: string) => edit(cardFile(dir), (j) => j.config.objectTypes.push('leads')), 'objectTypes'],
    ['the cards package.json missing', (dir: string) => unlinkSync(join(dir, 'src/app/cards/package.json')), 'package.json missing'],
    ['broken JSON', (dir: string) => writeFileSync(appFile(dir), '{ "uid": '), 'not valid JSON'],
  ])('reject %s', (_name, breakIt, expected) => {
    const dir = copyProject();
    breakIt(dir);
    const problems = validateProject(dir).problems;
    expect(problems.join('\n')).toContain(expected);
  });

  it.each([
    ['mailbridge-app', true],
    ['a.b_c-D9', true],
    ['x'.repeat(65), false],
    ['', false],
    ['with space', false],
  ])('uid %j valid: %s', (uid, valid) => {
    expect(uidSchema.safeParse(uid).success).toBe(valid);
  });
});
