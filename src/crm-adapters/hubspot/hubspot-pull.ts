/**
 * Incremental pull from HubSpot: per object a CRM search on the modification date
 * (`lastmodifieddate` for contacts, `hs_lastmodifieddate` otherwise), ascending, 200 per page.
 * Search refuses to page past 10,000 results, so the window is partitioned: before the next page
 * would cross the cap, the query restarts at the last timestamp seen (ids already delivered at
 * that instant are skipped). Should 10,000 records share one instant, that instant is walked by
 * `hs_object_id` instead. Deletions come from `archived=true` lists and `hs_merged_object_ids`.
 */
import type { CrmChangeBatch, CrmEntityKind } from '../../core/ports.js';
import { SyncError } from '../../core/sync-error.js';
import { hsObject, isLeadContact, mergedIds, toAccount, toContact, toDeal, toLead, toUser, type HsObject } from './hubspot-mapping.js';

export interface HsSearchPage {
  total: number;
  results: unknown[];
  after: string | null;
}

/** The calls the pull needs (budgeted SDK calls). */
export interface HsPullApi {
  search(type: string, body: Record<string, unknown>): Promise<HsSearchPage>;
  owners(after: string | undefined): Promise<{ results: unknown[]; after: string | null }>;
  archived(type: string, after: string | undefined): Promise<{ results: unknown[]; after: string | null }>;
  /** Associated ids per source id, with type ids. */
  associations(fromType: string, toType: string, ids: string[]): Promise<Map<string, { id: string; typeIds: number[] }[]>>;
  closedDealStages(): Promise<Set<string>>;
}

interface Mark {
  /** Modification instant (epoch ms) of the last record delivered. */
  w: number;
  /** Ids delivered at exactly `w`. */
  ids: string[];
}

interface HsCursor {
  v: 1;
  owners: number;
  o: Record<string, Mark>;
  /** Archive instant up to which deletions were delivered, per object. */
  a: Record<string, number>;
}

export interface HsPullOptions {
  pageSize: number;
  /** Results one search may page through (HubSpot: 10,000). */
  maxResults: number;
}

const OBJECTS: { type: string; kind: CrmEntityKind; modified: string; properties: string[] }[] = [
  { type: 'companies', kind: 'account', modified: 'hs_lastmodifieddate', properties: ['name', 'domain', 'hs_additional_domains', 'website', 'hubspot_owner_id', 'hs_merged_object_ids'] },
  {
    type: 'contacts',
    kind: 'contact',
    modified: 'lastmodifieddate',
    properties: [
      'email', 'hs_additional_emails', 'phone', 'mobilephone', 'firstname', 'lastname', 'associatedcompanyid', 'hs_merged_object_ids',
      'lifecyclestage', 'company', 'website',
    ],
  },
  { type: 'deals', kind: 'deal', modified: 'hs_lastmodifieddate', properties: ['dealname', 'closedate', 'hs_is_closed', 'createdate', 'hubspot_owner_id', 'pipeline', 'dealstage'] },
];

function parseCursor(text: string | null): HsCursor | null {
  if (text === null) return null;
  try {
    const c = JSON.parse(text) as HsCursor;
    if (c?.v !== 1 || typeof c.o !== 'object' || typeof c.a !== 'object') throw new Error('shape');
    return c;
  } catch (cause) {
    throw new SyncError('invalid-cursor', 'hubspot: unreadable pull cursor', { cause, retryable: false });
  }
}

const instant = (o: HsObject, property: string): number => Date.parse(o.properties[property] ?? '') || 0;
const archivedInstant = (o: HsObject): number => (o.archivedAt instanceof Date ? o.archivedAt.getTime() : Date.parse(String(o.archivedAt ?? '')) || 0);

/**
 * Every object of `type` modified at or after `mark`, in pages, never paging a search past
 * `maxResults`. Yields each page with the mark reached after it.
 */
async function* modifiedSince(api: HsPullApi, spec: (typeof OBJECTS)[number], start: Mark, opts: HsPullOptions): AsyncGenerator<{ objects: HsObject[]; mark: Mark }> {
  let w = start.w;
  let atW = new Set(start.ids);
  const properties = [...spec.properties, spec.modified];
  let sameInstant: { w: number; lastId: string } | null = null;
  for (;;) {
    const skip = new Set(atW);
    const from = w;
    // The query is fixed for the whole window; only `after` moves within it.
    const body: Record<string, unknown> = sameInstant
      ? {
          filterGroups: [
            {
              filters: [
                { propertyName: spec.modified, operator: 'EQ', value: String(sameInstant.w) },
                { propertyName: 'hs_object_id', operator: 'GT', value: sameInstant.lastId },
              ],
            },
          ],
          sorts: [{ propertyName: 'hs_object_id', direction: 'ASCENDING' }],
        }
      : {
          filterGroups: [{ filters: [{ propertyName: spec.modified, operator: 'GTE', value: String(from) }] }],
          sorts: [{ propertyName: spec.modified, direction: 'ASCENDING' }],
        };
    let lastId: string | null = null;
    let restart = false;
    const fetchPage = (after: string) => {
      const request = api.search(spec.type, { ...body, properties, limit: opts.pageSize, after });
      // A prefetch abandoned by an early stop must not go unhandled.
      request.catch(() => undefined);
      return request;
    };
    let pending: Promise<HsSearchPage> | null = fetchPage('0');
    while (pending) {
      const page: HsSearchPage = await pending;
      const after = page.after;
      restart = after !== null && Number(after) + opts.pageSize > opts.maxResults;
      // Ask for the next page before handing this one over: network and consumer overlap.
      pending = after !== null && !restart ? fetchPage(after) : null;
      const objects: HsObject[] = [];
      for (const raw of page.results) {
        const o = hsObject.parse(raw);
        lastId = o.id;
        const at = instant(o, spec.modified);
        if (at === from && skip.has(o.id)) continue;
        objects.push(o);
        if (at > w) {
          w = at;
          atW = new Set([o.id]);
        } else if (at === w) atW.add(o.id);
      }
      yield { objects, mark: { w, ids: [...atW] } };
    }
    if (sameInstant) {
      if (restart && lastId !== null) sameInstant.lastId = lastId;
      else {
        // That instant is exhausted: carry on after it.
        sameInstant = null;
        w += 1;
        atW = new Set();
      }
      continue;
    }
    if (!restart) return;
    // A whole window without moving past its first instant: walk that instant by id instead.
    if (w === from) sameInstant = { w: from, lastId: '0' };
  }
}

/** Streams every change since `cursor` (null: a full load) as batches. */
export async function* pullHubspot(api: HsPullApi, cursorText: string | null, opts: HsPullOptions): AsyncGenerator<CrmChangeBatch> {
  const start = parseCursor(cursorText);
  const full = start === null;
  const state: HsCursor = { v: 1, owners: start?.owners ?? 0, o: { ...(start?.o ?? {}) }, a: { ...(start?.a ?? {}) } };

  // Owners are few: read them all and pass on those changed since the last pull.
  const users = [];
  let ownersMax = state.owners;
  let after: string | undefined;
  do {
    const page = await api.owners(after);
    for (const raw of page.results) {
      const updated = Date.parse(String((raw as { updatedAt?: unknown }).updatedAt ?? '')) || 0;
      if (full || updated > state.owners) users.push(toUser(raw));
      ownersMax = Math.max(ownersMax, updated);
    }
    after = page.after ?? undefined;
  } while (after);
  state.owners = ownersMax;
  yield { users, cursor: JSON.stringify(state) };

  const closedStages = await api.closedDealStages();
  for (const spec of OBJECTS) {
    const mark = state.o[spec.type] ?? { w: 0, ids: [] };
    for await (const { objects, mark: reached } of modifiedSince(api, spec, mark, opts)) {
      const batch: CrmChangeBatch = { cursor: '' };
      const deleted = objects.flatMap((o) => mergedIds(o).map((id) => ({ kind: spec.kind, id })));
      if (spec.kind === 'account') batch.accounts = objects.map(toAccount);
      else if (spec.kind === 'contact') {
        batch.contacts = objects.filter((o) => !isLeadContact(o)).map(toContact);
        batch.leads = objects.filter(isLeadContact).map(toLead);
        // A contact may have moved between lead and customer since the last pull: drop it
        // under the other kind (a full load has nothing to drop).
        if (!full) for (const o of objects) deleted.push({ kind: isLeadContact(o) ? 'contact' : 'lead', id: o.id });
      }
      else {
        const ids = objects.map((o) => o.id);
        const [companies, contacts] = ids.length
          ? await Promise.all([api.associations('deals', 'companies', ids), api.associations('deals', 'contacts', ids)])
          : [new Map<string, { id: string; typeIds: number[] }[]>(), new Map<string, { id: string; typeIds: number[] }[]>()];
        batch.deals = objects.map((o) => {
          const links = companies.get(o.id) ?? [];
          // The primary company (type 5) is the deal's account.
          const account = links.find((l) => l.typeIds.includes(5)) ?? links[0];
          return toDeal(o, account?.id ?? null, (contacts.get(o.id) ?? []).map((l) => l.id), closedStages);
        });
      }
      if (deleted.length) batch.deleted = deleted;
      state.o[spec.type] = reached;
      batch.cursor = JSON.stringify(state);
      yield batch;
    }
  }

  // Deletions: archived records (HubSpot has no "deleted since" query, so the list is walked).
  for (const spec of OBJECTS) {
    const since = state.a[spec.type] ?? 0;
    let latest = since;
    let page: string | undefined;
    do {
      const result = await api.archived(spec.type, page);
      const deleted: { kind: CrmEntityKind; id: string }[] = [];
      for (const raw of result.results) {
        const o = hsObject.parse(raw);
        const at = archivedInstant(o);
        if (!full && at > since) {
          deleted.push({ kind: spec.kind, id: o.id });
          // An archived contact may have been held as a lead.
          if (spec.kind === 'contact') deleted.push({ kind: 'lead', id: o.id });
        }
        latest = Math.max(latest, at);
      }
      page = result.after ?? undefined;
      if (deleted.length) yield { deleted, cursor: JSON.stringify(state) };
    } while (page);
    state.a[spec.type] = latest;
    yield { cursor: JSON.stringify(state) };
  }
}
