/**
 * Reads mail from disk for `classify` and for seeding the emulators: a folder of `.eml` files
 * (walked recursively), a maildir (`cur/` + `new/`), or an mbox file. Messages are streamed one
 * at a time so a large mbox never sits in memory whole.
 */
import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import type { Folder } from '../core/types.js';

export interface RawMailFile {
  /** Where the message came from: a path relative to the source, `#n` for the nth mbox message. */
  file: string;
  raw: Buffer;
  folder: Folder;
  isDraft: boolean;
}

const MAILDIR_PARTS = ['cur', 'new'];

async function isMaildir(dir: string): Promise<boolean> {
  const names = new Set(await readdir(dir));
  return names.has('cur') && names.has('new');
}

/** Maildir flags after `:2,` — D draft, T trashed (RFC-less but universal convention). */
function maildirFlags(name: string): { isDraft: boolean; trashed: boolean } {
  const info = name.split(':2,')[1] ?? '';
  return { isDraft: info.includes('D'), trashed: info.includes('T') };
}

function folderFromName(dir: string): Folder {
  const name = dir.toLowerCase();
  if (/(^|[./\\])(sent|sent items|sent_items|sent-mail)$/.test(name)) return 'sent';
  if (/(^|[./\\])drafts?$/.test(name)) return 'drafts';
  if (/(^|[./\\])(trash|deleted items|deleted)$/.test(name)) return 'deleted';
  if (/(^|[./\\])(junk|spam)$/.test(name)) return 'junk';
  return 'inbox';
}

async function looksLikeMbox(path: string): Promise<boolean> {
  const handle = createReadStream(path, { start: 0, end: 4 });
  const chunks: Buffer[] = [];
  for await (const chunk of handle) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('latin1') === 'From ';
}

/** Splits an mbox on its `From ` separator lines; `>From ` quoting (mboxrd) is undone. */
async function* readMbox(path: string, label: string): AsyncGenerator<RawMailFile> {
  // latin1 keeps every byte as one char, so the message bytes round-trip exactly.
  const lines = createInterface({ input: createReadStream(path, { encoding: 'latin1' }), crlfDelay: Infinity });
  let current: string[] | null = null;
  let previousBlank = true;
  let n = 0;
  const emit = (msg: string[]): RawMailFile => ({
    file: `${label}#${++n}`,
    raw: Buffer.from(msg.join('\n'), 'latin1'),
    folder: 'inbox',
    isDraft: false,
  });
  for await (const line of lines) {
    if (line.startsWith('From ') && previousBlank) {
      if (current && current.length) yield emit(current);
      current = [];
    } else if (current) {
      current.push(/^>+From /.test(line) ? line.slice(1) : line);
    }
    previousBlank = line === '';
  }
  if (current && current.length) yield emit(current);
}

async function* walk(root: string, dir: string, folder: Folder): AsyncGenerator<RawMailFile> {
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) =>
    a.name.localeCompare(b.name, 'en', { numeric: true }),
  );
  if (await isMaildir(dir)) {
    for (const part of MAILDIR_PARTS) {
      const partDir = join(dir, part);
      for (const name of (await readdir(partDir)).sort()) {
        if (name.startsWith('.')) continue;
        const flags = maildirFlags(name);
        yield {
          file: relative(root, join(partDir, name)) || name,
          raw: await readFile(join(partDir, name)),
          folder: flags.trashed ? 'deleted' : folder,
          isDraft: flags.isDraft,
        };
      }
    }
    for (const e of entries) {
      // Maildir++ subfolders: `.Sent`, `.Drafts`, …
      if (e.isDirectory() && e.name.startsWith('.') && e.name.length > 1) {
        yield* walk(root, join(dir, e.name), folderFromName(e.name.slice(1)));
      }
    }
    return;
  }
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const path = join(dir, e.name);
    if (e.isDirectory()) {
      yield* walk(root, path, folderFromName(e.name) === 'inbox' ? folder : folderFromName(e.name));
    } else if (e.isFile()) {
      if (/\.(mbox|mbx)$/i.test(e.name) && (await looksLikeMbox(path))) {
        yield* readMbox(path, relative(root, path));
      } else {
        yield { file: relative(root, path), raw: await readFile(path), folder, isDraft: false };
      }
    }
  }
}

/** Every message under `path`, in a stable order. */
export async function* readMailSource(path: string): AsyncGenerator<RawMailFile> {
  const info = await stat(path);
  if (info.isDirectory()) {
    yield* walk(path, path, 'inbox');
  } else if (await looksLikeMbox(path)) {
    yield* readMbox(path, relative(join(path, '..'), path));
  } else {
    yield { file: relative(join(path, '..'), path), raw: await readFile(path), folder: 'inbox', isDraft: false };
  }
}
