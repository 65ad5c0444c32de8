import { describe, expect, it } from 'vitest';
import { crmDay, dayInZone, dealStanding, rankDeals } from '../../src/core/deal-window.js';
import type { Deal } from '../../src/core/types.js';

const deal = (over: Partial<Deal>): Deal => ({
  id: 'd1',
  accountId: 'a1',
  name: 'Deal',
  isClosed: false,
  closeDate: null,
  createdDate: '2025-01-01',
  lastModified: '2026-01-01T00:00:00Z',
  ownerId: null,
  contactRoles: [],
  ...over,
});
const utc = { timeZone: 'UTC', windowDays: 14 };
const day = (iso: string, tz = 'UTC') => dayInZone(new Date(iso), tz);

// Seed (Gong, associating CRM entities): "Activities … are associated with a deal up to 14 days
// after a deal is closed." DESIGN §2: "closed on March 1 → eligible through March 15".
describe('the 14-day window', () => {
  const closed = deal({ isClosed: true, closeDate: '2026-03-01' });
  it.each([
    ['2026-02-27T10:00:00Z', true, true],
    ['2026-03-01T23:59:00Z', true, true],
    ['2026-03-02T00:00:00Z', true, false],
    ['2026-03-15T23:59:59Z', true, false],
    ['2026-03-16T00:00:00Z', false, false],
  ])('sent %s: eligible %s, open at send %s', (sent, eligible, open) => {
    const s = dealStanding(closed, day(sent), utc);
    expect(s.eligible).toBe(eligible);
    if (s.eligible) expect(s.openAtSend).toBe(open);
  });

  it('counts calendar days in the tenant time zone', () => {
    // 2026-03-16 03:00 UTC is still March 15 in Los Angeles: day 14, in.
    const la = { timeZone: 'America/Los_Angeles', windowDays: 14 };
    expect(dealStanding(closed, day('2026-03-16T03:00:00Z', la.timeZone), la).eligible).toBe(true);
    expect(dealStanding(closed, day('2026-03-16T03:00:00Z'), utc).eligible).toBe(false);
    // 2026-03-15 23:00 UTC is already March 16 in Tokyo: day 15, out.
    expect(dealStanding(closed, day('2026-03-15T23:00:00Z', 'Asia/Tokyo'), { timeZone: 'Asia/Tokyo', windowDays: 14 }).eligible).toBe(false);
  });

  it('honours a configured window', () => {
    expect(dealStanding(closed, day('2026-03-20T12:00:00Z'), { timeZone: 'UTC', windowDays: 30 }).eligible).toBe(true);
    expect(dealStanding(closed, day('2026-03-02T12:00:00Z'), { timeZone: 'UTC', windowDays: 0 }).eligible).toBe(false);
  });

  // DESIGN §2: "A deal is open at the sent date when it was created on or before that day".
  it('a deal created after the email is not eligible; created that day is', () => {
    const later = deal({ createdDate: '2026-05-10' });
    expect(dealStanding(later, day('2026-05-09T12:00:00Z'), utc).eligible).toBe(false);
    expect(dealStanding(later, day('2026-05-10T00:30:00Z'), utc)).toMatchObject({ eligible: true, openAtSend: true });
  });

  it('an open deal ignores its expected close date', () => {
    expect(dealStanding(deal({ closeDate: '2020-01-01' }), day('2026-05-01T00:00:00Z'), utc).eligible).toBe(true);
  });

  it('reads timestamps on the tenant calendar', () => {
    expect(crmDay('2026-03-01', 'Asia/Tokyo')).toBe(crmDay('2026-03-01', 'UTC'));
    expect(crmDay('2026-03-01T20:00:00Z', 'Asia/Tokyo')).toBe(crmDay('2026-03-02', 'UTC'));
    expect(crmDay('not a date', 'UTC')).toBeNull();
  });
});

// DESIGN §2: "Ranking among eligible deals: a participant has a contact role on the deal; then
// the deal owner is a participant; then open before closed; then the most recently updated."
describe('ranking', () => {
  const sent = day('2026-03-05T12:00:00Z');
  const rank = (deals: Deal[], contacts: string[] = [], users: string[] = []) =>
    rankDeals(deals, sent, utc, new Set(contacts), new Set(users)).map((r) => r.deal.id);

  it('contact role first', () => {
    const a = deal({ id: 'a', lastModified: '2026-03-04T00:00:00Z', ownerId: 'u1' });
    const b = deal({ id: 'b', contactRoles: ['c1'], lastModified: '2026-01-01T00:00:00Z', isClosed: true, closeDate: '2026-03-01' });
    expect(rank([a, b], ['c1'], ['u1'])).toEqual(['b', 'a']);
  });
  it('then owner participant', () => {
    const a = deal({ id: 'a', lastModified: '2026-03-04T00:00:00Z' });
    const b = deal({ id: 'b', ownerId: 'u1', lastModified: '2026-01-01T00:00:00Z' });
    expect(rank([a, b], [], ['u1'])).toEqual(['b', 'a']);
  });
  it('then open before closed', () => {
    const open = deal({ id: 'open', lastModified: '2026-01-01T00:00:00Z' });
    const closed = deal({ id: 'closed', isClosed: true, closeDate: '2026-03-01', lastModified: '2026-03-01T00:00:00Z' });
    expect(rank([closed, open])).toEqual(['open', 'closed']);
  });
  it('then most recently updated', () => {
    const a = deal({ id: 'a', lastModified: '2026-02-01T00:00:00Z' });
    const b = deal({ id: 'b', lastModified: '2026-02-02T00:00:00Z' });
    expect(rank([a, b])).toEqual(['b', 'a']);
  });
  it('drops ineligible deals', () => {
    const old = deal({ id: 'old', isClosed: true, closeDate: '2026-02-01' });
    expect(rank([old])).toEqual([]);
  });
});
