import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseIcs, UnparseableCalendarError } from '../../src/calendar-files/parse-ics.js';

const ann = readFileSync(fileURLToPath(new URL('../fixtures/calendar/exports/ann.ics', import.meta.url)), 'utf8');
const WIDE = { until: new Date('2027-01-01T00:00:00Z') };

const ics = (...lines: string[]) => ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//t//EN', ...lines, 'END:VCALENDAR'].join('\r\n');

describe('parseIcs', () => {
  it('expands a series, drops the EXDATE and applies the moved occurrence (RECURRENCE-ID)', () => {
    const series = parseIcs(ann, 'ann.ics', WIDE).filter((m) => m.iCalUId === 'weekly-globex@seller.example');
    expect(series.map((m) => [m.occurrenceStart, m.start, m.title])).toEqual([
      ['2026-11-03T15:00:00.000Z', '2026-11-03T15:00:00.000Z', 'Globex weekly sync'],
      ['2026-11-17T15:00:00.000Z', '2026-11-18T20:00:00.000Z', 'Globex weekly sync (moved)'],
      ['2026-11-24T15:00:00.000Z', '2026-11-24T15:00:00.000Z', 'Globex weekly sync'],
    ]);
    expect(new Set(series.map((m) => m.key)).size).toBe(3);
    expect(series.every((m) => m.seriesMasterId === 'weekly-globex@seller.example')).toBe(true);
  });

  it('maps attendees, organizer, location, link, zone and flags', () => {
    const qbr = parseIcs(ann, 'ann.ics', WIDE).find((m) => m.iCalUId === 'qbr-acme-2026q4@seller.example')!;
    expect(qbr).toMatchObject({
      key: 'qbr-acme-2026q4@seller.example',
      title: 'Acme quarterly business review',
      organizer: { address: 'ann@seller.example', name: 'Ann Seller' },
      start: '2026-11-10T14:00:00.000Z',
      timeZone: 'Europe/Paris',
      location: 'Acme HQ, room 4',
      onlineMeetingUrl: 'https://teams.example/l/meetup-join/qbr',
      isCancelled: false,
      isPrivate: false,
      isAllDay: false,
      showAs: 'busy',
      lastModified: '2026-10-20T09:00:00.000Z',
    });
    expect(qbr.attendees).toEqual([
      { address: 'jane@acme.example', name: 'Jane Buyer', response: 'accepted', type: 'required' },
      { address: 'ben@seller.example', name: 'Ben Seller', response: 'tentative', type: 'optional' },
      { address: 'room4@acme.example', response: 'accepted', type: 'resource' },
    ]);
    const ooo = parseIcs(ann, 'ann.ics', WIDE).find((m) => m.iCalUId === 'ooo-1@seller.example')!;
    expect(ooo).toMatchObject({ isAllDay: true, showAs: 'oof', start: '2026-11-12T00:00:00.000Z' });
  });

  it('keeps only occurrences in the window, and stops an endless series at its end', () => {
    const endless = ics('BEGIN:VEVENT', 'UID:daily', 'DTSTAMP:20260101T000000Z', 'DTSTART:20260101T090000Z', 'DTEND:20260101T093000Z', 'RRULE:FREQ=DAILY', 'SUMMARY:Daily', 'END:VEVENT');
    const got = parseIcs(endless, 'x.ics', { since: new Date('2026-03-01T00:00:00Z'), until: new Date('2026-03-05T23:00:00Z') });
    expect(got.map((m) => m.start.slice(0, 10))).toEqual(['2026-03-01', '2026-03-02', '2026-03-03', '2026-03-04', '2026-03-05']);
  });

  it('a METHOD:CANCEL file cancels its events; TRANSP:TRANSPARENT is free; CLASS:CONFIDENTIAL is private', () => {
    const got = parseIcs(
      ics('METHOD:CANCEL', 'BEGIN:VEVENT', 'UID:c1', 'DTSTAMP:20260101T000000Z', 'DTSTART:20260101T090000Z', 'DTEND:20260101T093000Z', 'TRANSP:TRANSPARENT', 'CLASS:CONFIDENTIAL', 'END:VEVENT'),
      'x.ics',
      WIDE,
    );
    expect(got[0]).toMatchObject({ isCancelled: true, showAs: 'free', isPrivate: true });
  });

  it('refuses what is not iCalendar, naming the file', () => {
    expect(() => parseIcs('hello', 'notes.ics', WIDE)).toThrow(UnparseableCalendarError);
    expect(() => parseIcs('BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Jane\r\nEND:VCARD', 'jane.ics', WIDE)).toThrow(/jane\.ics: not an iCalendar file/);
  });
});
