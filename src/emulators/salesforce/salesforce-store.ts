/**
 * The Salesforce emulator's records: one table per sObject, ids with the real key prefixes,
 * system fields maintained on every write, soft deletion (rows stay with `IsDeleted = true`, as
 * in the recycle bin, so `queryAll` can return them). Datetimes are held as epoch ms.
 */
import { recordId } from './salesforce-ids.js';
import { SF_OBJECTS, findField, type SfObject } from './salesforce-schema.js';

export type SfRecord = Record<string, unknown> & { Id: string; IsDeleted: boolean; SystemModstamp: number };

/** One write failure as Salesforce reports it in collection results. */
export interface SfWriteError {
  statusCode: string;
  message: string;
  fields: string[];
  /** Set on `DUPLICATES_DETECTED`: which duplicate rule blocked the record. */
  duplicateResult?: unknown;
}

export class SalesforceStore {
  private readonly tables = new Map<string, Map<string, SfRecord>>();
  private readonly counters = new Map<string, number>();
  /** Unique/external-id indexes: `Object.Field` → lower-cased value → id. */
  private readonly uniques = new Map<string, Map<string, string>>();

  constructor(private readonly now: () => number) {
    for (const name of Object.keys(SF_OBJECTS)) this.tables.set(name, new Map());
    for (const object of Object.values(SF_OBJECTS)) {
      for (const field of object.fields) if (field.unique) this.uniques.set(`${object.name}.${field.name}`, new Map());
    }
  }

  /** Every row of an object, deleted ones included (callers filter). */
  table(object: string): Map<string, SfRecord> {
    const table = this.tables.get(object);
    if (!table) throw new Error(`unknown object ${object}`);
    return table;
  }

  /** Next id for an object: key prefix, a base-62 counter and the case-safe suffix (18 chars). */
  nextId(object: SfObject): string {
    const n = (this.counters.get(object.name) ?? 0) + 1;
    this.counters.set(object.name, n);
    return recordId(object.prefix, n);
  }

  /** The live row with this id in any table, if any. */
  findById(id: string): { object: string; record: SfRecord } | undefined {
    for (const [object, table] of this.tables) {
      const record = table.get(id);
      if (record && !record.IsDeleted) return { object, record };
    }
    return undefined;
  }

  /** The live row holding `value` in a unique field. */
  findByUnique(object: string, field: string, value: string): SfRecord | undefined {
    const id = this.uniques.get(`${object}.${field}`)?.get(value.toLowerCase());
    const record = id ? this.table(object).get(id) : undefined;
    return record && !record.IsDeleted ? record : undefined;
  }

  /**
   * Inserts a row; `fields` hold wire values already validated by the caller. Returns the id, or
   * a `DUPLICATE_VALUE` error when a unique field's value is taken.
   */
  insert(object: SfObject, fields: Record<string, unknown>, id?: string): SfRecord | SfWriteError {
    const duplicate = this.duplicateOf(object, fields, null);
    if (duplicate) return duplicate;
    const at = this.now();
    const record: SfRecord = {
      Id: id ?? this.nextId(object),
      IsDeleted: false,
      CreatedDate: at,
      LastModifiedDate: at,
      SystemModstamp: at,
      ...fields,
    };
    this.table(object.name).set(record.Id, record);
    this.indexUniques(object, record);
    return record;
  }

  /** Applies field changes to a live row and bumps its timestamps. */
  update(object: SfObject, record: SfRecord, fields: Record<string, unknown>): SfWriteError | undefined {
    const duplicate = this.duplicateOf(object, fields, record.Id);
    if (duplicate) return duplicate;
    this.unindexUniques(object, record);
    Object.assign(record, fields);
    const at = this.now();
    record.LastModifiedDate = at;
    record.SystemModstamp = at;
    this.indexUniques(object, record);
    return undefined;
  }

  /** Soft-deletes a row (it stays readable through `queryAll`). */
  softDelete(object: SfObject, record: SfRecord): void {
    this.unindexUniques(object, record);
    record.IsDeleted = true;
    record.SystemModstamp = this.now();
  }

  /** Empties the recycle bin of rows deleted before `before` (epoch ms): they vanish for good. */
  purgeDeleted(before: number): void {
    for (const table of this.tables.values()) {
      for (const [id, record] of table) if (record.IsDeleted && record.SystemModstamp < before) table.delete(id);
    }
  }

  /** Takes a copy of a row, for undoing an `allOrNone` request. */
  checkpoint(record: SfRecord): SfRecord {
    return { ...record };
  }

  /** Puts a row back as it was at `copy` (or removes it when it did not exist). */
  rollback(object: SfObject, id: string, copy: SfRecord | null): void {
    const table = this.table(object.name);
    const current = table.get(id);
    if (current) this.unindexUniques(object, current);
    if (copy) {
      table.set(id, copy);
      if (!copy.IsDeleted) this.indexUniques(object, copy);
    } else {
      table.delete(id);
    }
  }

  private duplicateOf(object: SfObject, fields: Record<string, unknown>, selfId: string | null): SfWriteError | undefined {
    for (const [name, value] of Object.entries(fields)) {
      const field = findField(object, name);
      if (!field?.unique || typeof value !== 'string') continue;
      const holder = this.uniques.get(`${object.name}.${field.name}`)?.get(value.toLowerCase());
      if (holder && holder !== selfId) {
        return {
          statusCode: 'DUPLICATE_VALUE',
          message: `duplicate value found: ${field.name} duplicates value on record with id: ${holder}`,
          fields: [field.name],
        };
      }
    }
    return undefined;
  }

  private indexUniques(object: SfObject, record: SfRecord): void {
    for (const field of object.fields) {
      const value = record[field.name];
      if (field.unique && typeof value === 'string') this.uniques.get(`${object.name}.${field.name}`)!.set(value.toLowerCase(), record.Id);
    }
  }

  private unindexUniques(object: SfObject, record: SfRecord): void {
    for (const field of object.fields) {
      const value = record[field.name];
      if (field.unique && typeof value === 'string') this.uniques.get(`${object.name}.${field.name}`)!.delete(value.toLowerCase());
    }
  }
}
