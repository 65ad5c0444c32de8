/**
 * Sees every request the demo's emulators serve, as it arrives and before it is answered: the
 * chaos run kills the sync process right there (so a CRM write can land while the process that
 * sent it never learns of it), and both runs count requests per round to place those kills.
 */
import type { DemoEmulators } from './demo-emulators.js';

export type RequestSource = 'mail' | 'crm';

/** What a request was for, as far as crash placement cares. */
export type RequestClass = 'startup' | 'mail' | 'crm-write' | 'crm-read';

export interface RoundRequests {
  total: number;
  mail: number;
  crmWrites: number;
}

// Mail and calendar reads (Graph calendarView delta, Google calendar.events.list).
const MAIL_WORK = /messages|delta|history|batch|calendar/;
// Salesforce sObject collections (EmailMessage, Event) and composite calls (re-association);
// HubSpot email creates and updates, meeting writes, association writes.
const CRM_WRITE = /^collections-(upsert|create|update)$|create-emails$|(create|update)-meetings$|^associations-batch-(create|archive)$|^composite$|^batch-update-emails$/;
const SETUP = new Set(['control', 'token', 'identity', 'authorize', 'oauth']);

export function classifyRequest(source: RequestSource, kind: string): RequestClass | null {
  if (SETUP.has(kind)) return kind === 'control' ? null : 'startup';
  if (source === 'mail') return MAIL_WORK.test(kind) ? 'mail' : 'startup';
  return CRM_WRITE.test(kind) ? 'crm-write' : 'crm-read';
}

type Listener = (cls: RequestClass, kind: string) => void;

export class RequestTap {
  private readonly listeners = new Set<Listener>();
  private current: RoundRequests = { total: 0, mail: 0, crmWrites: 0 };
  private readonly done: RoundRequests[] = [];

  constructor(emulators: DemoEmulators) {
    const servers = emulators.servers();
    for (const source of ['mail', 'crm'] as const) {
      const counters = servers[source].counters;
      const count = counters.count.bind(counters);
      // The emulators count each request once, on arrival, before faults and the handler run.
      counters.count = (kind: string) => {
        count(kind);
        const cls = classifyRequest(source, kind);
        if (cls) this.emit(cls, kind);
      };
    }
  }

  private emit(cls: RequestClass, kind: string): void {
    this.current.total++;
    if (cls === 'mail') this.current.mail++;
    if (cls === 'crm-write') this.current.crmWrites++;
    for (const l of this.listeners) l(cls, kind);
  }

  /** Calls `listener` for every request from now on; returns the unsubscribe. */
  on(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Closes the current round's counts. */
  endRound(): void {
    this.done.push(this.current);
    this.current = { total: 0, mail: 0, crmWrites: 0 };
  }

  rounds(): RoundRequests[] {
    return [...this.done];
  }
}
