/**
 * Reads back what a demo run left behind, from the tenant's own (decrypted) database and the CRM
 * emulator: the ledger, the reason counters, the holders, and a few imported emails with their
 * associations and explanations. The same read-out serves the clean run and the chaos run, so
 * the two are compared on the durable state, not on what a killed process might have printed.
 */
import { openTenant } from '../app/open-tenant.js';
import { normalizeMessageId } from '../core/dedupe.js';
import type { DemoWorkspace } from './demo-config.js';
import { duplicateActivities, type DemoActivity, type DemoEmulators, type DemoMeetingActivity } from './demo-emulators.js';
import { messageIdOf, recordName, type DemoEmail, type DemoTenant } from './demo-tenant.js';

export interface SampleEmail {
  label: string;
  subject: string;
  direction: string;
  sentAt: string;
  crmId: string;
  relatedTo: { id: string; name: string } | null;
  linked: { kind: string; id: string; name: string }[];
  holders: string[];
  explanation: string;
}

export interface DemoState {
  /** Imported emails: one ledger row each. */
  ledgerEntries: number;
  /** Mailbox copies accounted for: every scanned copy is a reason counter or a holder. */
  accountedCopies: number;
  /** Reason counters summed over mailboxes. */
  skipped: Record<string, number>;
  /** Dedupe keys of the CRM's activities, sorted. */
  crmKeys: string[];
  activitiesWritten: number;
  duplicateActivities: number;
  duplicateLinks: number;
  samples: SampleEmail[];
  /** Meetings (issue 15), from the meeting ledger and the CRM's meeting activities. */
  meetings: DemoMeetingState;
}

export interface DemoMeetingState {
  /** Imported meetings: one ledger row each (each occurrence of a series is one). */
  ledgerEntries: number;
  /** Calendar copies accounted for: each is a reason counter or a holder of an imported meeting. */
  accountedCopies: number;
  /** Reason counters summed over calendars. */
  skipped: Record<string, number>;
  /** Meeting activities the CRM holds. */
  activitiesWritten: number;
  /** Meeting activities sharing a key with an earlier one: never expected. */
  duplicateMeetings: number;
  /** Each CRM meeting as `key start end [cancelled]`, sorted: what a move or a cancellation changes. */
  crmState: string[];
}

/** The dedupe key mailbridge gives a demo email (DESIGN §1.5). */
export function demoKey(email: DemoEmail): string {
  return `mid:${normalizeMessageId(messageIdOf(email))}`;
}

/** The labels shown as examples: threads across mailboxes and the 14-day rule at work. */
export function sampleLabels(crm: 'salesforce' | 'hubspot'): string[] {
  return ['initech-three-holders', 'vandelay-13-days', 'stark-15-days', 'umbrella-15-days', crm === 'salesforce' ? 'lead-by-domain' : 'globex-subdomain'];
}

/** One CRM meeting as compared between runs: times as instants, so wire formats do not differ. */
function meetingLine(m: DemoMeetingActivity): string {
  const at = (v: string) => (/^\d+$/.test(v) ? new Date(Number(v)).toISOString() : Number.isNaN(Date.parse(v)) ? v : new Date(v).toISOString());
  return `${m.key ?? `(no key) ${m.crmId}`} ${at(m.start)} ${at(m.end)}${m.cancelled ? ' cancelled' : ''}`;
}

export async function inspectWorkspace(ws: DemoWorkspace, tenant: DemoTenant, emulators: DemoEmulators): Promise<DemoState> {
  const open = await openTenant(ws.config, ws.config.tenants[0]!, { clock: { now: () => tenant.now } });
  try {
    // Through the store ports, so the same inspection reads either store.
    const { ledger, status, meetings } = open.stores;
    const statuses = await status.mailboxStatuses();
    const mailboxIds = [...new Set(statuses.flatMap((s) => (s.mailboxId ? [s.mailboxId] : [])))];
    const counts: Record<string, number> = {};
    let held = 0;
    for (const id of mailboxIds) {
      for (const [reason, n] of Object.entries(await ledger.reasonCounts(id))) counts[reason] = (counts[reason] ?? 0) + n;
      held += await ledger.importedCount(id);
    }
    const skipped = Object.fromEntries(Object.entries(counts).filter(([, n]) => n).sort(([a], [b]) => (a < b ? -1 : 1)));
    const addressOf = new Map(statuses.map((s) => [s.mailboxId, s.address]));
    const records = async (key: string) =>
      (await ledger.records(key)).sort((a, b) => (a.kind === b.kind ? (a.recordId < b.recordId ? -1 : a.recordId > b.recordId ? 1 : 0) : a.kind < b.kind ? -1 : 1));
    const activities = emulators.activities();
    const byKey = new Map<string, DemoActivity>(activities.filter((a) => a.key).map((a) => [a.key!, a]));

    const samples: SampleEmail[] = [];
    for (const label of sampleLabels(emulators.crm)) {
      const email = tenant.emails.find((e) => e.label === label);
      const entry = email ? await ledger.entry(demoKey(email)) : undefined;
      if (!email || !entry) continue;
      const activity = byKey.get(entry.key);
      const relatedId = activity?.relatedTo ?? entry.relatedToId;
      samples.push({
        label,
        subject: entry.subject,
        direction: entry.direction,
        sentAt: entry.sentAt,
        crmId: entry.crmId,
        relatedTo: relatedId ? { id: relatedId, name: recordName(tenant, relatedId) } : null,
        linked: (await records(entry.key))
          .filter((r) => r.kind !== 'user')
          .map((r) => ({ kind: r.kind, id: r.recordId, name: recordName(tenant, r.recordId) })),
        holders: entry.holders.map((id) => addressOf.get(id) ?? id),
        explanation: activity?.explanation ?? entry.explanation,
      });
    }

    const skippedTotal = Object.values(skipped).reduce((a, b) => a + b, 0);
    const meetingCounts: Record<string, number> = {};
    let meetingsHeld = 0;
    for (const id of mailboxIds) {
      for (const [reason, n] of Object.entries(await meetings.meetingReasonCounts(id))) meetingCounts[reason] = (meetingCounts[reason] ?? 0) + n;
      meetingsHeld += await meetings.importedMeetingCount(id);
    }
    const meetingSkipped = Object.fromEntries(Object.entries(meetingCounts).filter(([, n]) => n).sort(([a], [b]) => (a < b ? -1 : 1)));
    const crmMeetings = emulators.meetings();
    return {
      ledgerEntries: await ledger.importedCount(),
      accountedCopies: skippedTotal + held,
      skipped,
      crmKeys: activities.map((a) => a.key ?? `(no key) ${a.crmId}`).sort(),
      activitiesWritten: activities.length,
      duplicateActivities: duplicateActivities(activities),
      duplicateLinks: emulators.duplicateRelations(),
      samples,
      meetings: {
        ledgerEntries: await meetings.importedMeetingCount(),
        accountedCopies: Object.values(meetingSkipped).reduce((a, b) => a + b, 0) + meetingsHeld,
        skipped: meetingSkipped,
        activitiesWritten: crmMeetings.length,
        duplicateMeetings: duplicateActivities(crmMeetings),
        crmState: crmMeetings.map(meetingLine).sort(),
      },
    };
  } finally {
    await open.close();
  }
}
