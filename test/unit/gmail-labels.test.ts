/**
 * Issue 11: Gmail exports carry the labels in `X-Gmail-Labels`; messages labelled Trash, Spam or
 * Drafts were classified like inbox mail. They are `draft-or-deleted`, as through the Gmail API.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classifyFiles } from '../../src/app/classify-files.js';
import { gmailLabelPlacement } from '../../src/core/parse-message.js';
import { parseSnapshot } from '../../src/core/snapshot.js';

const snapshot = parseSnapshot({
  companyDomains: ['example-seller.com'],
  accounts: [{ id: 'a-acme', name: 'Acme', domains: ['acme.com'] }],
  contacts: [{ id: 'c-jane', emails: ['jane@acme.com'], accountId: 'a-acme' }],
});

const message = (n: number, labels: string) =>
  `From 1790000000000000${n}@xxx Tue Apr 14 09:00:00 +0000 2026\nX-GM-THRID: 17900000000000${n}\nX-Gmail-Labels: ${labels}\n` +
  `Message-ID: <m${n}@acme.com>\nFrom: Jane <jane@acme.com>\nTo: alex@example-seller.com\nDate: Tue, 14 Apr 2026 09:00:00 +0000\nSubject: Note ${n}\n\nHello\n\n`;

describe('X-Gmail-Labels', () => {
  it.each([
    ['Trash,Opened', { folder: 'deleted' }],
    ['Spam', { folder: 'junk' }],
    ['Opened,Drafts', { isDraft: true }],
    ['Inbox,"Clients, Trash EU",Opened', {}],
    [' "Clients, EU", Trash', { folder: 'deleted' }],
  ])('%j → %j', (labels, expected) => {
    expect(gmailLabelPlacement(labels)).toEqual(expected);
  });

  it('classify on a Gmail mbox: Trash, Spam and Drafts are draft-or-deleted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mailbridge-gmail-mbox-'));
    const mbox = join(dir, 'All mail Including Spam and Trash.mbox');
    writeFileSync(mbox, [message(1, 'Trash,Opened'), message(2, 'Spam,Unread'), message(3, 'Opened,Drafts'), message(4, 'Inbox,Important,Opened,Category Personal')].join(''));
    const lines = [];
    for await (const l of classifyFiles({ snapshot, mailPath: mbox, now: new Date('2026-04-20') })) lines.push(l);
    expect(lines.map((l) => [l.messageId, l.decision, l.reason])).toEqual([
      ['m1@acme.com', 'skip', 'draft-or-deleted'],
      ['m2@acme.com', 'skip', 'draft-or-deleted'],
      ['m3@acme.com', 'skip', 'draft-or-deleted'],
      ['m4@acme.com', 'import', 'matched'],
    ]);
  });
});
