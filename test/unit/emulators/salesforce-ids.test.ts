import { describe, expect, it } from 'vitest';
import { caseSafeId, isCaseSafeId, recordId } from '../../../src/emulators/salesforce/salesforce-ids.js';

describe('Salesforce case-safe ids', () => {
  // Real ids published with their 18-character forms (a Case id quoted by EloquentSalesForce's
  // tests, a record-type id quoted in a public integration).
  it.each([
    ['5003000000D8cuI', '5003000000D8cuIAAR'],
    ['012PO000001F53d', '012PO000001F53dYAC'],
    ['001000000000000', '001000000000000AAA'],
  ])('%s → %s', (id15, id18) => {
    expect(caseSafeId(id15)).toBe(id18);
    expect(isCaseSafeId(id18)).toBe(true);
  });

  it('rejects a suffix that does not match', () => {
    expect(isCaseSafeId('5003000000D8cuIAAA')).toBe(false);
    expect(isCaseSafeId('5003000000D8cuI')).toBe(false);
  });

  it('numbers records with a base-62 counter under their key prefix', () => {
    const ids = Array.from({ length: 200 }, (_, i) => recordId('02s', i + 1));
    expect(ids.every((id) => id.startsWith('02s') && isCaseSafeId(id))).toBe(true);
    // Case-insensitively unique, as the suffix promises.
    expect(new Set(ids.map((id) => id.toLowerCase())).size).toBe(200);
  });
});
