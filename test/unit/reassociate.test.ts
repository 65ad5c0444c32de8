/**
 * Re-association with a fixed clock (docs/rules.md "Re-association when the CRM changes"): an
 * email imported on 2026-04-14 is decided again after a CRM change, with the same rules and its
 * own sent date, and moves only when the answer differs.
 */
import { describe, expect, it } from 'vitest';
import { classifyMessage } from '../../src/core/classify.js';
import type { CrmChangeBatch, LedgerFacts } from '../../src/core/ports.js';
import { reassociate, touchedBy } from '../../src/core/reassociate.js';
import type { MessageMeta } from '../../src/core/types.js';
import type { SqliteDomainIndex } from '../../src/store/domain-index.js';
import { engineFor, msg } from '../helpers/engine.js';
import { TENANT } from './engine-fixture.js';

const NOW = new Date('2026-04-25T12:00:00Z');
const SENT = '2026-04-14T09:00:00Z';

const INITRODE_DEALS = [
  { id: 'd-i1', accountId: 'a-initrode', name: 'Initrode Platform', isClosed: false, closeDate: null, createdDate: '2026-01-01', lastModified: '2026-04-10T00:00:00Z', ownerId: 'u-sam', contactRoles: [] },
  { id: 'd-i2', accountId: 'a-initrode', name: 'Initrode Services', isClosed: false, closeDate: null, createdDate: '2026-01-01', lastModified: '2026-02-01T00:00:00Z', ownerId: 'u-contractor', contactRoles: [] },
];
const SNAPSHOT = { ...TENANT, deals: [...TENANT.deals, ...INITRODE_DEALS] };

/** Imports `meta` against the CRM as it was, applies `change`, and decides the email again. */
function importThenChange(meta: MessageMeta, change: Omit<CrmChangeBatch, 'cursor'>) {
  const engine = engineFor(SNAPSHOT);
  const d = classifyMessage(meta, null, engine, { mailboxOwner: null, now: NOW });
  expect(d.decision).toBe('import');
  const roles = [['from', meta.from ? [meta.from] : []], ['to', meta.to], ['cc', meta.cc]] as const;
  const facts: LedgerFacts = {
    key: d.key!,
    crmId: '02s000000000001',
    sentAt: meta.sentAt!,
    direction: d.direction!,
    participants: roles.flatMap(([role, list]) => list.map((a) => ({ address: a.address.toLowerCase(), role }))),
    inReplyTo: null,
    links: { contactIds: d.contacts, accountIds: d.accounts, leadIds: d.leads, dealIds: d.deals, userIds: d.userIds, relatedToId: d.relatedToId, ownerId: d.owner },
    explanation: d.explanation,
  };
  (engine.index as SqliteDomainIndex).applyChanges({ ...change, cursor: 'c2' });
  return { before: facts.links, after: reassociate(facts, engine, undefined, NOW, 30) };
}

const fromIan = msg({ from: 'Ian <ian@initrode.com>', to: 'alex@example-seller.com', date: SENT, messageId: '<ian-1@initrode.com>' });
const fromJane = msg({ from: 'Jane <jane@acme.com>', to: 'alex@example-seller.com', date: SENT, messageId: '<jane-1@acme.com>' });
const fromGlobex = msg({ from: 'Gil <gil@globex.com>', to: 'alex@example-seller.com', date: SENT, messageId: '<gil-1@globex.com>' });

function moved(r: ReturnType<typeof reassociate>) {
  if (r.kind !== 'move') throw new Error(`expected a move, got ${r.kind}: ${r.why}`);
  return r.move;
}

describe('re-association: deals', () => {
  const newDeal = (createdDate: string) => ({
    id: 'd-new', accountId: 'a-initrode', name: 'Initrode Expansion', isClosed: false, closeDate: null, createdDate,
    lastModified: '2026-04-20T00:00:00Z', ownerId: 'u-alex', contactRoles: ['c-ian'],
  });

  it('a deal created after the mail stays off it: the 14-day grace counts one way only', () => {
    const { before, after } = importThenChange(fromIan, { deals: [newDeal('2026-04-20')] });
    expect(before.relatedToId).toBe('d-i1');
    expect(after.kind).toBe('same');
  });

  it('the same deal, created before the mail, takes it (contact role, owner on the thread)', () => {
    const move = moved(importThenChange(fromIan, { deals: [newDeal('2026-04-10')] }).after);
    expect(move.from.dealIds).toEqual(['d-i1']);
    expect(move.to).toMatchObject({ dealIds: ['d-new'], relatedToId: 'd-new', accountIds: ['a-initrode'], ownerId: 'u-alex' });
    expect(move.explanation).toMatch(/\nre-associated 2026-04-25: deal Initrode Platform → deal Initrode Expansion \(.*contact role/);
  });

  it('a deal closed more than 14 days before the mail lets go of it; the next eligible deal takes it', () => {
    const closed = { ...SNAPSHOT.deals[0]!, isClosed: true, closeDate: '2026-03-20', lastModified: '2026-04-20T00:00:00Z' };
    const move = moved(importThenChange(fromJane, { deals: [closed] }).after);
    expect(move.from.relatedToId).toBe('d-renewal');
    // Expansion closed 2026-04-01, 13 days before the mail: still within the window.
    expect(move.to.relatedToId).toBe('d-expansion');
    expect(move.explanation).toContain('deal Renewal 2027 → deal Expansion (deal Renewal 2027 closed 25 days before send, beyond the 14-day window; ');
  });

  it('a deal closed after the mail keeps it (it was open at send time)', () => {
    const closed = { ...SNAPSHOT.deals[0]!, isClosed: true, closeDate: '2026-04-20', lastModified: '2026-04-20T00:00:00Z' };
    expect(importThenChange(fromJane, { deals: [closed] }).after.kind).toBe('same');
  });

  it('a deal reopened takes the mail that had gone to the accounts', () => {
    const reopened = { ...SNAPSHOT.deals.find((d) => d.id === 'd-pilot')!, isClosed: false, closeDate: null, lastModified: '2026-04-20T00:00:00Z' };
    const { before, after } = importThenChange(fromGlobex, { deals: [reopened] });
    expect(before.relatedToId).toBe('a-globex');
    expect(moved(after).to).toMatchObject({ dealIds: ['d-pilot'], relatedToId: 'd-pilot' });
  });

  it('the deal owner changed to a participant: that deal ranks first, and owns the activity', () => {
    const move = moved(importThenChange(fromIan, { deals: [{ ...INITRODE_DEALS[1]!, ownerId: 'u-alex' }] }).after);
    expect(move.to).toMatchObject({ relatedToId: 'd-i2', ownerId: 'u-alex' });
    expect(move.explanation).toContain('owner on the thread');
  });

  it('a contact role added: that deal ranks first', () => {
    const move = moved(importThenChange(fromIan, { contactRoles: [{ dealId: 'd-i2', contactIds: ['c-ian'] }] }).after);
    expect(move.to.relatedToId).toBe('d-i2');
    expect(move.explanation).toContain('contact role');
  });
});

describe('re-association: contacts and accounts', () => {
  it('a contact moved to another account takes its mail there', () => {
    const move = moved(importThenChange(fromIan, { contacts: [{ id: 'c-ian', emails: ['ian@initrode.com'], phones: [], accountId: 'a-globex' }] }).after);
    expect(move.to).toMatchObject({ contactIds: ['c-ian'], accountIds: ['a-globex'], dealIds: [], relatedToId: 'a-globex' });
    expect(move.explanation).toMatch(/re-associated 2026-04-25: deal Initrode Platform → account Globex \(deal Initrode Platform: its account Initrode no longer matches; contact ian@initrode.com → account Globex; .*no eligible deal: logged on the account/);
  });

  it('a contact deleted with nothing else matching: the activity stays, on no record', () => {
    const move = moved(importThenChange(fromIan, { deleted: [{ kind: 'contact', id: 'c-ian' }] }).after);
    expect(move.to).toMatchObject({ contactIds: [], accountIds: [], dealIds: [], relatedToId: null });
    expect(move.explanation).toContain('no contact, account or lead matches any more');
  });

  it('a contact merged into another: the survivor takes the mail', () => {
    const change = { deleted: [{ kind: 'contact' as const, id: 'c-ian' }], contacts: [{ id: 'c-ian-2', emails: ['ian@initrode.com'], phones: [], accountId: 'a-initrode' }] };
    const move = moved(importThenChange(fromIan, change).after);
    expect(move.from.contactIds).toEqual(['c-ian']);
    expect(move.to).toMatchObject({ contactIds: ['c-ian-2'], accountIds: ['a-initrode'], relatedToId: 'd-i1' });
  });

  it('an account deleted (merged away): mail matched by its domain stays on the survivor only', () => {
    const { before, after } = importThenChange(fromGlobex, { deleted: [{ kind: 'account', id: 'a-globex-eu' }] });
    expect(before.accountIds.sort()).toEqual(['a-globex', 'a-globex-eu']);
    expect(moved(after).to).toMatchObject({ accountIds: ['a-globex'], relatedToId: 'a-globex' });
  });

  it('an account domain removed: the mail leaves that account', () => {
    const move = moved(importThenChange(fromGlobex, { accounts: [{ id: 'a-globex-eu', name: 'Globex Europe', domains: [], ownerId: 'u-sam' }] }).after);
    expect(move.to.accountIds).toEqual(['a-globex']);
  });

  it('an account domain added: a participant on it brings that account too', () => {
    const meta = msg({ from: 'Jane <jane@acme.com>', to: 'alex@example-seller.com', cc: 'kim@stark.example', date: SENT, messageId: '<jane-2@acme.com>' });
    const move = moved(importThenChange(meta, { accounts: [{ id: 'a-initrode', name: 'Initrode', domains: ['stark.example'], ownerId: null }] }).after);
    expect(move.to.accountIds.sort()).toEqual(['a-acme', 'a-initrode']);
    expect(move.to.relatedToId).toBe('d-renewal');
  });
});

describe('re-association: window and touch', () => {
  it('mail older than the window is left as it is', () => {
    const old = msg({ from: 'Ian <ian@initrode.com>', to: 'alex@example-seller.com', date: '2026-03-20T09:00:00Z', messageId: '<ian-old@initrode.com>' });
    expect(importThenChange(old, { contacts: [{ id: 'c-ian', emails: ['ian@initrode.com'], phones: [], accountId: 'a-globex' }] }).after.kind).toBe('kept');
  });

  it('a change touches its records, a deal\'s account, role holders, and addresses and domains (never free mail)', () => {
    const engine = engineFor(SNAPSHOT);
    const t = touchedBy({
      cursor: 'c',
      contacts: [{ id: 'c-x', emails: ['X@Wayne.example', 'x@gmail.com'], phones: [], accountId: 'a-acme' }],
      deals: [INITRODE_DEALS[0]!],
      contactRoles: [{ dealId: 'd-renewal', contactIds: ['c-jane'] }],
      deleted: [{ kind: 'lead', id: 'l-lee' }, { kind: 'user', id: 'u-sam' }],
    }, engine.rules.freeMail);
    expect(t.recordIds.sort()).toEqual(['a-acme', 'a-initrode', 'c-jane', 'c-x', 'd-i1', 'd-renewal', 'l-lee']);
    expect(t.addresses.sort()).toEqual(['x@gmail.com', 'x@wayne.example']);
    expect(t.domains).toEqual(['wayne.example']);
  });
});
