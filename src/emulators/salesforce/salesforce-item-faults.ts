/**
 * Per-record failures inside an sObject collection write, while the other records of the same
 * request succeed (the request itself answers 200). Two kinds are modelled:
 * - `UNABLE_TO_LOCK_ROW`: another transaction holds the row (or a parent) for a moment; the
 *   record is fine and a retry of that record alone succeeds;
 * - `DUPLICATES_DETECTED`: an active duplicate rule blocks the record; a retry gets the same
 *   answer, so a client must report it rather than loop.
 * Rules match records by field values (`{ Mailbridge_Key__c: 'k1' }`; no `match`: any record)
 * and are used up after `times` hits (default 1).
 */
import type { SfWriteError } from './salesforce-store.js';

export type SfItemFaultCode = 'UNABLE_TO_LOCK_ROW' | 'DUPLICATES_DETECTED';

export interface SfItemFaultRule {
  error: SfItemFaultCode;
  /** Only records of this sObject (default: any). */
  object?: string;
  /** Field values the record must carry (compared as strings). */
  match?: Record<string, string>;
  times?: number;
}

/** The error Salesforce puts in a failed record's result, for each modelled code. */
function itemError(code: SfItemFaultCode, object: string): SfWriteError {
  if (code === 'UNABLE_TO_LOCK_ROW') {
    return { statusCode: code, message: 'unable to obtain exclusive access to this record or 1 records: 001000000000001AAA', fields: [] };
  }
  return {
    statusCode: code,
    message: 'Use one of these records?',
    fields: [],
    duplicateResult: {
      allowSave: false,
      duplicateRule: `Standard_${object}_Duplicate_Rule`,
      duplicateRuleEntityType: object,
      errorMessage: "You're creating a duplicate record. We recommend you use an existing record instead.",
      matchResults: [],
    },
  };
}

export class SfItemFaultPlan {
  private rules: { rule: SfItemFaultRule; left: number }[] = [];

  add(rule: SfItemFaultRule): void {
    this.rules.push({ rule, left: rule.times ?? 1 });
  }

  clear(): void {
    this.rules = [];
  }

  pending(): number {
    return this.rules.length;
  }

  /** The error for this record, if a rule matches it; consumes one use of the rule. */
  take(object: string, record: Record<string, unknown>): SfWriteError | undefined {
    const index = this.rules.findIndex(
      ({ rule }) =>
        (rule.object === undefined || rule.object === object) &&
        Object.entries(rule.match ?? {}).every(([field, value]) => String(record[field] ?? '') === value),
    );
    if (index < 0) return undefined;
    const active = this.rules[index]!;
    if (--active.left <= 0) this.rules.splice(index, 1);
    return itemError(active.rule.error, object);
  }
}
