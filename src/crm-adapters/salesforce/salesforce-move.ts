/**
 * Re-association in Salesforce (docs/rules.md "Re-association"). A sent EmailMessage accepts
 * updates only to IsExternallyVisible and custom fields, so its RelatedToId cannot change; the
 * activity is deleted and created again under the same `Mailbridge_Key__c`, with its relations,
 * in ONE `POST /composite` with `allOrNone: true`: one transaction (both happen or neither, so
 * the email never has zero activities or two) and one API call. The delete comes first because
 * the key is unique. The content is read back from Salesforce itself, so the new activity is the
 * old one with only its records and explanation changed. A move Salesforce already shows (a
 * retry after a crash) is reported unchanged and costs no write.
 */
import type { ActivityDraft, ActivityMove, MoveOutcome } from '../../core/ports.js';
import { EXPLANATION_FIELD, KEY_FIELD, toEmailMessage } from './salesforce-mapping.js';
import { planRelations, RETRYABLE_CODES, SF_BATCH, type PlannedRelation, type RelationIndex, type SfWriteApi } from './salesforce-write.js';
import { soqlList } from './soql-literal.js';

/** Subrequests per composite call (Salesforce's cap); the delete and the create take two. */
const COMPOSITE_CAP = 25;

export interface SfMoveApi extends SfWriteApi {
  /** `POST /composite`; resolves with Salesforce's answer. */
  composite(body: { allOrNone: boolean; compositeRequest: Record<string, unknown>[] }): Promise<unknown>;
  /** The API version the subrequest URLs name (`62.0`). */
  version: string;
}

const MESSAGE_FIELDS = [
  'Id', KEY_FIELD, 'Subject', 'TextBody', 'FromName', 'FromAddress', 'ToAddress', 'CcAddress', 'MessageDate', 'Incoming',
  'RelatedToId', 'MessageIdentifier', 'ThreadIdentifier', 'Headers', EXPLANATION_FIELD,
];

const text = (v: unknown): string => (typeof v === 'string' ? v : '');
const addresses = (v: unknown) => text(v).split(/;\s*/).filter(Boolean).map((address) => ({ name: '', address }));

/** The activity as Salesforce holds it, on the records and with the explanation of the move. */
function movedDraft(rec: Record<string, unknown>, move: ActivityMove): ActivityDraft {
  return {
    key: move.key,
    direction: rec.Incoming === true ? 'inbound' : 'outbound',
    sentAt: text(rec.MessageDate),
    from: { name: text(rec.FromName), address: text(rec.FromAddress) },
    to: addresses(rec.ToAddress),
    cc: addresses(rec.CcAddress),
    subject: text(rec.Subject),
    text: text(rec.TextBody),
    messageId: null,
    inReplyTo: null,
    references: [],
    ...move.to,
    explanation: move.explanation,
  };
}

const relationKey = (id: unknown, type: unknown) => `${String(id)}|${String(type)}`;

type CompositeItem = { body?: unknown; httpStatusCode?: number; referenceId?: string };

function failureOf(items: CompositeItem[]): { error: string; retryable: boolean } {
  const errors = items.flatMap((i) => (Array.isArray(i.body) ? (i.body as { errorCode?: string; message?: string }[]) : []));
  const first = errors.find((e) => e.errorCode !== 'PROCESSING_HALTED') ?? errors[0];
  const code = first?.errorCode ?? 'UNKNOWN';
  return { error: `${code}: ${first?.message ?? 'composite request failed'}`, retryable: RETRYABLE_CODES.has(code) };
}

export async function moveSalesforceActivities(api: SfMoveApi, moves: readonly ActivityMove[], index: RelationIndex | undefined): Promise<MoveOutcome[]> {
  const current = new Map<string, Record<string, unknown>>();
  const keys = moves.map((m) => m.key);
  for (let i = 0; i < keys.length; i += SF_BATCH) {
    const rows = await api.query(`SELECT ${MESSAGE_FIELDS.join(', ')} FROM EmailMessage WHERE ${KEY_FIELD} IN ${soqlList(keys.slice(i, i + SF_BATCH))}`);
    for (const row of rows) current.set(text(row[KEY_FIELD]), row);
  }
  const ids = [...current.values()].map((r) => text(r.Id));
  const relations = new Map<string, Set<string>>();
  for (let i = 0; i < ids.length; i += SF_BATCH) {
    const rows = await api.query(`SELECT Id, EmailMessageId, RelationId, RelationType FROM EmailMessageRelation WHERE EmailMessageId IN ${soqlList(ids.slice(i, i + SF_BATCH))}`);
    for (const row of rows) {
      const set = relations.get(text(row.EmailMessageId)) ?? new Set<string>();
      set.add(relationKey(row.RelationId, row.RelationType));
      relations.set(text(row.EmailMessageId), set);
    }
  }
  const found = moves.filter((m) => current.has(m.key));
  const drafts = found.map((m) => movedDraft(current.get(m.key)!, m));
  const plans = await planRelations(api, drafts, index);

  const outcomes = new Map<string, MoveOutcome>();
  for (const m of moves) {
    if (!current.has(m.key)) outcomes.set(m.key, { key: m.key, ok: false, error: `NOT_FOUND: no EmailMessage with ${KEY_FIELD} ${m.key} (deleted in Salesforce)`, retryable: false });
  }
  for (const [i, move] of found.entries()) {
    const rec = current.get(move.key)!;
    const plan = plans[i]!;
    const have = relations.get(text(rec.Id)) ?? new Set<string>();
    const want = new Set(plan.map((p) => relationKey(p.relationId, p.type)));
    if ((rec.RelatedToId ?? null) === move.to.relatedToId && have.size === want.size && [...want].every((k) => have.has(k))) {
      outcomes.set(move.key, { key: move.key, ok: true, crmId: text(rec.Id), unchanged: true });
      continue;
    }
    outcomes.set(move.key, await recreate(api, rec, drafts[i]!, plan));
  }
  return moves.map((m) => outcomes.get(m.key)!);
}

/** The delete and the new EmailMessage (with as many relations as fit) in one all-or-none call; the rest of the relations after. */
async function recreate(api: SfMoveApi, rec: Record<string, unknown>, draft: ActivityDraft, plan: PlannedRelation[]): Promise<MoveOutcome> {
  const base = `/services/data/v${api.version}/sobjects`;
  // Threading fields are copied as they are: the new activity is the same email.
  const body = { ...toEmailMessage(draft), MessageDate: rec.MessageDate, MessageIdentifier: rec.MessageIdentifier ?? null, ThreadIdentifier: rec.ThreadIdentifier ?? null, Headers: rec.Headers ?? null };
  const relationRow = (p: PlannedRelation, messageId: string) => ({ EmailMessageId: messageId, RelationId: p.relationId, RelationType: p.type, RelationAddress: p.address });
  const inline = plan.slice(0, COMPOSITE_CAP - 2);
  const request = {
    allOrNone: true,
    compositeRequest: [
      { method: 'DELETE', url: `${base}/EmailMessage/${text(rec.Id)}`, referenceId: 'oldMessage' },
      { method: 'POST', url: `${base}/EmailMessage`, referenceId: 'newMessage', body },
      ...inline.map((p, i) => ({ method: 'POST', url: `${base}/EmailMessageRelation`, referenceId: `relation${i}`, body: relationRow(p, '@{newMessage.id}') })),
    ],
  };
  const answer = (await api.composite(request)) as { compositeResponse?: CompositeItem[] };
  const items = answer.compositeResponse ?? [];
  const created = items.find((i) => i.referenceId === 'newMessage');
  const newId = (created?.body as { id?: string } | undefined)?.id;
  if (items.some((i) => (i.httpStatusCode ?? 500) >= 300) || !newId) return { key: draft.key, ok: false, ...failureOf(items) };
  const rest = plan.slice(inline.length).map((p) => relationRow(p, newId));
  // A crash before these are written leaves the relation sets unequal: the next round moves it again, whole.
  for (let i = 0; i < rest.length; i += SF_BATCH) await api.create('EmailMessageRelation', rest.slice(i, i + SF_BATCH));
  return { key: draft.key, ok: true, crmId: newId, unchanged: false };
}
