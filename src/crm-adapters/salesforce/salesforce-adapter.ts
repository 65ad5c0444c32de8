/**
 * `CrmAdapter` for Salesforce through jsforce 3. Pointed at the real service or the emulator by
 * configuration only (`loginUrl`, or `instanceUrl` + `accessToken`). Every call goes through a
 * bottleneck limiter (concurrency) and the daily `CallBudget` fed by `Sforce-Limit-Info`.
 */
import { createHash, createSign } from 'node:crypto';
import Bottleneck from 'bottleneck';
import { Connection } from 'jsforce';
import { z } from 'zod';
import type { ActivityDraft, ActivityMove, CrmAdapter, CrmChangeBatch, CrmLimits, MoveOutcome, WriteOutcome } from '../../core/ports.js';
import { CallBudget, withBudget, type SharedCallGate } from '../call-budget.js';
import { SyncError } from '../../core/sync-error.js';
import { toSyncError } from './salesforce-errors.js';
import { queryPage } from './salesforce-mapping.js';
import { pullSalesforce } from './salesforce-pull.js';
import { soqlString } from './soql-literal.js';
import type { MeetingWriteOutcome, MeetingWriter } from '../../core/meeting.js';
import type { TokenStore } from '../../providers/common/token-store.js';
import { writeSalesforceMeetings } from './salesforce-meetings.js';
import { SF_BATCH, writeSalesforceBatch, type ItemRetry, type RelationIndex, type SfWriteApi } from './salesforce-write.js';
import { moveSalesforceActivities, type SfMoveApi } from './salesforce-move.js';

export interface SalesforceAdapterOptions {
  /** OAuth host (`https://login.salesforce.com`, a My Domain, or the emulator's URL). */
  loginUrl?: string;
  clientId?: string;
  clientSecret?: string;
  /** Integration user, for the JWT bearer flow. */
  username?: string;
  /** PEM private key: selects the JWT bearer flow; otherwise client credentials. */
  privateKey?: string;
  /** JWT audience (default `https://login.salesforce.com`). */
  audience?: string;
  /** Or an existing session. */
  instanceUrl?: string;
  accessToken?: string;
  apiVersion?: string;
  /** Extra Account fields holding domains beside Website. */
  accountDomainFields?: string[];
  /** Pull overlap (ms); 0 resumes exactly after the last record. */
  overlapMs?: number;
  queryBatchSize?: number;
  /** Share of the daily allocation this connection may use (default 0.75). */
  dailyShare?: number;
  /** Pause when the daily allocation is spent (Salesforce's window is rolling; default 15 min). */
  dailyPauseMs?: number;
  maxPauseMs?: number;
  /** First backoff step after 403 "ConcurrentRequests" (too many long-running requests; default 5 s). */
  concurrentPauseMs?: number;
  maxConcurrent?: number;
  /** First backoff step when a write chunk is retried (default: what the error suggests). */
  retryBaseMs?: number;
  /** Extra tries, within one write, for records failing with a transient per-record error (default 3). */
  itemRetries?: number;
  /** Client clock (epoch ms) for the recycle-bin horizon of the pull (default `Date.now`). */
  now?: () => number;
  /** Index used to tie matched ids to participant addresses without extra queries. */
  relationIndex?: RelationIndex;
  /**
   * Where the session is kept between processes (the tenant's encrypted secrets), so one token
   * serves every job of every worker: Salesforce counts each token request as a login, and
   * allows 3,600 per user per hour. A token found there is used until Salesforce answers 401.
   */
  sessionStore?: TokenStore;
}

/** The secret holding the session, with a fingerprint of the credentials that obtained it. */
const SESSION_KEY = 'salesforce.session';

const sfDescribe = z.object({
  name: z.string(),
  createable: z.boolean(),
  updateable: z.boolean(),
  deletable: z.boolean(),
  queryable: z.boolean(),
  fields: z.array(z.object({ name: z.string(), type: z.string(), createable: z.boolean(), updateable: z.boolean(), externalId: z.boolean().optional() })),
});
export type SfObjectAccess = z.infer<typeof sfDescribe>;
const sfLimits = z.object({ DailyApiRequests: z.object({ Max: z.number(), Remaining: z.number() }) });

const JWT_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** An RS256 JWT assertion for the bearer flow (valid 3 minutes). */
export function jwtAssertion(clientId: string, username: string, audience: string, privateKey: string, now = Date.now()): string {
  const enc = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const body = `${enc({ alg: 'RS256', typ: 'JWT' })}.${enc({ iss: clientId, sub: username, aud: audience, exp: Math.floor(now / 1000) + 180 })}`;
  return `${body}.${createSign('RSA-SHA256').update(body).sign(privateKey).toString('base64url')}`;
}

/** Exponential backoff with a little jitter, capped at 30 s. */
const backoff = (baseMs: number, attempt: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, Math.min(baseMs * 2 ** (attempt - 1), 30_000) + Math.random() * 100));

/** A refused credential names the setting to fix; any other failure of the grant stays a plain auth error. */
async function authorizing(grant: Promise<unknown>): Promise<void> {
  try {
    await grant;
  } catch (error) {
    if (error instanceof SyncError) throw error;
    const mapped = toSyncError(error);
    throw mapped.setting ? mapped : new SyncError('auth', `salesforce: token request failed: ${String((error as Error)?.message ?? error)}`, { cause: error, retryable: false });
  }
}

export class SalesforceAdapter implements CrmAdapter {
  readonly kind = 'salesforce' as const;
  private readonly conn: Connection;
  private readonly limiter: Bottleneck;
  private readonly budget: CallBudget;
  private authorized: Promise<void> | null = null;

  constructor(private readonly opts: SalesforceAdapterOptions) {
    const version = opts.apiVersion ?? '62.0';
    this.conn = new Connection({
      version,
      ...(opts.loginUrl ? { loginUrl: opts.loginUrl } : {}),
      ...(opts.instanceUrl ? { instanceUrl: opts.instanceUrl } : {}),
      ...(opts.accessToken ? { accessToken: opts.accessToken } : {}),
      oauth2: { loginUrl: opts.loginUrl, clientId: opts.clientId, clientSecret: opts.privateKey ? undefined : opts.clientSecret },
      // Server-to-server flows have no refresh token: a 401 re-mints a token with the same grant.
      refreshFn: (conn, callback) => {
        this.grant()
          .then((token) => callback(undefined, token.access_token, token as never))
          .catch((error: Error) => callback(error));
      },
    });
    this.limiter = new Bottleneck({ maxConcurrent: opts.maxConcurrent ?? 8 });
    this.budget = new CallBudget({ share: opts.dailyShare, pauseMs: opts.dailyPauseMs ?? 15 * 60_000, maxPauseMs: opts.maxPauseMs });
  }

  private async grant(): Promise<{ access_token: string; instance_url: string }> {
    const o = this.opts;
    if (!o.clientId || !o.loginUrl) throw new SyncError('auth', 'salesforce: no client id / login URL configured', { retryable: false });
    const params: { grant_type: string; [name: string]: string } =
      o.privateKey && o.username
        ? { grant_type: JWT_GRANT, assertion: jwtAssertion(o.clientId, o.username, o.audience ?? 'https://login.salesforce.com', o.privateKey) }
        : { grant_type: 'client_credentials' };
    const token = (await this.conn.oauth2.requestToken(params)) as { access_token: string; instance_url: string };
    this.conn.accessToken = token.access_token;
    this.conn.instanceUrl = token.instance_url;
    // A session that cannot be kept costs a login in the next job, not this one's work.
    await o.sessionStore
      ?.set(SESSION_KEY, JSON.stringify({ credentials: this.credentialsFingerprint(), accessToken: token.access_token, instanceUrl: token.instance_url }))
      .catch(() => undefined);
    return token;
  }

  /**
   * Changes with any credential, so a session obtained with others (another org, a rotated
   * secret) is never used: a wrong new secret is found at once, and writes never go to the old org.
   */
  private credentialsFingerprint(): string {
    const o = this.opts;
    return createHash('sha256').update(JSON.stringify([o.loginUrl, o.clientId, o.username, o.clientSecret, o.privateKey, o.audience])).digest('base64url');
  }

  /** The session kept by an earlier job, if it was obtained with these credentials. */
  private async keptSession(): Promise<boolean> {
    const raw = await this.opts.sessionStore?.get(SESSION_KEY).catch(() => null);
    if (!raw) return false;
    try {
      const kept = JSON.parse(raw) as { credentials?: string; accessToken?: string; instanceUrl?: string };
      if (kept.credentials !== this.credentialsFingerprint() || !kept.accessToken || !kept.instanceUrl) return false;
      this.conn.accessToken = kept.accessToken;
      this.conn.instanceUrl = kept.instanceUrl;
      return true;
    } catch {
      return false;
    }
  }

  /** A session for the calls: the kept one, else a new token. */
  private ensureSession(): Promise<void> {
    if (this.conn.accessToken) return Promise.resolve();
    this.authorized ??= authorizing(this.keptSession().then((kept) => (kept ? undefined : this.grant()))).catch((error: unknown) => {
      this.authorized = null;
      throw error;
    });
    return this.authorized;
  }

  /** Paces calls also by a gate shared with the tenant's other workers (the pool's bucket). */
  shareLimits(gate: SharedCallGate): void {
    this.budget.shareWith(gate);
  }

  /** One budgeted call; `attempts` 1 leaves transient retries to the caller. */
  private async call<T>(fn: () => Promise<T>, attempts = 5): Promise<T> {
    await this.ensureSession();
    const pause = this.opts.dailyPauseMs ?? 15 * 60_000;
    return withBudget(
      this.budget,
      async () => {
        try {
          return await this.limiter.schedule(fn);
        } finally {
          const usage = this.conn.limitInfo?.apiUsage;
          if (usage) this.budget.observe(usage.used, usage.limit);
        }
      },
      (error) => toSyncError(error, pause, this.opts.concurrentPauseMs),
      attempts,
    );
  }

  private get = (url: string, headers?: Record<string, string>): Promise<unknown> =>
    this.call(() => this.conn.request({ method: 'GET', url, headers }));

  /** Signs in and makes one cheap call (the org's limits): proves the credentials, once, no retries. */
  async verifyAccess(): Promise<void> {
    await this.call(() => this.conn.request({ method: 'GET', url: '/limits' }), 1);
  }

  async *pullChanges(cursor: string | null): AsyncIterable<CrmChangeBatch> {
    yield* pullSalesforce(this.get, cursor, {
      accountDomainFields: this.opts.accountDomainFields ?? ['Mailbridge_Domains__c'],
      overlapMs: this.opts.overlapMs ?? 0,
      batchSize: this.opts.queryBatchSize ?? 2000,
      now: this.opts.now,
    });
  }

  private writeApi(): SfWriteApi {
    return {
      upsert: (type, records, extIdField) => this.call(() => this.conn.upsert(type, records as never, extIdField, { allOrNone: false }) as Promise<unknown>, 1),
      create: (type, records) => this.call(() => this.conn.create(type, records as never, { allOrNone: false }) as Promise<unknown>, 1),
      query: async (soql) => {
        const out: Record<string, unknown>[] = [];
        let url: string | undefined = `/query?q=${encodeURIComponent(soql)}`;
        while (url) {
          const page = queryPage.parse(await this.call(() => this.conn.request({ method: 'GET', url: url! }), 1));
          out.push(...page.records);
          url = page.done ? undefined : page.nextRecordsUrl;
        }
        return out;
      },
    };
  }

  async writeActivities(batch: readonly ActivityDraft[]): Promise<WriteOutcome[]> {
    const outcomes: WriteOutcome[] = [];
    for (let i = 0; i < batch.length; i += SF_BATCH) {
      const chunk = batch.slice(i, i + SF_BATCH);
      outcomes.push(...(await this.writeChunk(chunk)));
    }
    return outcomes;
  }

  /** Records locked by another transaction are retried alone, with exponential backoff. */
  private get itemRetry(): ItemRetry {
    return { attempts: this.opts.itemRetries ?? 3, wait: (attempt) => backoff(this.opts.retryBaseMs ?? 1000, attempt) };
  }

  private writeChunk(chunk: readonly ActivityDraft[]): Promise<WriteOutcome[]> {
    return this.retryChunk(chunk, () => writeSalesforceBatch(this.writeApi(), chunk, this.opts.relationIndex, this.itemRetry));
  }

  /** Retries a whole chunk on a transient failure: every step of a write is idempotent. */
  private async retryChunk<O>(chunk: readonly { key: string }[], write: () => Promise<O[]>): Promise<(O | { key: string; ok: false; error: string; retryable: boolean })[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await write();
      } catch (error) {
        const mapped = toSyncError(error, this.opts.dailyPauseMs, this.opts.concurrentPauseMs);
        // The budget already waited as long as allowed: the caller must stop and come back later.
        if (mapped.code === 'rate-limited' || mapped.code === 'auth' || mapped.code === 'permission') throw mapped;
        if (!mapped.retryable || attempt >= 5) {
          return chunk.map((d) => ({ key: d.key, ok: false as const, error: mapped.message, retryable: mapped.retryable }));
        }
        await backoff(this.opts.retryBaseMs ?? mapped.retryAfterMs ?? 500, attempt);
      }
    }
  }

  /** Re-association: delete and recreate each activity in one all-or-none composite call (salesforce-move.ts). */
  async moveActivities(moves: readonly ActivityMove[]): Promise<MoveOutcome[]> {
    const write = this.writeApi();
    const api: SfMoveApi = {
      ...write,
      version: this.conn.version,
      composite: (body) =>
        this.call(() => this.conn.request({ method: 'POST', url: '/composite', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } }), 1),
    };
    try {
      return await moveSalesforceActivities(api, moves, this.opts.relationIndex);
    } catch (error) {
      const mapped = toSyncError(error, this.opts.dailyPauseMs, this.opts.concurrentPauseMs);
      if (mapped.code === 'rate-limited' || mapped.code === 'auth' || mapped.code === 'permission') throw mapped;
      return moves.map((m) => ({ key: m.key, ok: false as const, error: mapped.message, retryable: mapped.retryable }));
    }
  }

  async deleteActivities(crmIds: readonly string[]): Promise<void> {
    await this.destroy('EmailMessage', crmIds);
  }

  /**
   * Meetings (issue 15): Events upserted on `Mailbridge_Key__c` with their EventRelation rows,
   * through the same session, budget, limiter and retries as the email write-back.
   */
  meetingWriter(): MeetingWriter {
    return {
      writeMeetings: async (batch) => {
        const outcomes: MeetingWriteOutcome[] = [];
        for (let i = 0; i < batch.length; i += SF_BATCH) {
          const chunk = batch.slice(i, i + SF_BATCH);
          outcomes.push(...(await this.retryChunk(chunk, () => writeSalesforceMeetings(this.writeApi(), chunk, this.itemRetry))));
        }
        return outcomes;
      },
      // Deleting an Event deletes its relations; used by privacy purges only (cancelled meetings are marked).
      deleteMeetings: (crmIds) => this.destroy('Event', crmIds),
    };
  }

  private async destroy(type: string, crmIds: readonly string[]): Promise<void> {
    for (let i = 0; i < crmIds.length; i += SF_BATCH) {
      const ids = crmIds.slice(i, i + SF_BATCH);
      const results = (await this.call(() => this.conn.destroy(type, [...ids], { allOrNone: false }) as Promise<unknown>)) as {
        success: boolean;
        errors?: { statusCode?: string; message?: string }[];
      }[];
      const failed = results.find((r) => !r.success && !['ENTITY_IS_DELETED', 'INVALID_CROSS_REFERENCE_KEY'].includes(r.errors?.[0]?.statusCode ?? ''));
      // Already gone counts as deleted: purge and erase must be repeatable.
      if (failed) throw toSyncError({ errorCode: failed.errors?.[0]?.statusCode, message: failed.errors?.[0]?.message ?? 'delete failed' });
    }
  }

  /**
   * Contacts, leads and users holding `address` (for access requests and live checks). The
   * address is always a quoted literal: `o'brien@acme.com` cannot change the query.
   */
  async findPeopleByEmail(address: string): Promise<{ kind: 'contact' | 'lead' | 'user'; id: string }[]> {
    const api = this.writeApi();
    const out: { kind: 'contact' | 'lead' | 'user'; id: string }[] = [];
    for (const [object, kind] of [['Contact', 'contact'], ['Lead', 'lead'], ['User', 'user']] as const) {
      const rows = await api.query(`SELECT Id FROM ${object} WHERE Email = ${soqlString(address)} ORDER BY Id`);
      for (const row of rows) out.push({ kind, id: String(row.Id) });
    }
    return out;
  }

  /** `doctor`: requests a token with the configured grant (a refused one is an `auth` SyncError). */
  async checkCredentials(): Promise<void> {
    // A token asked for now, not a kept session: the credentials themselves are what is checked.
    await authorizing(this.grant());
  }

  /**
   * `doctor`: what the integration user may do with an object, through jsforce's describe;
   * null when the object is absent or hidden from the user (Salesforce answers 404 NOT_FOUND).
   */
  async describeObject(name: string): Promise<SfObjectAccess | null> {
    try {
      return sfDescribe.parse(await this.call(() => this.conn.sobject(name).describe() as Promise<unknown>, 1));
    } catch (error) {
      if (toSyncError(error).code === 'not-found') return null;
      throw toSyncError(error);
    }
  }

  /** `doctor`: the org's rolling 24-hour API allocation (`/limits` DailyApiRequests). */
  async dailyApiRequests(): Promise<{ max: number; remaining: number }> {
    const limits = sfLimits.parse(await this.get('/limits'));
    return { max: limits.DailyApiRequests.Max, remaining: limits.DailyApiRequests.Remaining };
  }

  limits(): CrmLimits {
    const usage = this.conn.limitInfo?.apiUsage;
    return { dailyUsed: usage?.used ?? null, dailyMax: usage?.limit ?? null };
  }

  /** How many times calls were paused for the daily budget. */
  budgetPauses(): number {
    return this.budget.pauses;
  }
}
