import { describe, expect, it } from 'vitest';
import { toActivity } from '../../src/core/activity.js';
import { classifyMessage } from '../../src/core/classify.js';
import { normalizeDomainList } from '../../src/core/address.js';
import { MAX_PARTICIPANTS, participantsOf } from '../../src/core/participants.js';
import { openDatabase } from '../../src/store/database.js';
import { migrate } from '../../src/store/migrations.js';
import { SqliteSyncStore } from '../../src/store/sync-store.js';
import { engineFor, msg } from '../helpers/engine.js';

const company = normalizeDomainList(['example-seller.com']);
const many = (n: number, domain = 'list.example') => Array.from({ length: n }, (_, i) => `r${i}@${domain}`).join(', ');

// Issue 11: one message with 80,000 recipients took 17 s (a linear scan per address) and wrote
// 80,001 participant rows. Duplicates go through a Set, and at most MAX_PARTICIPANTS are kept.
describe('participants of a message', () => {
  it('are distinct by normalised address, first role wins, in role order', () => {
    const p = participantsOf(
      msg({ from: 'Jane <Jane+x@Acme.com>', to: 'bob@globex.com, jane@acme.com, BOB@globex.com', cc: 'bob+cc@globex.com, kim@example-seller.com' }),
      company,
    );
    expect(p.map((x) => [x.address, x.role, x.internal])).toEqual([
      ['jane@acme.com', 'from', false],
      ['bob@globex.com', 'to', false],
      ['kim@example-seller.com', 'cc', true],
    ]);
  });

  it(`keep at most ${MAX_PARTICIPANTS} of 80,000 recipients, From first`, () => {
    const p = participantsOf(msg({ from: 'jane@acme.com', to: many(80_000), cc: 'late@acme.com' }), company);
    expect(p).toHaveLength(MAX_PARTICIPANTS);
    expect(p[0]).toMatchObject({ address: 'jane@acme.com', role: 'from' });
    expect(p.at(-1)!.address).toBe(`r${MAX_PARTICIPANTS - 2}@list.example`);
    expect(new Set(p.map((x) => x.address)).size).toBe(MAX_PARTICIPANTS);
  });

  it('duplicates do not use up the cap', () => {
    const dupes = Array.from({ length: 5000 }, () => 'same@list.example').join(', ');
    const p = participantsOf(msg({ from: 'jane@acme.com', to: dupes, cc: 'other@list.example' }), company);
    expect(p.map((x) => x.address)).toEqual(['jane@acme.com', 'same@list.example', 'other@list.example']);
  });

  it('an imported message with 80,000 recipients stores at most the cap of participant rows', () => {
    const ctx = engineFor({
      companyDomains: ['example-seller.com'],
      users: [{ id: 'U1', email: 'alex@example-seller.com' }],
      contacts: [{ id: 'C1', emails: ['jane@acme.com'], accountId: null }],
    });
    // Outbound to a contact and a huge list: imported (the bulk rule is for inbound mail only).
    const meta = msg({ from: 'alex@example-seller.com', to: `jane@acme.com, ${many(60_000)}`, cc: many(20_000, 'cc.example'), messageId: '<big@x>' });
    meta.bcc = meta.to.slice(0, 10);
    const decision = classifyMessage(meta, null, ctx, { mailboxOwner: 'alex@example-seller.com', now: new Date('2026-04-14') });
    expect(decision.decision).toBe('import');
    const activity = toActivity(meta, decision, null, new Date('2026-04-14'));
    expect(1 + activity.to.length + activity.cc.length).toBe(MAX_PARTICIPANTS);
    expect(activity.cc).toEqual([]);

    const db = openDatabase({ path: ':memory:' });
    migrate(db);
    new SqliteSyncStore(db, () => new Date('2026-04-14')).recordImport({ key: decision.key!, crmId: 'E1', mailboxId: 'm1', activity, bcc: meta.bcc });
    const rows = db.prepare('SELECT COUNT(*) AS n FROM ledger_participants').get() as { n: number };
    expect(rows.n).toBeLessThanOrEqual(MAX_PARTICIPANTS);
    db.close();
  });
});
