/**
 * Re-association in HubSpot (docs/rules.md "Re-association"): the email object stays (one
 * activity per email); its explanation (and owner) are updated, the new associations created
 * with the v4 batch create, then the old ones archived with the v4 batch archive. Each step is
 * idempotent, and the order means a crash leaves the email on at least its new records: the next
 * round finds what is still to archive. A move HubSpot already shows is reported unchanged.
 */
import type { ActivityMove, MoveOutcome } from '../../core/ports.js';
import { EMAIL_TO_COMPANY, EMAIL_TO_CONTACT, EMAIL_TO_DEAL, EXPLANATION_PROPERTY } from './hubspot-mapping.js';

export type HsAssocType = 'contacts' | 'companies' | 'deals';

export interface HsMoveApi {
  /** Email ids by key, for the keys HubSpot holds (an email archived in HubSpot is absent). */
  idsByKey(keys: string[]): Promise<Map<string, string>>;
  /** Associated ids of each email, per type (v4 batch read). */
  associations(toType: HsAssocType, emailIds: string[]): Promise<Map<string, string[]>>;
  updateEmails(inputs: { id: string; properties: Record<string, string> }[]): Promise<void>;
  createAssociations(toType: HsAssocType, pairs: { from: string; to: string; typeId: number }[]): Promise<void>;
  archiveAssociations(toType: HsAssocType, pairs: { from: string; to: string[] }[]): Promise<void>;
}

const TYPES: { type: HsAssocType; typeId: number; ids: (m: ActivityMove) => string[] }[] = [
  // Leads are lead-stage contacts: they take the contact association, as when written.
  { type: 'contacts', typeId: EMAIL_TO_CONTACT, ids: (m) => [...new Set([...m.to.contactIds, ...m.to.leadIds])] },
  { type: 'companies', typeId: EMAIL_TO_COMPANY, ids: (m) => m.to.accountIds },
  { type: 'deals', typeId: EMAIL_TO_DEAL, ids: (m) => m.to.dealIds },
];

/** Moves up to 100 emails; outcomes in move order. */
export async function moveHubspotActivities(api: HsMoveApi, moves: readonly ActivityMove[]): Promise<MoveOutcome[]> {
  const ids = await api.idsByKey(moves.map((m) => m.key));
  const found = moves.filter((m) => ids.has(m.key));
  const emailIds = found.map((m) => ids.get(m.key)!);
  const plan = new Map<string, { create: { type: HsAssocType; typeId: number; to: string }[]; archive: { type: HsAssocType; to: string }[] }>();
  for (const m of found) plan.set(m.key, { create: [], archive: [] });
  for (const t of TYPES) {
    const current = emailIds.length ? await api.associations(t.type, emailIds) : new Map<string, string[]>();
    for (const m of found) {
      const have = new Set(current.get(ids.get(m.key)!) ?? []);
      const want = new Set(t.ids(m));
      const p = plan.get(m.key)!;
      for (const id of want) if (!have.has(id)) p.create.push({ type: t.type, typeId: t.typeId, to: id });
      for (const id of have) if (!want.has(id)) p.archive.push({ type: t.type, to: id });
    }
  }
  const moving = found.filter((m) => plan.get(m.key)!.create.length || plan.get(m.key)!.archive.length);
  if (moving.length) {
    await api.updateEmails(
      moving.map((m) => {
        const properties: Record<string, string> = { [EXPLANATION_PROPERTY]: m.explanation };
        if (m.to.ownerId && m.to.ownerId !== m.from.ownerId) properties.hubspot_owner_id = m.to.ownerId;
        return { id: ids.get(m.key)!, properties };
      }),
    );
    for (const t of TYPES) {
      const pairs = moving.flatMap((m) => plan.get(m.key)!.create.filter((c) => c.type === t.type).map((c) => ({ from: ids.get(m.key)!, to: c.to, typeId: c.typeId })));
      if (pairs.length) await api.createAssociations(t.type, pairs);
    }
    for (const t of TYPES) {
      const pairs = moving.flatMap((m) => {
        const to = plan.get(m.key)!.archive.filter((a) => a.type === t.type).map((a) => a.to);
        return to.length ? [{ from: ids.get(m.key)!, to }] : [];
      });
      if (pairs.length) await api.archiveAssociations(t.type, pairs);
    }
  }
  const moved = new Set(moving.map((m) => m.key));
  return moves.map((m): MoveOutcome => {
    const id = ids.get(m.key);
    if (!id) return { key: m.key, ok: false, error: `OBJECT_NOT_FOUND: no email with mailbridge_key ${m.key} (archived in HubSpot)`, retryable: false };
    return { key: m.key, ok: true, crmId: id, unchanged: !moved.has(m.key) };
  });
}
