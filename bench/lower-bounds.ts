/**
 * What the benchmarks count and the fewest calls the work could take, shared so `bench:providers`,
 * `bench:crm` and `bench:sync` measure against the same bounds.
 */
import type { RequestCounters } from '../src/emulators/common/request-counters.js';

/** Largest Graph delta page (`Prefer: odata.maxpagesize`, messages) and `$batch` size. */
export const GRAPH_PAGE = 1_000;
export const GRAPH_BATCH = 20;
/** Documented write batch sizes: Salesforce sObject collections, HubSpot batch create. */
export const CRM_WRITE_BATCH = { salesforce: 200, hubspot: 100 } as const;

/** HTTP API requests served: not token calls, not the inner items of batches. */
export function apiCalls(counters: RequestCounters): number {
  return Object.entries(counters.byKind())
    .filter(([kind]) => kind !== 'token' && kind !== 'identity' && kind !== 'authorize' && !kind.startsWith('batch:'))
    .reduce((sum, [, n]) => sum + n, 0);
}

/** Sum of `cost(messages in the folder)` over every scanned folder of every mailbox. */
export function perFolder(
  emu: { store: { mailboxes(): { address: string }[] }; control: { messageIds(address: string, folder: 'inbox' | 'sent'): string[] } },
  cost: (messages: number) => number,
): number {
  let total = 0;
  for (const box of emu.store.mailboxes()) {
    for (const folder of ['inbox', 'sent'] as const) total += cost(emu.control.messageIds(box.address, folder).length);
  }
  return total;
}

/** Graph: delta pages at the largest page size, plus one `$batch` per 20 bodies of each mailbox. */
export function graphLowerBound(
  emu: Parameters<typeof perFolder>[0],
  bodiesPerMailbox: readonly number[],
): number {
  const pages = perFolder(emu, (n) => Math.max(1, Math.ceil(n / GRAPH_PAGE)));
  return pages + bodiesPerMailbox.reduce((s, n) => s + Math.ceil(n / GRAPH_BATCH), 0);
}

/**
 * Fewest calls any idempotent write-back can make with the documented batch sizes: Salesforce
 * one upsert per 200 EmailMessages and one create per 200 relation rows; HubSpot one batch
 * create per 100 engagements (associations inline).
 */
export function writeLowerBound(crm: 'salesforce' | 'hubspot', activities: number, relations: number): number {
  return crm === 'salesforce'
    ? Math.ceil(activities / CRM_WRITE_BATCH.salesforce) + Math.ceil(relations / CRM_WRITE_BATCH.salesforce)
    : Math.ceil(activities / CRM_WRITE_BATCH.hubspot);
}
