import { describe, expect, it } from 'vitest';
import { buildFreeMail, isFreeMailDomain } from '../../src/core/free-mail.js';
import { classifyMessage } from '../../src/core/classify.js';
import { engineFor, msg } from '../helpers/engine.js';

// Issue 11: the old list (~96,000 domains) called universities and shops free mail, so their
// mail was dropped as no-crm-match. Free mail is consumer mailbox providers only.
describe('free mail is consumer mailbox providers only', () => {
  it.each(['rice.edu', 'stanford.edu', 'baylor.edu', 'skishop24.de', 'acme.com', 'gmail-tools.com'])('%s is not free mail', (d) => {
    expect(isFreeMailDomain(d)).toBe(false);
  });
  it.each([
    'gmail.com', 'googlemail.com', 'outlook.com', 'hotmail.com', 'hotmail.co.uk', 'live.com', 'msn.com', 'yahoo.com', 'yahoo.co.jp',
    'ymail.com', 'aol.com', 'icloud.com', 'me.com', 'mac.com', 'gmx.de', 'gmx.net', 'web.de', 't-online.de', 'mail.ru',
    'yandex.ru', 'yandex.com', 'qq.com', '163.com', '126.com', 'proton.me', 'protonmail.com', 'zoho.com', 'fastmail.com',
  ])('%s is free mail', (d) => {
    expect(isFreeMailDomain(d)).toBe(true);
  });

  it('a tenant adds and removes domains; a removal wins over the built-in list', () => {
    const fm = buildFreeMail({ add: ['Regional-Mail.example', 'https://www.other-mail.example/'], remove: ['web.de', 'yahoo.fr'] });
    expect(fm.has('regional-mail.example')).toBe(true);
    expect(fm.has('other-mail.example')).toBe(true);
    expect(fm.has('web.de')).toBe(false);
    expect(fm.has('yahoo.fr')).toBe(false);
    expect(fm.has('yahoo.de')).toBe(true);
    expect(fm.has('gmail.com')).toBe(true);
  });
});

describe('free mail in the decision', () => {
  const snapshot = {
    companyDomains: ['example-seller.com'],
    accounts: [
      { id: 'a-rice', name: 'Rice University', domains: ['rice.edu'] },
      { id: 'a-shop', name: 'Skishop 24', domains: ['https://www.skishop24.de/'] },
      { id: 'a-webde', name: 'WEB.DE', domains: ['web.de'] },
    ],
    contacts: [{ id: 'c-pat', emails: ['pat@gmail.com'], accountId: 'a-shop' }],
  };
  const decide = (from: string, freeMail?: { add?: string[]; remove?: string[] }) => {
    const ctx = engineFor(snapshot, freeMail ? { freeMail } : {});
    return classifyMessage(msg({ from, to: 'rep@example-seller.com' }), null, ctx, { mailboxOwner: null, now: new Date('2026-04-14') });
  };

  it('mail from a university or a shop in the CRM is matched by domain', () => {
    expect(decide('dean@rice.edu')).toMatchObject({ decision: 'import', accounts: ['a-rice'] });
    expect(decide('info@skishop24.de')).toMatchObject({ decision: 'import', accounts: ['a-shop'] });
  });

  it('a consumer address matches by exact address only', () => {
    expect(decide('stranger@gmail.com')).toMatchObject({ decision: 'skip', reason: 'no-crm-match' });
    expect(decide('pat@gmail.com')).toMatchObject({ decision: 'import', accounts: ['a-shop'] });
  });

  it("the tenant's freeMail.add and freeMail.remove change the decision", () => {
    expect(decide('someone@web.de')).toMatchObject({ decision: 'skip', reason: 'no-crm-match' });
    expect(decide('someone@web.de', { remove: ['web.de'] })).toMatchObject({ decision: 'import', accounts: ['a-webde'] });
    expect(decide('dean@rice.edu', { add: ['rice.edu'] })).toMatchObject({ decision: 'skip', reason: 'no-crm-match' });
  });
});
