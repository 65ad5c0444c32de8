/**
 * The demo's bundled services: one mail emulator (Graph or Gmail) and one CRM emulator
 * (Salesforce or HubSpot) seeded with the demo tenant, behind one small surface: the config
 * entries that point mailbridge at them, new-mail delivery, fault injection, a request tap, and
 * the activities the CRM holds, read back in one shape whichever CRM it is.
 */
import type { CalendarControl } from '../emulators/common/calendar-control.js';
import type { CalendarDescription } from '../emulators/common/calendar-store.js';
import type { FaultRule } from '../emulators/common/faults.js';
import type { RunningEmulator } from '../emulators/common/http-emulator.js';
import type { SeedMessage } from '../emulators/common/mail-store.js';
import { startGmailEmulator } from '../emulators/gmail/gmail-emulator.js';
import { startGraphEmulator } from '../emulators/graph/graph-emulator.js';
import { startHubspotEmulator } from '../emulators/hubspot/hubspot-emulator.js';
import { startSalesforceEmulator } from '../emulators/salesforce/salesforce-emulator.js';
import { demoCalendars } from './demo-meetings.js';
import { initialMailboxes, type DemoTenant } from './demo-tenant.js';

export type DemoProvider = 'graph' | 'gmail';
export type DemoCrm = 'salesforce' | 'hubspot';

/** An activity as the CRM emulator holds it. */
export interface DemoActivity {
  crmId: string;
  /** The dedupe key mailbridge wrote on it (Salesforce Mailbridge_Key__c, HubSpot mailbridge_key). */
  key: string | null;
  subject: string;
  /** Salesforce RelatedToId; HubSpot: the associated deal, else the company. */
  relatedTo: string | null;
  /** Every CRM record the activity is linked to (relations or associations). */
  linked: string[];
  explanation: string;
}

/** A meeting activity as the CRM emulator holds it (Salesforce Event, HubSpot meeting). */
export interface DemoMeetingActivity {
  crmId: string;
  /** The meeting key mailbridge wrote (Mailbridge_Key__c, mailbridge_key). */
  key: string | null;
  subject: string;
  start: string;
  end: string;
  /** Marked cancelled: `Cancelled: ` subject prefix (Salesforce), outcome CANCELED (HubSpot). */
  cancelled: boolean;
  /** Every CRM record the meeting is linked to (WhatId, WhoId and relations, or associations). */
  linked: string[];
}

export interface DemoEmulators {
  provider: DemoProvider;
  crm: DemoCrm;
  mailUrl: string;
  crmUrl: string;
  /** The tenant's `mail` and `crm` config entries; `files` are written beside the config. */
  config(): { mail: Record<string, unknown>; crm: Record<string, unknown>; files: Record<string, string> };
  deliver(address: string, message: SeedMessage): void;
  activities(): DemoActivity[];
  /** Links that repeat on one activity (Salesforce relation rows, HubSpot associations). */
  duplicateRelations(): number;
  /** Meeting activities the CRM holds (issue 15). */
  meetings(): DemoMeetingActivity[];
  mailFault(rule: FaultRule): void;
  crmFault(rule: FaultRule): void;
  clearFaults(): void;
  faultsServed(): number;
  /** The running servers, for request counting. */
  servers(): { mail: RunningEmulator; crm: RunningEmulator };
  /** The mail emulator's calendars (seeded with demo-meetings.ts): move, cancel, delete meetings. */
  calendar: CalendarControl;
  /** Changes made in the CRM after the first sync, as a user would (the re-association round). */
  crmChange: CrmChanges;
  close(): Promise<void>;
}

/** CRM edits the demo makes between rounds; each moves the CRM's clock on, so the next pull sees it. */
export interface CrmChanges {
  /** Closes a deal (lost) with the given close date (`YYYY-MM-DD`). */
  closeDeal(id: string, closeDate: string): void;
  /** Moves a contact to another account. */
  moveContact(id: string, accountId: string): void;
  /** Adds a contact, at an account or at none; returns its id. */
  addContact(name: string, email: string, accountId: string | null): string;
}

export const GMAIL_SERVICE_ACCOUNT_FILE = 'gmail-service-account.json';

export async function startDemoEmulators(tenant: DemoTenant, provider: DemoProvider, crm: DemoCrm): Promise<DemoEmulators> {
  const mailboxes = initialMailboxes(tenant);
  const closers: (() => Promise<void>)[] = [];
  try {
    const calendars = demoCalendars(tenant);
    const mail = provider === 'graph' ? await graphSide(mailboxes, calendars) : await gmailSide(mailboxes, tenant.mailboxAddresses, calendars);
    closers.push(mail.close);
    const crmSide = crm === 'salesforce' ? await salesforceSide(tenant) : await hubspotSide(tenant);
    closers.push(crmSide.close);
    return {
      provider,
      crm,
      mailUrl: mail.server.url,
      crmUrl: crmSide.server.url,
      config: () => ({ mail: mail.config, crm: crmSide.config, files: mail.files }),
      deliver: mail.deliver,
      activities: crmSide.activities,
      duplicateRelations: crmSide.duplicateRelations,
      meetings: crmSide.meetings,
      mailFault: (rule) => mail.server.faults.add(rule),
      crmFault: (rule) => crmSide.server.faults.add(rule),
      clearFaults: () => {
        mail.server.faults.clear();
        crmSide.server.faults.clear();
      },
      faultsServed: () => mail.server.faults.servedCount() + crmSide.server.faults.servedCount(),
      servers: () => ({ mail: mail.server, crm: crmSide.server }),
      calendar: mail.calendar,
      crmChange: crmSide.change,
      close: async () => {
        for (const close of closers.reverse()) await close();
      },
    };
  } catch (err) {
    for (const close of closers.reverse()) await close();
    throw err;
  }
}

interface MailSide {
  server: RunningEmulator;
  config: Record<string, unknown>;
  files: Record<string, string>;
  deliver(address: string, message: SeedMessage): void;
  calendar: CalendarControl;
  close(): Promise<void>;
}

async function graphSide(mailboxes: ReturnType<typeof initialMailboxes>, calendars: CalendarDescription[]): Promise<MailSide> {
  const graph = await startGraphEmulator({ mailboxes, calendars });
  return {
    server: graph.emulator,
    // MSAL and the Graph SDK reach the emulator through `baseUrl` and `authorityHost` only.
    config: { provider: 'graph', mode: 'company', ...graph.credentials, baseUrl: graph.url, authorityHost: graph.url },
    files: {},
    deliver: (address, message) => void graph.control.addMessage(address, message),
    calendar: graph.control,
    close: () => graph.close(),
  };
}

async function gmailSide(mailboxes: ReturnType<typeof initialMailboxes>, users: string[], calendars: CalendarDescription[]): Promise<MailSide> {
  const gmail = await startGmailEmulator({ mailboxes, calendars });
  return {
    server: gmail.emulator,
    config: { provider: 'gmail', mode: 'company', serviceAccountFile: GMAIL_SERVICE_ACCOUNT_FILE, users, rootUrl: `${gmail.url}/`, tokenOrigin: gmail.url },
    files: { [GMAIL_SERVICE_ACCOUNT_FILE]: JSON.stringify(gmail.serviceAccount, null, 2) },
    deliver: (address, message) => void gmail.control.addMessage(address, message),
    calendar: gmail.control,
    close: () => gmail.close(),
  };
}

interface CrmSide {
  server: RunningEmulator;
  config: Record<string, unknown>;
  activities(): DemoActivity[];
  duplicateRelations(): number;
  meetings(): DemoMeetingActivity[];
  change: CrmChanges;
  close(): Promise<void>;
}

async function salesforceSide(tenant: DemoTenant): Promise<CrmSide> {
  const sf = await startSalesforceEmulator({ snapshot: tenant.snapshot });
  const c = sf.credentials;
  return {
    server: sf,
    config: { kind: 'salesforce', loginUrl: c.loginUrl, clientId: c.clientId, clientSecret: c.clientSecret },
    change: {
      closeDeal: (id, closeDate) => {
        sf.control.advanceClock(60_000);
        sf.control.updateRecord('Opportunity', id, { IsClosed: true, StageName: 'Closed Lost', CloseDate: closeDate });
      },
      moveContact: (id, accountId) => {
        sf.control.advanceClock(60_000);
        sf.control.updateRecord('Contact', id, { AccountId: accountId });
      },
      addContact: (name, email, accountId) => {
        sf.control.advanceClock(60_000);
        return sf.control.createRecord('Contact', { Name: name, Email: email, AccountId: accountId });
      },
    },
    activities: () =>
      sf.control.emails().map(({ record, relations }) => ({
        crmId: String(record.Id),
        key: typeof record.Mailbridge_Key__c === 'string' ? record.Mailbridge_Key__c : null,
        subject: String(record.Subject ?? ''),
        relatedTo: typeof record.RelatedToId === 'string' ? record.RelatedToId : null,
        linked: [...new Set([...(typeof record.RelatedToId === 'string' ? [record.RelatedToId] : []), ...relations.map((r) => String(r.RelationId)).filter((id) => id !== 'null')])],
        explanation: String(record.Mailbridge_Explanation__c ?? ''),
      })),
    duplicateRelations: () => {
      let repeats = 0;
      for (const { relations } of sf.control.emails()) {
        const seen = new Set<string>();
        for (const r of relations) {
          const k = `${String(r.RelationId)}|${String(r.RelationType)}|${String(r.RelationAddress)}`;
          if (seen.has(k)) repeats++;
          seen.add(k);
        }
      }
      return repeats;
    },
    meetings: () =>
      sf.control.meetings().map(({ record, relations }) => {
        const subject = String(record.Subject ?? '');
        const ids = [record.WhatId, record.WhoId, ...relations.map((r) => r.RelationId)].filter((id): id is string => typeof id === 'string');
        return {
          crmId: String(record.Id),
          key: typeof record.Mailbridge_Key__c === 'string' ? record.Mailbridge_Key__c : null,
          subject,
          start: String(record.StartDateTime ?? ''),
          end: String(record.EndDateTime ?? ''),
          cancelled: subject.startsWith('Cancelled: '),
          linked: [...new Set(ids)],
        };
      }),
    close: () => sf.close(),
  };
}

async function hubspotSide(tenant: DemoTenant): Promise<CrmSide> {
  const hs = await startHubspotEmulator({ snapshot: tenant.snapshot });
  return {
    server: hs,
    config: { kind: 'hubspot', accessToken: hs.credentials.accessToken, basePath: hs.credentials.basePath },
    change: {
      closeDeal: (id, closeDate) => {
        hs.control.advanceClock(60_000);
        hs.control.updateObject('deals', id, { dealstage: 'closedlost', hs_is_closed: 'true', closedate: `${closeDate}T00:00:00.000Z` });
      },
      // HubSpot holds a contact's primary company in `associatedcompanyid`, beside the association.
      moveContact: (id, accountId) => {
        hs.control.advanceClock(60_000);
        const old = hs.control.store.live('contacts', id)?.properties.associatedcompanyid;
        if (old) hs.control.dissociate('contacts', id, 'companies', old);
        hs.control.associate('contacts', id, 'companies', accountId, 1);
        hs.control.updateObject('contacts', id, { associatedcompanyid: accountId });
      },
      addContact: (name, email, accountId) => {
        hs.control.advanceClock(60_000);
        const [first, ...rest] = name.split(' ');
        const id = hs.control.createObject('contacts', { email, firstname: first ?? name, lastname: rest.join(' '), associatedcompanyid: accountId, lifecyclestage: 'customer' });
        if (accountId) hs.control.associate('contacts', id, 'companies', accountId, 1);
        return id;
      },
    },
    activities: () =>
      hs.control.emails().map((e) => ({
        crmId: e.id,
        key: e.properties.mailbridge_key ?? null,
        subject: e.properties.hs_email_subject ?? '',
        relatedTo: e.associations.deals[0] ?? e.associations.companies[0] ?? null,
        linked: [...e.associations.deals, ...e.associations.companies, ...e.associations.contacts],
        explanation: e.properties.mailbridge_explanation ?? '',
      })),
    duplicateRelations: () => {
      let repeats = 0;
      for (const { associations } of hs.control.emails()) {
        for (const ids of [associations.contacts, associations.companies, associations.deals]) repeats += ids.length - new Set(ids).size;
      }
      return repeats;
    },
    meetings: () =>
      hs.control.meetings().map((m) => ({
        crmId: m.id,
        key: m.properties.mailbridge_key ?? null,
        subject: m.properties.hs_meeting_title ?? '',
        start: m.properties.hs_meeting_start_time ?? '',
        end: m.properties.hs_meeting_end_time ?? '',
        cancelled: m.properties.hs_meeting_outcome === 'CANCELED',
        linked: [...m.associations.deals, ...m.associations.companies, ...m.associations.contacts],
      })),
    close: () => hs.close(),
  };
}

/** Activities that share a dedupe key with an earlier one: what a crash must never produce. */
export function duplicateActivities(activities: readonly Pick<DemoActivity, 'key'>[]): number {
  const seen = new Set<string>();
  let repeats = 0;
  for (const a of activities) {
    if (a.key === null) continue;
    if (seen.has(a.key)) repeats++;
    seen.add(a.key);
  }
  return repeats;
}
