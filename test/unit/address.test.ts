import { describe, expect, it } from 'vitest';
import { isFreeMailDomain } from '../../src/core/free-mail.js';
import {
  isOnDomains,
  normalizeAddress,
  normalizeDomainList,
  parseAddressList,
  registrableDomain,
} from '../../src/core/address.js';

// DESIGN §2 precise readings: "Addresses are compared lower-cased with plus-tags folded … IDN
// domains in their ASCII form"; "An X.500 path or a dotless host is not an address".
describe('normalizeAddress', () => {
  it.each([
    ['Jane@ACME.com', 'jane@acme.com'],
    ['jane+deals@acme.com', 'jane@acme.com'],
    ['<jane@acme.com>', 'jane@acme.com'],
    ['jörg@bücher.de', 'jörg@xn--bcher-kva.de'],
    ['JANE@Mail.Acme.Co.UK', 'jane@mail.acme.co.uk'],
    ['"jane"@acme.com', 'jane@acme.com'],
    // A quoted local part with a space is legal but never a CRM address; it matches nothing.
    ['"jane doe"@acme.com', null],
    ['o\'brien@acme.com', "o'brien@acme.com"],
    ['/O=ENRON/OU=NA/CN=RECIPIENTS/CN=JDOE', null],
    ['jdoe@localhost', null],
    ['no-at-sign', null],
    ['@acme.com', null],
    ['jane@', null],
    ['', null],
  ])('%s → %s', (raw, expected) => {
    expect(normalizeAddress(raw)).toBe(expected);
  });

  it('keeps a plus sign at the start of the local part (not a tag)', () => {
    expect(normalizeAddress('+1@acme.com')).toBe('+1@acme.com');
  });
});

describe('parseAddressList', () => {
  it('reads display names, quoted commas, groups and encoded words', () => {
    const parsed = parseAddressList('"Doe, Jane" <jane@acme.com>, Team: a@b.com, c@d.com;, =?UTF-8?B?SsO2cmc=?= <jorg@x.de>');
    expect(parsed).toEqual([
      { name: 'Doe, Jane', address: 'jane@acme.com' },
      { name: '', address: 'a@b.com' },
      { name: '', address: 'c@d.com' },
      { name: 'Jörg', address: 'jorg@x.de' },
    ]);
  });

  it('returns nothing for empty or undisclosed recipients', () => {
    expect(parseAddressList('')).toEqual([]);
    expect(parseAddressList('undisclosed-recipients:;').filter((a) => a.address)).toEqual([]);
  });
});

// DESIGN §2: "public-suffix aware: mail.acme.co.uk → acme.co.uk"; "Account domains are
// normalised to registrable domains (scheme, www. and paths dropped)".
describe('registrableDomain', () => {
  it.each([
    ['mail.acme.co.uk', 'acme.co.uk'],
    ['acme.co.uk', 'acme.co.uk'],
    ['https://www.acme.com/about?x=1', 'acme.com'],
    ['WWW.ACME.COM', 'acme.com'],
    ['http://acme.com:8080', 'acme.com'],
    ['bücher.de', 'xn--bcher-kva.de'],
    ['eu.sales.acme.com.au', 'acme.com.au'],
    ['localhost', null],
    ['', null],
    [null, null],
  ])('%s → %s', (input, expected) => {
    expect(registrableDomain(input)).toBe(expected);
  });
});

// DESIGN §2: "Free-mail domains (gmail.com, outlook.com, yahoo.com, gmx.de …) never match by domain".
describe('free-mail', () => {
  it.each(['gmail.com', 'outlook.com', 'yahoo.com', 'gmx.de', 'hotmail.com'])('%s is free-mail', (d) => {
    expect(isFreeMailDomain(d)).toBe(true);
  });
  it.each(['acme.com', 'enron.com', 'acme.co.uk'])('%s is not free-mail', (d) => {
    expect(isFreeMailDomain(d)).toBe(false);
  });
});

// DESIGN §1.3: "every participant is on a company domain or its subdomains".
describe('company domains and subdomains', () => {
  const company = normalizeDomainList(['https://www.example-seller.com/', 'Seller.CO.UK', 'bücher.de']);
  it('normalises configured domains', () => {
    expect([...company].sort()).toEqual(['example-seller.com', 'seller.co.uk', 'xn--bcher-kva.de']);
  });
  it.each([
    ['example-seller.com', true],
    ['eu.mail.example-seller.com', true],
    ['seller.co.uk', true],
    ['xn--bcher-kva.de', true],
    ['notexample-seller.com', false],
    ['example-seller.com.evil.io', false],
    ['co.uk', false],
  ])('%s internal: %s', (domain, expected) => {
    expect(isOnDomains(domain, company)).toBe(expected);
  });
});
