/**
 * One sync round for one tenant (DESIGN §1): pull CRM changes into the domain index, then sync
 * every mailbox, several at a time; one failing mailbox never stops the others. Mailbox work is
 * core's `syncMailbox`; this file only wires the ports together.
 */
import { ActivityWriter } from '../core/activity-writer.js';
import { backfillStart, type BackfillPolicy } from '../core/backfill-window.js';
import type { EngineContext } from '../core/classify.js';
import type { Clock, CrmAdapter, CrmChangeBatch, Mailbox, MailProvider } from '../core/ports.js';
import { enqueueKeys, newLateMatchKeys, DEFAULT_LATE_MATCH_QUERIES_PER_ROUND, DEFAULT_LATE_MATCH_WINDOW_DAYS } from '../core/late-match.js';
import { runLateMatch, type LateMatchOptions, type LateMatchResult } from '../core/late-match-round.js';
import { DEFAULT_REASSOCIATION_WINDOW_DAYS, DEFAULT_REASSOCIATIONS_PER_ROUND, isEmptyTouch, touchedBy, windowStart } from '../core/reassociate.js';
import { runReassociation, type ReassociationResult } from '../core/reassociate-round.js';
import { isSyncError } from '../core/sync-error.js';
import { syncMailbox, type MailboxSyncDeps, type MailboxSyncResult } from '../core/sync-mailbox.js';
import type { CalendarProvider, MeetingWriter } from '../core/meeting.js';
import type { MeetingStore } from '../core/meeting-ledger.js';
import { DEFAULT_WEBINAR_ATTENDEES } from '../core/meeting-qualify.js';
import { calendarWindow, syncCalendar, type CalendarSyncResult } from '../core/sync-calendar.js';
import type { IndexStore, LedgerStore } from '../store/store-ports.js';

export interface TenantSyncDeps {
  provider: MailProvider;
  crm: CrmAdapter;
  /** Either store (store-ports.ts): the embedded index answers the cascade itself. */
  index: IndexStore;
  store: LedgerStore;
  ctx: EngineContext;
  /**
   * With a shared store (PostgreSQL): each page's keys are resolved in one round trip and the
   * cascade reads that answer; `ctx.index` is then not read for lookups.
   */
  resolvePages?: boolean;
  clock: Clock;
  /** Mailboxes synced at once (each still within its provider limits). */
  mailboxConcurrency?: number;
  /** The first-run window (default: oldest open deal, else 7 days, no cap). */
  backfill?: BackfillPolicy;
  /** Only these addresses, when given (a subset of the company's users). */
  mailboxes?: readonly string[];
  /** Never these addresses (mailboxes removed with `mailbridge mailboxes remove`). */
  exclude?: readonly string[];
  onMailbox?(result: MailboxOutcome): void;
  /** The mailboxes this round will visit, once listed. */
  onMailboxes?(mailboxes: readonly Mailbox[]): void;
  onPage?: MailboxSyncDeps['onPage'];
  /** After each CRM batch is applied: records in it, batches so far. */
  onCrmBatch?(progress: { records: number; batches: number }): void;
  /** Called before a mailbox starts: false skips it this round (another process holds it). */
  claim?(mailbox: Mailbox): boolean;
  release?(mailbox: Mailbox): void;
  /** Graceful stop: asked between pages; the batch in flight finishes first. */
  shouldStop?(): boolean;
  /** The round enters a stage (so a failure can say where it stopped). */
  onStage?(stage: 'crm' | 'reassociate' | 'mailboxes' | 'late-match'): void;
  /** Late matching (docs/rules.md): search window and per-round budget; defaults 30 days, 50 searches. */
  lateMatch?: Partial<LateMatchOptions>;
  /** Re-association (docs/rules.md): window and emails decided again per round; defaults 30 days, 200. */
  reassociation?: Partial<{ windowDays: number; maxPerRound: number }>;
  /** Meetings (DESIGN §6): when given, each mailbox's calendar is synced after its mail. */
  calendar?: CalendarSyncParts;
}

export interface CalendarSyncParts {
  provider: CalendarProvider;
  writer: MeetingWriter;
  store: MeetingStore;
  /** `calendar.webinarAttendees` (default 50) and `calendar.daysAhead` (default 30). */
  webinarAttendees?: number;
  daysAhead?: number;
}

/** A calendar's round: what it did, or why it failed (the mailbox's mail outcome stands either way). */
export type CalendarOutcome = ({ ok: true } & CalendarSyncResult) | { ok: false; error: string; code: string | null };

export type MailboxOutcome =
  | ({ ok: true; address: string; meetings?: CalendarOutcome } & MailboxSyncResult)
  /** code `leased`: another process holds the mailbox this round; `not-found`: a mailbox asked
   * for (`mailboxes`) that the provider does not list (mailboxId is then empty). */
  | { ok: false; address: string; mailboxId: string; error: string; code: string | null; setting?: string | null };

export interface TenantSyncResult {
  crmBatches: number;
  mailboxes: MailboxOutcome[];
  lateMatch: LateMatchResult;
  reassociation: ReassociationResult;
}

/**
 * Where an incremental pull queues work (none on the first, full load: the backfill covers it):
 * new CRM keys for late matching, and the imported emails a change touches for re-association.
 */
interface LateMatchIntake {
  ctx: EngineContext;
  now: Date;
  windowDays: number;
  /** Re-association window in days; absent: nothing queued for re-association. */
  reassociationDays?: number;
}

/**
 * Applies CRM changes since the saved cursor, batch by batch, saving the cursor after each. An
 * incremental pull first queues the addresses and domains each batch makes newly matchable.
 */
export async function pullCrm(
  crm: CrmAdapter,
  index: IndexStore,
  store: LedgerStore,
  onBatch?: TenantSyncDeps['onCrmBatch'],
  late?: LateMatchIntake,
): Promise<number> {
  let batches = 0;
  const incremental = (await store.crmCursor(crm.kind)) !== null;
  for await (const batch of crm.pullChanges(await store.crmCursor(crm.kind))) {
    if (late && incremental) {
      // Before the batch is applied: "new" means not matched by the index as it was. Queued
      // first, so a crash before the cursor moves detects the same keys again (no duplicates).
      const found = newLateMatchKeys(batch, late.ctx.index, late.ctx.rules.freeMail);
      if (found.length) await store.saveLateMatchQueue(enqueueKeys(await store.lateMatchQueue(), found, late.now, late.windowDays).queue);
      // The imported emails this change may move, queued before the cursor moves for the same reason.
      const touch = touchedBy(batch, late.ctx.rules.freeMail);
      if (late.reassociationDays !== undefined && !isEmptyTouch(touch)) await store.queueTouched(touch, windowStart(late.now, late.reassociationDays));
    }
    await index.applyChanges(batch);
    await store.saveCrmCursor(crm.kind, batch.cursor);
    batches++;
    onBatch?.({ records: batchSize(batch), batches });
  }
  return batches;
}

function batchSize(b: CrmChangeBatch): number {
  return (b.users?.length ?? 0) + (b.accounts?.length ?? 0) + (b.contacts?.length ?? 0) + (b.leads?.length ?? 0) +
    (b.deals?.length ?? 0) + (b.deleted?.length ?? 0);
}

/** Runs `work` over `items`, `limit` at a time. */
async function eachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  });
  await Promise.all(lanes);
}

export async function syncTenant(deps: TenantSyncDeps): Promise<TenantSyncResult> {
  deps.onStage?.('crm');
  const late: LateMatchOptions = {
    windowDays: deps.lateMatch?.windowDays ?? DEFAULT_LATE_MATCH_WINDOW_DAYS,
    maxQueriesPerRound: deps.lateMatch?.maxQueriesPerRound ?? DEFAULT_LATE_MATCH_QUERIES_PER_ROUND,
  };
  const reassociationDays = deps.reassociation?.windowDays ?? DEFAULT_REASSOCIATION_WINDOW_DAYS;
  const maxPerRound = deps.reassociation?.maxPerRound ?? DEFAULT_REASSOCIATIONS_PER_ROUND;
  // Off (`maxPerRound` 0): nothing is queued either, so no list builds up that no round works off.
  const intake = { ctx: deps.ctx, now: deps.clock.now(), windowDays: late.windowDays, ...(maxPerRound > 0 ? { reassociationDays } : {}) };
  const crmBatches = await pullCrm(deps.crm, deps.index, deps.store, deps.onCrmBatch, intake);
  // Right after the pull, before the scans: replies scanned this round inherit the moved parents.
  deps.onStage?.('reassociate');
  const reassociation = await runReassociation(
    { store: deps.store, crm: deps.crm, ctx: deps.ctx, resolver: deps.resolvePages ? deps.index : undefined, clock: deps.clock, shouldStop: deps.shouldStop },
    {
      windowDays: reassociationDays,
      maxPerRound,
      // DESIGN §1.8 batch sizes: Salesforce 200 (each move is still one composite call), HubSpot 100.
      batchSize: deps.crm.kind === 'hubspot' ? 100 : 200,
    },
  );
  deps.onStage?.('mailboxes');
  let mailboxes = await deps.provider.listMailboxes();
  const outcomes: MailboxOutcome[] = [];
  if (deps.mailboxes) {
    const wanted = new Set(deps.mailboxes.map((a) => a.toLowerCase()));
    const listed = new Set(mailboxes.map((m) => m.address));
    mailboxes = mailboxes.filter((m) => wanted.has(m.address));
    // An address asked for that the provider does not list (a typo, a departed user) fails
    // by name rather than silently syncing nothing.
    for (const address of wanted) {
      if (listed.has(address)) continue;
      const error = `no such mailbox: ${deps.provider.kind} does not list ${address} for this tenant (not in the directory, or not connected)`;
      outcomes.push({ ok: false, address, mailboxId: '', error, code: 'not-found' });
    }
  }
  if (deps.exclude?.length) {
    const removed = new Set(deps.exclude.map((a) => a.toLowerCase()));
    mailboxes = mailboxes.filter((m) => !removed.has(m.address));
  }
  deps.onMailboxes?.(mailboxes);
  for (const o of outcomes) deps.onMailbox?.(o);
  const scanned = await syncMailboxes(deps, mailboxes);

  // After the scans, so mail that simply arrived since the last round is imported by the scan
  // and a late match is only mail found again. Mailboxes that failed or were held wait.
  deps.onStage?.('late-match');
  const synced = new Set(scanned.filter((o) => o.ok && !o.stopped).map((o) => o.address));
  // DESIGN §1.8: Salesforce sObject collections of 200, HubSpot batch create of 100.
  const batchSize = deps.crm.kind === 'hubspot' ? 100 : 200;
  const writer = new ActivityWriter(deps.crm, deps.store, batchSize);
  const lateMatch = await runLateMatch(
    mailboxes.filter((m) => synced.has(m.address)),
    { provider: deps.provider, store: deps.store, writer, ctx: deps.ctx, resolver: deps.resolvePages ? deps.index : undefined, clock: deps.clock, flushAt: batchSize, shouldStop: deps.shouldStop },
    late,
  );
  return { crmBatches, mailboxes: [...outcomes, ...scanned], lateMatch, reassociation };
}

/**
 * Syncs the given mailboxes against the index as it stands (no CRM pull): the second half of a
 * round, and what one worker-pool job runs for its one mailbox.
 */
export async function syncMailboxes(deps: TenantSyncDeps, mailboxes: readonly Mailbox[]): Promise<MailboxOutcome[]> {
  const outcomes: MailboxOutcome[] = [];
  // DESIGN §1.8: Salesforce sObject collections of 200, HubSpot batch create of 100.
  const batchSize = deps.crm.kind === 'hubspot' ? 100 : 200;
  const writer = new ActivityWriter(deps.crm, deps.store, batchSize);
  // Read before the mailbox starts (the index may answer after a round trip); core asks synchronously.
  const backfillFor = async (mailbox: Mailbox): Promise<Date> => {
    const owner = (await deps.index.resolveKeys([mailbox.address])).userByEmail(mailbox.address);
    return backfillStart(owner ? await deps.index.openDealsOwnedBy(owner.id) : [], owner?.id ?? null, deps.clock.now(), deps.backfill);
  };

  await eachLimited(mailboxes, deps.mailboxConcurrency ?? 4, async (mailbox) => {
    if (deps.shouldStop?.()) return;
    if (deps.claim && !deps.claim(mailbox)) {
      const held: MailboxOutcome = { ok: false, address: mailbox.address, mailboxId: mailbox.id, error: 'held by another process', code: 'leased' };
      outcomes.push(held);
      deps.onMailbox?.(held);
      return;
    }
    let outcome: MailboxOutcome;
    try {
      const since = await backfillFor(mailbox);
      const result = await syncMailbox(mailbox, {
        provider: deps.provider,
        store: deps.store,
        writer,
        ctx: deps.ctx,
        resolver: deps.resolvePages ? deps.index : undefined,
        clock: deps.clock,
        backfillSince: () => since,
        onPage: deps.onPage,
        flushAt: batchSize,
        shouldStop: deps.shouldStop,
      });
      outcome = { ok: true, address: mailbox.address, ...result };
      if (deps.calendar && !result.stopped) outcome.meetings = await syncMeetings(deps, deps.calendar, mailbox, since);
    } catch (err) {
      // The mailbox stops here; its cursor is where its last whole page left it.
      outcome = {
        ok: false,
        address: mailbox.address,
        mailboxId: mailbox.id,
        error: err instanceof Error ? err.message : String(err),
        code: isSyncError(err) ? err.code : null,
        // A credential refused for this mailbox (a Gmail service-account key): the setting to check.
        setting: isSyncError(err) ? err.setting : null,
      };
    } finally {
      deps.release?.(mailbox);
    }
    outcomes.push(outcome);
    deps.onMailbox?.(outcome);
  });
  return outcomes;
}

/** The mailbox's calendar over the same backfill plus `daysAhead`; a failure is the calendar's alone. */
async function syncMeetings(deps: TenantSyncDeps, parts: CalendarSyncParts, mailbox: Mailbox, since: Date): Promise<CalendarOutcome> {
  try {
    const result = await syncCalendar(mailbox, {
      provider: parts.provider,
      store: parts.store,
      writer: parts.writer,
      ctx: { ...deps.ctx, webinarAttendees: parts.webinarAttendees ?? DEFAULT_WEBINAR_ATTENDEES },
      resolver: deps.resolvePages ? deps.index : undefined,
      clock: deps.clock,
      window: () => calendarWindow(since, deps.clock.now(), parts.daysAhead),
      shouldStop: deps.shouldStop,
    });
    return { ok: true, ...result };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err), code: isSyncError(err) ? err.code : null };
  }
}
