/**
 * Seeds emulator mailboxes from real mail on disk (`.eml` folders, maildirs, mbox files), through
 * the same reader and parser the `classify` command uses.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseRawMessage, UnparseableMessageError } from '../../core/parse-message.js';
import { readMailSource } from '../../mail-files/read-mail-source.js';
import type { MailboxDescription, RawHeader, SeedMessage } from './mail-store.js';

function titleCase(name: string): string {
  if (name === 'message-id') return 'Message-ID';
  return name.replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase());
}

/** Reads one mailbox from a mail source; unparseable files are skipped. */
export async function loadMailbox(path: string, address: string, opts: { limit?: number } = {}): Promise<MailboxDescription> {
  const messages: SeedMessage[] = [];
  for await (const file of readMailSource(path)) {
    if (opts.limit !== undefined && messages.length >= opts.limit) break;
    try {
      const { meta, body } = await parseRawMessage(file.raw, file.file, { folder: file.folder, isDraft: file.isDraft });
      const headers: RawHeader[] = [];
      for (const [name, values] of Object.entries(meta.headers)) {
        for (const value of values) headers.push({ name: titleCase(name), value });
      }
      messages.push({
        folder: meta.folder,
        isDraft: meta.isDraft,
        receivedAt: meta.sentAt ?? new Date(0).toISOString(),
        headers,
        text: body.text,
        html: body.html,
      });
    } catch (error) {
      if (!(error instanceof UnparseableMessageError)) throw error;
    }
  }
  return { address, messages };
}

/**
 * A folder holding one sub-folder per mailbox (e.g. `enron-dev/<user>/inbox/…`): each becomes the
 * mailbox `<sub-folder>@<domain>`.
 */
export async function loadMailboxes(root: string, domain: string, opts: { limit?: number; perMailbox?: number } = {}): Promise<MailboxDescription[]> {
  const entries = (await readdir(root, { withFileTypes: true }))
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort();
  const names = opts.limit === undefined ? entries : entries.slice(0, opts.limit);
  const boxes: MailboxDescription[] = [];
  for (const name of names) {
    boxes.push(await loadMailbox(join(root, name), `${name.replace(/[^a-z0-9._-]/gi, '')}@${domain}`, { limit: opts.perMailbox }));
  }
  return boxes;
}
