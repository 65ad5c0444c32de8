/**
 * The HubSpot emulator's CRM: objects (`contacts`, `companies`, `deals`, `emails`, `meetings`) with string
 * properties, archived flags, owners, and v4 associations held in both directions with their
 * HUBSPOT_DEFINED type ids. Every write bumps the modification properties the search API filters
 * on (`lastmodifieddate` for contacts, `hs_lastmodifieddate` for everything).
 */

export type ObjectType = 'contacts' | 'companies' | 'deals' | 'emails' | 'meetings';

export interface HsObject {
  id: string;
  properties: Record<string, string | null>;
  createdAt: number;
  updatedAt: number;
  archived: boolean;
  archivedAt: number | null;
}

export interface HsOwner {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  userId: number;
  createdAt: number;
  updatedAt: number;
  archived: boolean;
}

/** Object type ids and aliases the API accepts in paths. */
const ALIASES: Record<string, ObjectType> = {
  contacts: 'contacts',
  contact: 'contacts',
  '0-1': 'contacts',
  companies: 'companies',
  company: 'companies',
  '0-2': 'companies',
  deals: 'deals',
  deal: 'deals',
  '0-3': 'deals',
  emails: 'emails',
  email: 'emails',
  '0-49': 'emails',
  meetings: 'meetings',
  meeting: 'meetings',
  '0-47': 'meetings',
};

export function objectType(name: string): ObjectType | undefined {
  return ALIASES[name.toLowerCase()];
}

/** HUBSPOT_DEFINED association types: `from→to` → type id, and each id's reverse. */
export const ASSOCIATION_TYPES: Record<string, { id: number; reverse: number }[]> = {
  'emails→contacts': [{ id: 198, reverse: 197 }],
  'emails→companies': [{ id: 186, reverse: 185 }],
  'emails→deals': [{ id: 210, reverse: 209 }],
  // HubSpot's association type ids table (developers.hubspot.com, "Associations v4", meeting to contact/company/deal).
  'meetings→contacts': [{ id: 200, reverse: 199 }],
  'meetings→companies': [{ id: 188, reverse: 187 }],
  'meetings→deals': [{ id: 212, reverse: 211 }],
  'contacts→companies': [
    { id: 279, reverse: 280 },
    { id: 1, reverse: 2 },
  ],
  'deals→contacts': [{ id: 3, reverse: 4 }],
  'deals→companies': [
    { id: 341, reverse: 342 },
    { id: 5, reverse: 6 },
  ],
};

/** Properties holding datetimes (compared as instants by search). */
export const DATETIME_PROPERTIES = new Set(['hs_lastmodifieddate', 'lastmodifieddate', 'createdate', 'closedate', 'hs_timestamp', 'hs_meeting_start_time', 'hs_meeting_end_time']);
/** Unique-value properties: a second object with the same value is refused. */
export const UNIQUE_PROPERTIES: Partial<Record<ObjectType, string[]>> = { emails: ['mailbridge_key'], meetings: ['mailbridge_key'], companies: [] };

export class HubspotStore {
  readonly objects: Record<ObjectType, Map<string, HsObject>> = {
    contacts: new Map(),
    companies: new Map(),
    deals: new Map(),
    emails: new Map(),
    meetings: new Map(),
  };
  readonly owners = new Map<string, HsOwner>();
  /** `type:id` → `type:id` → type ids. */
  private readonly links = new Map<string, Map<string, number[]>>();
  private readonly uniques = new Map<string, Map<string, string>>();
  private nextId = 100_000;
  /** Bumped on every change, so cached search results know when they are stale. */
  version = 0;

  constructor(private readonly now: () => number) {}

  newId(): string {
    return String(++this.nextId);
  }

  /** The live object, or undefined when missing or archived. */
  live(type: ObjectType, id: string): HsObject | undefined {
    const o = this.objects[type].get(id);
    return o && !o.archived ? o : undefined;
  }

  /** The live object holding `value` in a unique property. */
  byUnique(type: ObjectType, property: string, value: string): HsObject | undefined {
    const id = this.uniques.get(`${type}.${property}`)?.get(value.toLowerCase());
    return id ? this.live(type, id) : undefined;
  }

  /** Creates an object; `at` backdates it (seeding), otherwise now. */
  create(type: ObjectType, properties: Record<string, string | null>, id?: string, at?: { created: number; updated: number }): HsObject {
    const created = at?.created ?? this.now();
    const updated = at?.updated ?? created;
    const object: HsObject = { id: id ?? this.newId(), properties: {}, createdAt: created, updatedAt: updated, archived: false, archivedAt: null };
    object.properties = { ...properties, hs_object_id: object.id, createdate: new Date(created).toISOString() };
    this.stamp(type, object, updated);
    this.objects[type].set(object.id, object);
    this.indexUniques(type, object);
    return object;
  }

  /** Sets properties and bumps the modification date. */
  update(type: ObjectType, object: HsObject, properties: Record<string, string | null>): void {
    this.unindexUniques(type, object);
    Object.assign(object.properties, properties);
    this.stamp(type, object, this.now());
    this.indexUniques(type, object);
  }

  /** Archives (soft-deletes) an object; it leaves search and appears in `archived=true` lists. */
  archive(type: ObjectType, object: HsObject): void {
    this.version++;
    this.unindexUniques(type, object);
    object.archived = true;
    object.archivedAt = this.now();
    object.updatedAt = object.archivedAt;
  }

  /** Merges `loser` into `winner`: the loser disappears (not archived), the winner lists it. */
  merge(type: ObjectType, winner: HsObject, loser: HsObject): void {
    this.objects[type].delete(loser.id);
    this.unindexUniques(type, loser);
    const merged = (winner.properties.hs_merged_object_ids ?? '').split(';').filter(Boolean);
    this.update(type, winner, { hs_merged_object_ids: [...merged, loser.id].join(';') });
  }

  /** Adds an association in both directions; `typeId` must be defined for the pair. */
  associate(fromType: ObjectType, fromId: string, toType: ObjectType, toId: string, typeId: number): boolean {
    const forward = ASSOCIATION_TYPES[`${fromType}→${toType}`]?.find((t) => t.id === typeId);
    const backward = ASSOCIATION_TYPES[`${toType}→${fromType}`]?.find((t) => t.reverse === typeId);
    const reverse = forward?.reverse ?? backward?.id;
    if (reverse === undefined) return false;
    this.link(`${fromType}:${fromId}`, `${toType}:${toId}`, typeId);
    this.link(`${toType}:${toId}`, `${fromType}:${fromId}`, reverse);
    return true;
  }

  /** Removes every association between two objects. */
  dissociate(fromType: ObjectType, fromId: string, toType: ObjectType, toId: string): void {
    this.version++;
    this.links.get(`${fromType}:${fromId}`)?.delete(`${toType}:${toId}`);
    this.links.get(`${toType}:${toId}`)?.delete(`${fromType}:${fromId}`);
  }

  /** Associated ids of `toType`, with their type ids, in id order. */
  associations(fromType: ObjectType, fromId: string, toType: ObjectType): { id: string; typeIds: number[] }[] {
    const out: { id: string; typeIds: number[] }[] = [];
    for (const [key, typeIds] of this.links.get(`${fromType}:${fromId}`) ?? []) {
      const [type, id] = key.split(':') as [ObjectType, string];
      if (type === toType && this.live(toType, id)) out.push({ id, typeIds: [...typeIds] });
    }
    return out.sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }));
  }

  private link(from: string, to: string, typeId: number): void {
    this.version++;
    let targets = this.links.get(from);
    if (!targets) this.links.set(from, (targets = new Map()));
    const ids = targets.get(to) ?? [];
    if (!ids.includes(typeId)) ids.push(typeId);
    targets.set(to, ids);
  }

  private stamp(type: ObjectType, object: HsObject, at: number): void {
    this.version++;
    object.updatedAt = at;
    const iso = new Date(at).toISOString();
    object.properties.hs_lastmodifieddate = iso;
    if (type === 'contacts') object.properties.lastmodifieddate = iso;
  }

  private indexUniques(type: ObjectType, object: HsObject): void {
    for (const property of UNIQUE_PROPERTIES[type] ?? []) {
      const value = object.properties[property];
      if (!value) continue;
      let index = this.uniques.get(`${type}.${property}`);
      if (!index) this.uniques.set(`${type}.${property}`, (index = new Map()));
      index.set(value.toLowerCase(), object.id);
    }
  }

  private unindexUniques(type: ObjectType, object: HsObject): void {
    for (const property of UNIQUE_PROPERTIES[type] ?? []) {
      const value = object.properties[property];
      if (value) this.uniques.get(`${type}.${property}`)?.delete(value.toLowerCase());
    }
  }
}
