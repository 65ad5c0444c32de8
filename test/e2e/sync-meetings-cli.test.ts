/**
 * `mailbridge sync` with `calendar.enabled`, end to end: the Graph emulator serves two sellers'
 * calendars (calendarView delta through GraphProvider), the Salesforce emulator takes the
 * meetings through the adapter's meeting writer (Event + EventRelation). One QBR in both
 * calendars is one Event; a move updates it in place; a cancellation marks it; the internal and
 * private meetings are only counted.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SeedMeeting } from '../../src/emulators/common/calendar-store.js';
import { startGraphEmulator, type GraphEmulator } from '../../src/emulators/graph/graph-emulator.js';
import { startSalesforceEmulator, type RunningSalesforceEmulator } from '../../src/emulators/salesforce/salesforce-emulator.js';
import { lastJsonLine, mailbridge, sampleSnapshot } from '../helpers/cli-tenant.js';

const ALEX = 'alex@example-seller.com';
const SAM = 'sam@example-seller.com';
const KEY = 'cli-test-key-0123456789abcdef';
const inDays = (days: number, hour: number) => {
  const d = new Date(Date.now() + days * 86_400_000);
  d.setUTCHours(hour, 0, 0, 0);
  return d.toISOString();
};

const qbr: SeedMeeting = {
  uid: 'qbr-acme-e2e',
  title: 'Acme QBR',
  organizer: { address: ALEX },
  attendees: [{ address: 'jane.doe@acme.com', response: 'accepted' }, { address: SAM, response: 'accepted' }],
  start: inDays(2, 14),
  end: inDays(2, 15),
};
const standup: SeedMeeting = { uid: 'standup-e2e', title: 'Standup', organizer: { address: ALEX }, attendees: [{ address: SAM }], start: inDays(1, 9), end: inDays(1, 10) };
const lunch: SeedMeeting = { uid: 'lunch-e2e', title: 'Lunch', organizer: { address: ALEX }, attendees: [{ address: 'jane.doe@acme.com' }], start: inDays(3, 12), end: inDays(3, 13), sensitivity: 'private' };

describe('mailbridge sync with meetings', () => {
  let graph: GraphEmulator;
  let sf: RunningSalesforceEmulator;
  let configFile: string;

  beforeEach(async () => {
    graph = await startGraphEmulator({
      mailboxes: [{ address: ALEX, messages: [] }, { address: SAM, messages: [] }],
      calendars: [{ address: ALEX, meetings: [qbr, standup, lunch] }, { address: SAM, meetings: [qbr, standup] }],
    });
    sf = await startSalesforceEmulator({ snapshot: sampleSnapshot });
    const dir = mkdtempSync(join(tmpdir(), 'mailbridge-meetings-'));
    configFile = join(dir, 'mailbridge.config.json');
    const config = {
      dataDir: 'data',
      tenants: [
        {
          id: 'acme',
          companyDomains: sampleSnapshot.companyDomains,
          blocklist: sampleSnapshot.blocklist,
          mail: { provider: 'graph', ...graph.credentials, baseUrl: graph.url, authorityHost: graph.url },
          crm: { kind: 'salesforce', loginUrl: sf.credentials.loginUrl, clientId: sf.credentials.clientId, clientSecret: sf.credentials.clientSecret },
          calendar: { enabled: true },
        },
      ],
    };
    writeFileSync(configFile, JSON.stringify(config, null, 2), { mode: 0o600 });
  });

  afterEach(async () => {
    await graph?.close();
    await sf?.close();
  });

  const sync = async () => {
    const r = await mailbridge(['sync', '--once', '--config', configFile, '--json', '--quiet'], { MAILBRIDGE_DB_KEY: KEY });
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    return lastJsonLine(r.stdout);
  };

  it('one Event for a meeting in two calendars, moved in place, then marked cancelled', async () => {
    const first = await sync();
    expect(JSON.stringify(first)).toContain('"meetingsImported":1');
    let events = sf.control.meetings();
    expect(events).toHaveLength(1);
    // Graph's iCalUId (Exchange's hex form of the UID) is the key, the same in both calendars.
    expect(events[0]!.record).toMatchObject({ Subject: 'Acme QBR', Mailbridge_Key__c: expect.stringMatching(/^040000008200E000/) });

    graph.control.moveMeeting('qbr-acme-e2e', inDays(4, 10), inDays(4, 11));
    await sync();
    events = sf.control.meetings();
    expect(events).toHaveLength(1);
    expect(Date.parse(String(events[0]!.record.StartDateTime))).toBe(Date.parse(inDays(4, 10)));

    graph.control.cancelMeeting('qbr-acme-e2e');
    await sync();
    events = sf.control.meetings();
    expect(events).toHaveLength(1);
    expect(String(events[0]!.record.Subject)).toMatch(/^Cancelled: /);
  });
});
