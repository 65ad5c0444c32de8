/**
 * `CrmAdapter` for HubSpot through @hubspot/api-client 13.5.0, pointed at the real API or the
 * emulator by `basePath` only. The SDK's own limiter and retries are switched off (its
 * decorators are a process-wide singleton and know nothing of the headers): one bottleneck
 * spacing calls to 75% of `X-HubSpot-RateLimit-Max` per interval, one search limiter at 75% of 5/s,
 * and the daily `CallBudget` fed by `X-HubSpot-RateLimit-Daily[-Remaining]` do the pacing.
 */
import Bottleneck from 'bottleneck';
import { Client } from '@hubspot/api-client';
import type { ActivityDraft, ActivityMove, CrmAdapter, CrmChangeBatch, CrmLimits, MoveOutcome, WriteOutcome } from '../../core/ports.js';
import { CallBudget, withBudget } from '../call-budget.js';
import { toSyncError, uniqueValueConflict } from './hubspot-errors.js';
import { KEY_PROPERTY, MAILBRIDGE_EMAIL_PROPERTIES, hsObject, toContact } from './hubspot-mapping.js';
import { pullHubspot, type HsPullApi } from './hubspot-pull.js';
import { HS_BATCH, writeHubspotBatch, type DedupeMode, type HsWriteApi, type ItemError } from './hubspot-write.js';
import type { MeetingWriteOutcome, MeetingWriter } from '../../core/meeting.js';
import { writeHubspotMeetings, type HsMeetingApi } from './hubspot-meetings.js';
import { moveHubspotActivities, type HsMoveApi } from './hubspot-move.js';

export interface HubspotAdapterOptions {
  accessToken: string;
  /** `https://api.hubapi.com` by default; the emulator's URL in tests and the demo. */
  basePath?: string;
  /** Share of each documented or reported limit we use (default 0.75). */
  share?: number;
  /** Requests per interval before any header is seen (Free/Starter 100, Pro/Enterprise 190). */
  tenSecondlyMax?: number;
  /** Length of that window before any header is seen (10,000 ms). */
  intervalMs?: number;
  searchPerSecond?: number;
  /** Wait after a DAILY 429 (default: until midnight UTC). */
  dailyPauseMs?: number;
  maxPauseMs?: number;
  /** `unique-property` skips the read before create and relies on `mailbridge_key` being unique. */
  dedupe?: DedupeMode;
  /** First backoff step when a write chunk is retried. */
  retryBaseMs?: number;
  pageSize?: number;
}

type HttpInfo<T> = { headers: Record<string, string>; data: T };

export class HubspotAdapter implements CrmAdapter {
  readonly kind = 'hubspot' as const;
  private readonly client: Client;
  private readonly limiter: Bottleneck;
  private readonly searchLimiter: Bottleneck;
  private readonly budget: CallBudget;
  private readonly share: number;
  private window = { max: 0, interval: 0 };
  private windowPausedUntil = 0;

  constructor(private readonly opts: HubspotAdapterOptions) {
    this.share = opts.share ?? 0.75;
    this.client = new Client({ accessToken: opts.accessToken, basePath: opts.basePath, numberOfApiCallRetries: 0 });
    const cap = Math.max(1, Math.floor((opts.tenSecondlyMax ?? 100) * this.share));
    this.limiter = new Bottleneck({ maxConcurrent: 6, minTime: Math.ceil((opts.intervalMs ?? 10_000) / cap) });
    this.searchLimiter = new Bottleneck({ maxConcurrent: 1, minTime: Math.ceil(1000 / ((opts.searchPerSecond ?? 5) * this.share)) });
    this.budget = new CallBudget({ share: this.share, pauseMs: opts.dailyPauseMs ?? 3_600_000, maxPauseMs: opts.maxPauseMs });
  }

  /** Feeds the pacing and the daily budget from the rate-limit headers. */
  private observe(headers: Record<string, string | undefined> | undefined): void {
    if (!headers) return;
    const daily = Number(headers['x-hubspot-ratelimit-daily']);
    const remaining = Number(headers['x-hubspot-ratelimit-daily-remaining']);
    if (Number.isFinite(daily) && Number.isFinite(remaining) && daily > 0) this.budget.observe(daily - remaining, daily);
    const max = Number(headers['x-hubspot-ratelimit-max']);
    const interval = Number(headers['x-hubspot-ratelimit-interval-milliseconds']);
    if (!(max > 0 && interval > 0)) return;
    if (max !== this.window.max || interval !== this.window.interval) {
      this.window = { max, interval };
      // Spread our share of the window evenly. (Only minTime is updated: bottleneck 2.19.5's
      // updateSettings stops the reservoir refresh timer, so no reservoir is used here.)
      void this.limiter.updateSettings({ minTime: Math.ceil(interval / Math.max(1, Math.floor(max * this.share))) });
    }
    const left = Number(headers['x-hubspot-ratelimit-remaining']);
    // The portal's other apps share the window: once only their quarter is left, wait it out.
    if (Number.isFinite(left) && left <= Math.ceil((1 - this.share) * max)) this.windowPausedUntil = Date.now() + interval;
  }

  /** Waits (one timer) while the rolling window is spent. */
  private async windowGate(): Promise<void> {
    for (let wait = this.windowPausedUntil - Date.now(); wait > 0; wait = this.windowPausedUntil - Date.now()) {
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  private async call<T>(fn: () => Promise<HttpInfo<T>>, opts: { search?: boolean; attempts?: number } = {}): Promise<T> {
    const limiter = opts.search ? this.searchLimiter : this.limiter;
    return withBudget(
      this.budget,
      async () => {
        try {
          if (!opts.search) await this.windowGate();
          const info = await limiter.schedule(fn);
          this.observe(info.headers);
          return info.data;
        } catch (error) {
          this.observe((error as { headers?: Record<string, string> })?.headers);
          throw error;
        }
      },
      (error) => toSyncError(error, this.opts.dailyPauseMs),
      opts.attempts ?? 5,
    );
  }

  private pullApi(): HsPullApi {
    const crm = this.client.crm;
    const searchApis: Record<string, { doSearchWithHttpInfo(body: never): Promise<HttpInfo<unknown>> }> = {
      companies: crm.companies.searchApi as never,
      contacts: crm.contacts.searchApi as never,
      deals: crm.deals.searchApi as never,
    };
    const basicApis: Record<string, { getPageWithHttpInfo(...args: unknown[]): Promise<HttpInfo<unknown>> }> = {
      companies: crm.companies.basicApi as never,
      contacts: crm.contacts.basicApi as never,
      deals: crm.deals.basicApi as never,
    };
    const pageOf = (data: unknown) => {
      const d = data as { results?: unknown[]; total?: number; paging?: { next?: { after?: string } } };
      return { results: d.results ?? [], total: d.total ?? 0, after: d.paging?.next?.after ?? null };
    };
    return {
      search: async (type, body) => pageOf(await this.call(() => searchApis[type]!.doSearchWithHttpInfo(body as never), { search: true })),
      owners: async (after) => pageOf(await this.call(() => crm.owners.ownersApi.getPageWithHttpInfo(undefined, after, 500, false) as never)),
      archived: async (type, after) => pageOf(await this.call(() => basicApis[type]!.getPageWithHttpInfo(100, after, [], undefined, undefined, true))),
      associations: async (fromType, toType, ids) => {
        type Row = {
          _from?: { id: string };
          from?: { id: string };
          to?: { toObjectId: string | number; associationTypes?: { typeId: number }[] }[];
          paging?: { next?: { after?: string } };
        };
        const out = new Map<string, { id: string; typeIds: number[] }[]>();
        // Each input pages on its own past 500 associations: ask again for those with `after`.
        let inputs: { id: string; after?: string }[] = ids.map((id) => ({ id }));
        while (inputs.length) {
          const request = inputs;
          const data = (await this.call(() => crm.associations.v4.batchApi.getPageWithHttpInfo(fromType, toType, { inputs: request }) as never)) as { results?: Row[] };
          inputs = [];
          for (const r of data.results ?? []) {
            const from = r._from?.id ?? r.from?.id;
            if (!from) continue;
            const links = (r.to ?? []).map((t) => ({ id: String(t.toObjectId), typeIds: (t.associationTypes ?? []).map((x) => x.typeId) }));
            out.set(String(from), [...(out.get(String(from)) ?? []), ...links]);
            const after = r.paging?.next?.after;
            if (after) inputs.push({ id: String(from), after });
          }
        }
        return out;
      },
      closedDealStages: async () => {
        const data = (await this.call(() => crm.pipelines.pipelinesApi.getAllWithHttpInfo('deals') as never)) as {
          results?: { stages?: { id: string; metadata?: Record<string, string> }[] }[];
        };
        return new Set((data.results ?? []).flatMap((p) => (p.stages ?? []).filter((s) => s.metadata?.isClosed === 'true').map((s) => s.id)));
      },
    };
  }

  /** One cheap call (a page of one owner): proves the access token, once, no retries. */
  async verifyAccess(): Promise<void> {
    await this.call(() => this.client.crm.owners.ownersApi.getPageWithHttpInfo(undefined, undefined, 1, false) as never, { attempts: 1 });
  }

  async *pullChanges(cursor: string | null): AsyncIterable<CrmChangeBatch> {
    yield* pullHubspot(this.pullApi(), cursor, { pageSize: this.opts.pageSize ?? 200, maxResults: 10_000 });
  }

  /** Read by key and create, for emails or (`batch` of meetings) meetings. */
  private writeApi(batch = this.client.crm.objects.emails.batchApi): HsWriteApi {
    return {
      readByKeys: async (keys) => {
        const data = (await this.call(
          () => batch.readWithHttpInfo({ idProperty: KEY_PROPERTY, inputs: keys.map((id) => ({ id })), properties: [KEY_PROPERTY], propertiesWithHistory: [] }) as never,
        )) as { results?: unknown[] };
        return data.results ?? [];
      },
      createBatch: async (inputs) => {
        let data: { results?: unknown[]; errors?: { message?: string; category?: string }[] };
        try {
          data = (await this.call(() => batch.createWithHttpInfo({ inputs: inputs as never }) as never, { attempts: 1 })) as typeof data;
        } catch (error) {
          // A taken key refuses the whole batch (409, or 400 for custom unique properties).
          const conflict = uniqueValueConflict(error);
          if (conflict !== null) return { conflict };
          throw error;
        }
        return { results: data.results ?? [], errors: data.errors ?? [] };
      },
    };
  }

  async writeActivities(drafts: readonly ActivityDraft[]): Promise<WriteOutcome[]> {
    const outcomes: WriteOutcome[] = [];
    for (let i = 0; i < drafts.length; i += HS_BATCH) outcomes.push(...(await this.writeChunk(drafts.slice(i, i + HS_BATCH))));
    return outcomes;
  }

  private writeChunk(chunk: readonly ActivityDraft[]): Promise<WriteOutcome[]> {
    // After a lost response, never trust the unique property alone: look first.
    return this.retryChunk(chunk, (attempt) => writeHubspotBatch(this.writeApi(), chunk, attempt > 1 ? 'read-before-create' : (this.opts.dedupe ?? 'read-before-create')));
  }

  /** Retries a whole chunk on a transient failure: the read-or-conflict check makes that safe. */
  private async retryChunk<O>(chunk: readonly { key: string }[], write: (attempt: number) => Promise<O[]>): Promise<(O | { key: string; ok: false; error: string; retryable: boolean })[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await write(attempt);
      } catch (error) {
        const mapped = toSyncError(error, this.opts.dailyPauseMs);
        if (mapped.code === 'rate-limited' || mapped.code === 'auth' || mapped.code === 'permission') throw mapped;
        if (!mapped.retryable || attempt >= 5) return chunk.map((d) => ({ key: d.key, ok: false as const, error: mapped.message, retryable: mapped.retryable }));
        await new Promise((resolve) => setTimeout(resolve, Math.min((this.opts.retryBaseMs ?? mapped.retryAfterMs ?? 500) * 2 ** (attempt - 1), 30_000) + Math.random() * 100));
      }
    }
  }

  private moveApi(): HsMoveApi {
    const crm = this.client.crm;
    const write = this.writeApi();
    const pull = this.pullApi();
    const pairInput = (p: { from: string; to: string; typeId: number }) => ({ _from: { id: p.from }, to: { id: p.to }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: p.typeId }] });
    return {
      idsByKey: async (keys) => {
        const out = new Map<string, string>();
        for (const raw of await write.readByKeys(keys)) {
          const o = hsObject.parse(raw);
          const key = o.properties[KEY_PROPERTY];
          if (key) out.set(key, o.id);
        }
        return out;
      },
      associations: async (toType, emailIds) => {
        const links = await pull.associations('emails', toType, emailIds);
        return new Map([...links].map(([id, list]) => [id, list.map((l) => l.id)]));
      },
      updateEmails: async (inputs) => {
        await this.call(() => crm.objects.emails.batchApi.updateWithHttpInfo({ inputs } as never) as never, { attempts: 1 });
      },
      createAssociations: async (toType, pairs) => {
        for (let i = 0; i < pairs.length; i += 1000) {
          const inputs = pairs.slice(i, i + 1000).map(pairInput);
          await this.call(() => crm.associations.v4.batchApi.createWithHttpInfo('emails', toType, { inputs } as never) as never, { attempts: 1 });
        }
      },
      archiveAssociations: async (toType, pairs) => {
        for (let i = 0; i < pairs.length; i += 1000) {
          const inputs = pairs.slice(i, i + 1000).map((p) => ({ _from: { id: p.from }, to: p.to.map((id) => ({ id })) }));
          await this.call(() => crm.associations.v4.batchApi.archiveWithHttpInfo('emails', toType, { inputs } as never) as never, { attempts: 1 });
        }
      },
    };
  }

  /** Re-association: same email object, explanation updated, new associations created, then old ones archived (hubspot-move.ts). */
  async moveActivities(moves: readonly ActivityMove[]): Promise<MoveOutcome[]> {
    const outcomes: MoveOutcome[] = [];
    for (let i = 0; i < moves.length; i += HS_BATCH) {
      const chunk = moves.slice(i, i + HS_BATCH);
      try {
        outcomes.push(...(await moveHubspotActivities(this.moveApi(), chunk)));
      } catch (error) {
        const mapped = toSyncError(error, this.opts.dailyPauseMs);
        if (mapped.code === 'rate-limited' || mapped.code === 'auth' || mapped.code === 'permission') throw mapped;
        outcomes.push(...chunk.map((m) => ({ key: m.key, ok: false as const, error: mapped.message, retryable: mapped.retryable })));
      }
    }
    return outcomes;
  }

  async deleteActivities(crmIds: readonly string[]): Promise<void> {
    await this.archive(this.client.crm.objects.emails.batchApi, crmIds);
  }

  /**
   * Meetings (issue 15): meeting engagements kept by `mailbridge_key`, through the same limiter,
   * budget and retries as emails. Needs `crm.objects.contacts.write` (the meetings API's scope).
   */
  meetingWriter(): MeetingWriter {
    const meetings = this.client.crm.objects.meetings.batchApi;
    const api: HsMeetingApi = {
      ...this.writeApi(meetings as never),
      updateBatch: async (inputs) => {
        const data = (await this.call(() => meetings.updateWithHttpInfo({ inputs }) as never, { attempts: 1 })) as { results?: unknown[]; errors?: ItemError[] };
        return { results: data.results ?? [], errors: data.errors ?? [] };
      },
      associate: async (toType, pairs) => {
        const inputs = pairs.map((p) => ({ _from: { id: p.from }, to: { id: p.to } }));
        await this.call(() => this.client.crm.associations.v4.batchApi.createDefaultWithHttpInfo('meetings', toType, { inputs }) as never, { attempts: 1 });
      },
    };
    return {
      writeMeetings: async (batch) => {
        const outcomes: MeetingWriteOutcome[] = [];
        for (let i = 0; i < batch.length; i += HS_BATCH) {
          const chunk = batch.slice(i, i + HS_BATCH);
          outcomes.push(...(await this.retryChunk(chunk, () => writeHubspotMeetings(api, chunk))));
        }
        return outcomes;
      },
      // Privacy purges only: cancelled meetings are marked, not deleted.
      deleteMeetings: (crmIds) => this.archive(meetings as never, crmIds),
    };
  }

  private async archive(batch: typeof this.client.crm.objects.emails.batchApi, crmIds: readonly string[]): Promise<void> {
    for (let i = 0; i < crmIds.length; i += HS_BATCH) {
      const inputs = crmIds.slice(i, i + HS_BATCH).map((id) => ({ id }));
      await this.call(() => batch.archiveWithHttpInfo({ inputs }) as never);
    }
  }

  /**
   * Contacts holding `address` as primary or additional email. The address travels as one JSON
   * filter value with the exact-match operator, so quotes or `*` in it cannot widen the search.
   */
  async findContactsByEmail(address: string): Promise<string[]> {
    const api = this.pullApi();
    const ids = new Set<string>();
    for (const propertyName of ['email', 'hs_additional_emails']) {
      const operator = propertyName === 'email' ? 'EQ' : 'CONTAINS_TOKEN';
      // CONTAINS_TOKEN treats `*` as a wildcard: only ask it for addresses without one.
      if (operator === 'CONTAINS_TOKEN' && address.includes('*')) continue;
      const page = await api.search('contacts', { filterGroups: [{ filters: [{ propertyName, operator, value: address }] }], properties: ['email', 'hs_additional_emails'], limit: 100, after: '0' });
      for (const raw of page.results) {
        // Tokens match inside longer addresses: keep exact matches only.
        const contact = toContact(hsObject.parse(raw));
        if (contact.emails.some((e) => e.toLowerCase() === address.toLowerCase())) ids.add(contact.id);
      }
    }
    return [...ids].sort();
  }

  /** `doctor`: the portal's email properties (name, whether its value is writable, unique values). */
  async emailProperties(): Promise<{ name: string; readOnlyValue: boolean; hasUniqueValue: boolean }[]> {
    const data = (await this.call(() => this.client.crm.properties.coreApi.getAllWithHttpInfo('emails') as never)) as {
      results?: { name: string; hasUniqueValue?: boolean; modificationMetadata?: { readOnlyValue?: boolean } }[];
    };
    return (data.results ?? []).map((p) => ({ name: p.name, readOnlyValue: p.modificationMetadata?.readOnlyValue ?? false, hasUniqueValue: p.hasUniqueValue ?? false }));
  }

  /** `doctor --fix`: creates one of mailbridge's own email properties. */
  async createEmailProperty(definition: (typeof MAILBRIDGE_EMAIL_PROPERTIES)[number]): Promise<void> {
    await this.call(() => this.client.crm.properties.coreApi.createWithHttpInfo('emails', definition as never) as never, { attempts: 1 });
  }

  /** `doctor`: the write-back's own call (read by the unique key), with a key no email holds. */
  async probeEmailObject(): Promise<void> {
    await this.writeApi().readByKeys(['mailbridge-doctor-probe']);
  }

  /** `doctor`: one page of owners, as the pull reads them. */
  async probeOwners(): Promise<void> {
    await this.call(() => this.client.crm.owners.ownersApi.getPageWithHttpInfo(undefined, undefined, 1, false) as never);
  }

  /** `doctor`: the association type ids the portal defines from emails to `toType`. */
  async emailAssociationTypes(toType: string): Promise<number[]> {
    const data = (await this.call(() => this.client.crm.associations.v4.schema.definitionsApi.getAllWithHttpInfo('emails', toType) as never)) as {
      results?: { typeId: number }[];
    };
    return (data.results ?? []).map((t) => t.typeId);
  }

  limits(): CrmLimits {
    const u = this.budget.usage();
    return { dailyUsed: u.used, dailyMax: u.limit };
  }

  /** How many times calls were paused for the daily budget or a 429. */
  budgetPauses(): number {
    return this.budget.pauses;
  }

  /** Stops the limiters' timers. */
  async close(): Promise<void> {
    await Promise.all([this.limiter.disconnect(), this.searchLimiter.disconnect()]);
  }
}
