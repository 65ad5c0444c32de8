/**
 * The calendar pipeline through a real sync round on each store: the CRM pull from the
 * Salesforce emulator (jsforce) into the store's index, the Graph emulator's mailboxes (mail
 * through GraphProvider), then each mailbox's calendar through core `syncCalendar` with the
 * store's meeting ledger and per-page `resolveKeys`. The calendar is a scripted
 * `CalendarProvider` and the CRM side a recording `MeetingWriter`: the real calendar providers
 * and meeting writers are tested against their emulators in their own suites. One meeting in
 * both calendars is one activity; a move updates it; rejected meetings leave nothing.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { syncTenant, type CalendarSyncParts, type MailboxOutcome } from '../../../src/app/sync-tenant.js';
import type { CalendarPage, CalendarProvider, MeetingActivityDraft, MeetingWriteOutcome, MeetingWriter } from '../../../src/core/meeting.js';
import { buildRules } from '../../../src/core/rules.js';
import { SalesforceAdapter } from '../../../src/crm-adapters/salesforce/salesforce-adapter.js';
import { startGraphEmulator, type GraphEmulator } from '../../../src/emulators/graph/graph-emulator.js';
import { startSalesforceEmulator, type RunningSalesforceEmulator } from '../../../src/emulators/salesforce/salesforce-emulator.js';
import { GraphProvider } from '../../../src/providers/graph/graph-provider.js';
import { RedirectingNetworkClient } from '../../../src/providers/graph/graph-network-client.js';
import { sampleSnapshot } from '../../helpers/cli-tenant.js';
import { meeting } from '../../helpers/meetings.js';
import { describeStores } from './store-under-test.js';

const NOW = new Date('2026-04-25T12:00:00Z');

/** Each calendar's next pages, by mailbox address; a read takes them all. */
class ScriptedCalendar implements CalendarProvider {
  readonly kind = 'graph' as const;
  next = new Map<string, CalendarPage[]>();
  async *readCalendar(mailbox: { address: string }): AsyncIterable<CalendarPage> {
    const pages = this.next.get(mailbox.address) ?? [];
    this.next.delete(mailbox.address);
    yield* pages;
  }
}

class RecordingWriter implements MeetingWriter {
  written: MeetingActivityDraft[] = [];
  async writeMeetings(batch: readonly MeetingActivityDraft[]): Promise<MeetingWriteOutcome[]> {
    this.written.push(...batch);
    return batch.map((d) => ({ key: d.key, ok: true, crmId: `00U${d.key.length}` }));
  }
  async deleteMeetings(): Promise<void> {}
}

const qbr = (mailbox: string, id: string, start = '2026-04-28T14:00:00.000Z', lastModified = '2026-04-20T10:00:00.000Z') =>
  meeting({ iCalUId: 'qbr-acme', id, mailbox, organizer: 'alex@example-seller.com', attendees: ['jane.doe@acme.com', 'sam@example-seller.com'], start, end: start, lastModified });

describeStores('calendar sync through the store', (sut) => {
  let graph: GraphEmulator;
  let sf: RunningSalesforceEmulator;
  let calendar: ScriptedCalendar;
  let writer: RecordingWriter;

  beforeEach(async () => {
    graph = await startGraphEmulator({ mailboxes: [{ address: 'alex@example-seller.com', messages: [] }, { address: 'sam@example-seller.com', messages: [] }] });
    sf = await startSalesforceEmulator({ snapshot: sampleSnapshot });
    calendar = new ScriptedCalendar();
    writer = new RecordingWriter();
  });

  afterEach(async () => {
    await graph?.close();
    await sf?.close();
  });

  async function round(): Promise<(MailboxOutcome & { ok: true })[]> {
    const store = sut.store();
    const provider = new GraphProvider({ mode: 'company', baseUrl: graph.url, auth: { ...graph.credentials, networkClient: new RedirectingNetworkClient(graph.url) }, requestTimeoutMs: 5_000 });
    const c = sf.credentials;
    const crm = new SalesforceAdapter({ loginUrl: c.loginUrl, clientId: c.clientId, clientSecret: c.clientSecret, retryBaseMs: 20 });
    const parts: CalendarSyncParts = { provider: calendar, writer, store: store.meetings, webinarAttendees: 50, daysAhead: 30 };
    try {
      const rules = buildRules({ companyDomains: sampleSnapshot.companyDomains, blocklist: sampleSnapshot.blocklist });
      const result = await syncTenant({
        provider, crm, index: store.index, store: store.ledger, ctx: { rules, index: await store.index.resolveKeys([]) }, resolvePages: true,
        clock: { now: () => NOW }, backfill: { defaultDays: 30, maxDays: null, oldestOpenDeal: true }, mailboxConcurrency: 1, calendar: parts,
      });
      expect(result.mailboxes.filter((m) => !m.ok)).toEqual([]);
      return result.mailboxes as (MailboxOutcome & { ok: true })[];
    } finally {
      await provider.close();
    }
  }

  it('one meeting in two calendars is one activity, a move updates it, rejected meetings leave nothing', async () => {
    calendar.next.set('alex@example-seller.com', [{
      meetings: [qbr('alex@example-seller.com', 'ev-alex'), meeting({ iCalUId: 'uid-secret-lunch', id: 'ev-secret', title: 'Quokka lunch', attendees: ['stranger.quokka@unknown-co.example'] })],
      removedIds: [],
      cursor: 'alex-1',
    }]);
    calendar.next.set('sam@example-seller.com', [{ meetings: [qbr('sam@example-seller.com', 'ev-sam')], removedIds: [], cursor: 'sam-1' }]);
    const first = await round();
    const meetings = Object.fromEntries(first.map((m) => [m.address, m.meetings]));
    expect(meetings['alex@example-seller.com']).toMatchObject({ ok: true, meetingsScanned: 2, meetingsImported: 1, skipped: { 'no-crm-match': 1 } });
    expect(meetings['sam@example-seller.com']).toMatchObject({ ok: true, meetingsImported: 0, alreadyImported: 1 });
    expect(writer.written).toHaveLength(1);
    expect(writer.written[0]).toMatchObject({ key: 'qbr-acme', status: 'active', contactIds: [expect.any(String)], accountIds: [expect.any(String)] });
    expect(writer.written[0]!.dealIds).toHaveLength(1);
    const ledger = sut.store().meetings;
    expect((await ledger.meeting('qbr-acme'))?.holders.map((h) => h.eventId)).toEqual(['ev-alex', 'ev-sam']);
    const alex = first.find((m) => m.address === 'alex@example-seller.com')!;
    expect(await ledger.calendarCursor(alex.mailboxId)).toBe('alex-1');
    const dump = await sut.dump();
    for (const trace of ['uid-secret-lunch', 'ev-secret', 'Quokka', 'stranger.quokka']) expect(dump).not.toContain(trace);

    calendar.next.set('sam@example-seller.com', [{ meetings: [qbr('sam@example-seller.com', 'ev-sam', '2026-04-29T09:00:00.000Z', '2026-04-24T08:00:00.000Z')], removedIds: [], cursor: 'sam-2' }]);
    const second = await round();
    expect(second.find((m) => m.address === 'sam@example-seller.com')?.meetings).toMatchObject({ ok: true, meetingsUpdated: 1 });
    expect(writer.written.map((d) => d.start)).toEqual(['2026-04-28T14:00:00.000Z', '2026-04-29T09:00:00.000Z']);
    expect((await ledger.meeting('qbr-acme'))?.start).toBe('2026-04-29T09:00:00.000Z');
  });
});
