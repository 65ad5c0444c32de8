import { describe, expect, it } from 'vitest';
import { associate } from '../../src/core/associate.js';
import { participantsOf } from '../../src/core/participants.js';
import { engineFor, msg } from '../helpers/engine.js';
import { TENANT } from './engine-fixture.js';

const engine = engineFor(TENANT);
const assoc = (from: string, attached?: Parameters<typeof associate>[2]) => {
  const external = participantsOf(msg({ from, to: 'alex@example-seller.com' }), engine.rules.companyDomains).filter(
    (p) => !p.internal && !engine.index.userByEmail(p.address),
  );
  return associate(external, engine.index, attached);
};

// DESIGN §2 "Association rules" and the Gong seed "Associating CRM entities with Gong activities".
describe('association cascade', () => {
  it.each([
    // §2.2 "A contact with the same address → the contact and its account"; "Several contacts with one address: all of them".
    ['jane@acme.com', { contactIds: ['c-jane', 'c-jane-dup'], accountIds: ['a-acme'], leadIds: [] }],
    // "Addresses are compared case-insensitively" and plus-tags fold.
    ['JANE+deals@ACME.COM', { contactIds: ['c-jane', 'c-jane-dup'], accountIds: ['a-acme'], leadIds: [] }],
    // §2.3 account by registrable domain, public-suffix aware: mail.acme.co.uk → acme.co.uk.
    ['kim@mail.acme.co.uk', { contactIds: [], accountIds: ['a-acme'], leadIds: [] }],
    // An email may be associated with several accounts.
    ['x@globex.com', { contactIds: [], accountIds: ['a-globex', 'a-globex-eu'], leadIds: [] }],
    // IDN domains in their ASCII form.
    ['jörg@bücher.de', { contactIds: [], accountIds: ['a-bucher'], leadIds: [] }],
    // §2.4 "another contact on the same domain that has an account → that account".
    ['new.person@initrode.com', { contactIds: [], accountIds: ['a-initrode'], leadIds: [] }],
    // §2.5 lead with the same address.
    ['lee@hooli.io', { contactIds: [], accountIds: [], leadIds: ['l-lee'] }],
    // §2.5 "(or the same domain)": lead domain given as a URL.
    ['ceo@piedpiper.com', { contactIds: [], accountIds: [], leadIds: ['l-dom'] }],
    // A contact without an account is kept; leads are not looked up once a contact was found.
    ['solo@solo-consulting.com', { contactIds: ['c-noacct'], accountIds: [], leadIds: [] }],
    // Free-mail matches by exact address only…
    ['pat@gmail.com', { contactIds: ['c-pat'], accountIds: ['a-globex'], leadIds: [] }],
    // …never by domain (account, same-domain contact, lead domain).
    ['stranger@gmail.com', { contactIds: [], accountIds: [], leadIds: [] }],
    ['other@yahoo.com', { contactIds: [], accountIds: [], leadIds: [] }],
    // §2.6 otherwise nothing.
    ['someone@unknown-co.com', { contactIds: [], accountIds: [], leadIds: [] }],
  ])('%s', (from, expected) => {
    const a = assoc(from);
    expect({ contactIds: a.contactIds.sort(), accountIds: a.accountIds.sort(), leadIds: a.leadIds.sort() }).toEqual(expected);
  });

  // §2.1 "Entities already attached to the conversation … are kept, and the search goes on."
  it('keeps attached entities and goes on searching', () => {
    const a = assoc('jane@acme.com', { accountIds: ['a-globex'], dealIds: ['d-pilot'] });
    expect(a.accountIds.sort()).toEqual(['a-acme', 'a-globex']);
    expect(a.attachedDealIds).toEqual(['d-pilot']);
  });

  it('gives a readable reason per step', () => {
    expect(assoc('jane@acme.com').reasons).toContain('contact jane@acme.com → account Acme');
    expect(assoc('kim@mail.acme.co.uk').reasons).toEqual(['kim@mail.acme.co.uk → account Acme by domain acme.co.uk']);
    expect(assoc('lee@hooli.io').reasons).toEqual(['lead lee@hooli.io']);
  });

  // "Results are the union over participants."
  it('unions over every external participant', () => {
    const m = msg({ from: 'jane@acme.com', to: 'alex@example-seller.com, lee@hooli.io', cc: 'x@globex.com' });
    const external = participantsOf(m, engine.rules.companyDomains).filter((p) => !p.internal);
    const a = associate(external, engine.index);
    expect(a.accountIds.sort()).toEqual(['a-acme', 'a-globex', 'a-globex-eu']);
    expect(a.leadIds).toEqual(['l-lee']);
  });
});
