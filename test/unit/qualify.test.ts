import { describe, expect, it } from 'vitest';
import { qualify } from '../../src/core/qualify.js';
import { engineFor, msg } from '../helpers/engine.js';
import { TENANT } from './engine-fixture.js';

const engine = engineFor(TENANT);
const reasonOf = (m: ReturnType<typeof msg>) => {
  const q = qualify(m, engine);
  return q.ok ? 'ok' : q.reason;
};
const many = (n: number, domain = 'crowd.example') => Array.from({ length: n }, (_, i) => `p${i}@${domain}`).join(', ');

// DESIGN §1.3: "in this order, first failure wins and is the reason code".
describe('qualification', () => {
  it.each([
    // Jiminny seed: "We exclude deleted and draft emails."
    ['a draft', 'draft-or-deleted', msg({ from: 'jane@acme.com', to: 'alex@example-seller.com', isDraft: true })],
    ['in Deleted Items', 'draft-or-deleted', msg({ from: 'jane@acme.com', folder: 'deleted' })],
    // Gong seed: "If all participants are from the company domains, the message will be ignored." Subdomains too.
    ['internal only', 'internal-only', msg({ from: 'alex@example-seller.com', to: 'sam@eu.example-seller.com, x@seller.co.uk' })],
    // Gong seed: blacklisted addresses, domains (with subdomains) or subject phrases.
    ['blocked address (plus-tag folded)', 'blocklisted', msg({ from: 'blocked.person@partner.com', to: 'alex@example-seller.com' })],
    ['blocked subdomain', 'blocklisted', msg({ from: 'jane@acme.com', cc: 'ops@mail.spammy.io' })],
    ['blocked phrase, any case', 'blocklisted', msg({ from: 'jane@acme.com', subject: 'RE: confidential: hr review' })],
    // Blocklist is checked before automated: order of §1.3.
    ['blocked and automated', 'blocklisted', msg({ from: 'noreply@spammy.io', headers: { 'List-Unsubscribe': '<mailto:u@spammy.io>' } })],
    // Internal is checked before blocklist.
    ['internal with a blocked phrase', 'internal-only', msg({ from: 'alex@example-seller.com', to: 'sam@example-seller.com', subject: 'Confidential: HR' })],
    // §1.3 automated: headers.
    ['List-Unsubscribe', 'automated', msg({ from: 'news@acme.com', headers: { 'List-Unsubscribe': '<https://acme.com/u>' } })],
    // §1.3 "more than 15 recipients inbound from non-CRM senders".
    ['16 recipients from an unknown sender', 'automated', msg({ from: 'promo@unknown-co.com', to: `alex@example-seller.com, ${many(15)}` })],
    ['16 recipients from a contact', 'ok', msg({ from: 'jane@acme.com', to: `alex@example-seller.com, ${many(15)}` })],
    ['16 recipients outbound', 'ok', msg({ from: 'alex@example-seller.com', to: `jane@acme.com, ${many(15)}` })],
    ['15 recipients from an unknown sender on a customer domain', 'ok', msg({ from: 'x@globex.com', to: `alex@example-seller.com, ${many(14)}` })],
    // §1.3 no-crm-match; CRM users are never external participants.
    ['no match', 'no-crm-match', msg({ from: 'someone@unknown-co.com', to: 'alex@example-seller.com' })],
    ['only a CRM user outside the company domain', 'no-crm-match', msg({ from: 'casey@contractor-mail.com', to: 'alex@example-seller.com' })],
    ['free-mail stranger', 'no-crm-match', msg({ from: 'stranger@gmail.com', to: 'alex@example-seller.com' })],
    ['a match', 'ok', msg({ from: 'jane@acme.com', to: 'alex@example-seller.com' })],
    // Participants are From, To, Cc and Bcc.
    ['match on Bcc only', 'ok', msg({ from: 'alex@example-seller.com', to: 'sam@example-seller.com', bcc: 'lee@hooli.io' })],
    // No readable participant is not internal mail: the automated check still runs.
    ['no readable participant, bounce headers', 'automated', msg({ from: 'MAILER-DAEMON', headers: { 'Auto-Submitted': 'auto-replied' } })],
    ['no readable participant at all', 'no-crm-match', msg({ from: 'undisclosed-recipients:;' })],
    // An X.500 path is not an address (an Exchange export quirk).
    ['X.500 recipient ignored', 'internal-only', msg({ from: 'alex@example-seller.com', to: '/O=SELLER/OU=NA/CN=RECIPIENTS/CN=SAM' })],
  ])('%s → %s', (_name, expected, m) => {
    expect(reasonOf(m)).toBe(expected);
  });

  it('a rejection carries no address or subject', () => {
    const q = qualify(msg({ from: 'someone@unknown-co.com', subject: 'Secret plan' }), engine);
    expect(q.ok).toBe(false);
    if (!q.ok) expect(q.why).not.toMatch(/unknown-co|Secret/);
  });
});
