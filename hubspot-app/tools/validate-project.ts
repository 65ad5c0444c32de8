// Loads a HubSpot project folder and validates it offline: each definition file against its
// schema, uids unique across the project, entry files present, cards' package.json present.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import { appSchema, cardSchema, projectSchema } from './definition-schemas';

export interface ValidationReport {
  files: string[];
  problems: string[];
}

function readJson(path: string, problems: string[]): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    problems.push(`${path}: not valid JSON (${(error as Error).message})`);
    return undefined;
  }
}

function check<T>(schema: z.ZodType<T>, value: unknown, where: string, problems: string[]): T | undefined {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  for (const issue of result.error.issues) {
    problems.push(`${where}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return undefined;
}

const hsmetaIn = (dir: string): string[] =>
  existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith('-hsmeta.json')) : [];

/** Validates the project rooted at `projectDir` (the folder holding hsproject.json). */
export function validateProject(projectDir: string): ValidationReport {
  const problems: string[] = [];
  const files: string[] = [];
  const project = check(projectSchema, readJson(join(projectDir, 'hsproject.json'), problems), 'hsproject.json', problems);
  if (!project) return { files, problems };
  const appDir = join(projectDir, project.srcDir, 'app');
  const uids = new Map<string, string>();
  const claim = (uid: string, where: string) => {
    const owner = uids.get(uid);
    if (owner) problems.push(`${where}: uid "${uid}" is already used by ${owner}`);
    else uids.set(uid, where);
  };

  const appFiles = hsmetaIn(appDir);
  if (appFiles.length !== 1) problems.push(`${project.srcDir}/app: expected one app *-hsmeta.json, found ${appFiles.length}`);
  for (const name of appFiles) {
    const where = `${project.srcDir}/app/${name}`;
    files.push(where);
    const app = check(appSchema, readJson(join(appDir, name), problems), where, problems);
    if (app) claim(app.uid, where);
  }

  const cardsDir = join(appDir, 'cards');
  const cardFiles = hsmetaIn(cardsDir);
  if (cardFiles.length > 0 && !existsSync(join(cardsDir, 'package.json'))) {
    problems.push(`${project.srcDir}/app/cards: package.json missing`);
  }
  for (const name of cardFiles) {
    const where = `${project.srcDir}/app/cards/${name}`;
    files.push(where);
    const card = check(cardSchema, readJson(join(cardsDir, name), problems), where, problems);
    if (!card) continue;
    claim(card.uid, where);
    const entry = join(projectDir, project.srcDir, card.config.entrypoint);
    if (!existsSync(entry)) problems.push(`${where}: entrypoint ${card.config.entrypoint} does not exist`);
  }
  return { files, problems };
}
