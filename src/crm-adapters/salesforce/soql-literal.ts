/**
 * Safe SOQL literals: every value that reaches a query goes through here, so an address such as
 * `o'brien@acme.com` or `x' OR Name != '` stays one string literal.
 *
 * Example: `soqlString("o'brien@acme.com")` → `'o\'brien@acme.com'`.
 */

const ESCAPES: Record<string, string> = { '\\': '\\\\', "'": "\\'", '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f', '"': '\\"' };

/** A quoted SOQL string literal with backslash escapes. */
export function soqlString(value: string): string {
  return `'${value.replace(/[\\'\n\r\t\b\f"]/g, (c) => ESCAPES[c]!)}'`;
}

/** `('a', 'b')` for an IN list; never empty (an empty list is not valid SOQL). */
export function soqlList(values: readonly string[]): string {
  if (values.length === 0) throw new Error('soqlList: empty IN list');
  return `(${values.map(soqlString).join(', ')})`;
}

/** An unquoted SOQL datetime literal in UTC (`2025-01-01T00:00:00.000Z`). */
export function soqlDatetime(ms: number): string {
  return new Date(Math.max(0, ms)).toISOString();
}
