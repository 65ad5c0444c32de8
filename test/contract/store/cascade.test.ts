/**
 * The association cascade on a resolved page (IndexResolver.resolveKeys): every sample email
 * gets the same decision from the page's resolved index as from the embedded in-memory engine,
 * on both stores. One call per page, then a synchronous cascade.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { classifyMessage } from '../../../src/core/classify.js';
import { parseRawMessage, type ParsedMessage } from '../../../src/core/parse-message.js';
import { pageKeys } from '../../../src/core/participants.js';
import { engineFor } from '../../helpers/engine.js';
import { root } from '../../helpers/cli-tenant.js';
import { describeStores } from './store-under-test.js';

const crm = JSON.parse(readFileSync(join(root, 'examples/sample-crm.json'), 'utf8')) as unknown;
const MAILBOX = 'alex@example-seller.com';
const NOW = new Date('2026-11-02T12:00:00Z');

async function samplePage(): Promise<ParsedMessage[]> {
  const dir = join(root, 'examples/sample-mailbox');
  const out: ParsedMessage[] = [];
  for (const file of readdirSync(dir).sort()) {
    try {
      out.push(await parseRawMessage(readFileSync(join(dir, file)), file));
    } catch {
      // The sample holds one file that is not an email on purpose.
    }
  }
  return out;
}

describeStores('cascade on a resolved page', (sut) => {
  it('decides every sample email as the embedded engine does', async () => {
    const engine = engineFor(crm);
    const snap = engine.snapshot;
    await sut.store().index.applyChanges({ users: snap.users, accounts: snap.accounts, contacts: snap.contacts, leads: snap.leads, deals: snap.deals, cursor: 'c' });
    const page = await samplePage();
    expect(page.length).toBeGreaterThan(8);
    const resolved = await sut.store().index.resolveKeys(pageKeys(page.map((m) => m.meta), engine.rules.companyDomains, MAILBOX));
    const opts = { mailboxOwner: MAILBOX, now: NOW };
    const imports = page.filter((m) => classifyMessage(m.meta, m.body, engine, opts).decision === 'import');
    expect(imports.length).toBeGreaterThan(2);
    for (const m of page) {
      expect(classifyMessage(m.meta, m.body, { rules: engine.rules, index: resolved }, opts), m.meta.id).toEqual(classifyMessage(m.meta, m.body, engine, opts));
    }
  });
});
