/**
 * The subset of KQL that Graph's `$search` on messages accepts and the emulator understands
 * (learn.microsoft.com/graph/search-query-parameter, "Using $search on message collections"):
 * `participants:`, `from:`, `to:`, `cc:`, `bcc:` (participants is all four), `received` with
 * `:`, `=`, `>=`, `<=`, `>`, `<` on a date (YYYY-MM-DD or MM/DD/YYYY), `AND`, `OR`, `NOT`, and
 * parentheses; words side by side must all match. The whole value is in double quotes. A bare
 * word searches the default properties (from, subject, body).
 */
import { headerValue, type StoredMessage } from '../common/mail-store.js';
import { matchesParticipant, type ParticipantField } from '../common/participant-match.js';

type Test = (m: StoredMessage) => boolean;

const DAY_MS = 86_400_000;
const FIELDS: Record<string, readonly ParticipantField[]> = {
  participants: ['from', 'to', 'cc', 'bcc'],
  from: ['from'],
  to: ['to'],
  cc: ['cc'],
  bcc: ['bcc'],
};

function dayStart(value: string): number | null {
  const us = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(value);
  const iso = us ? `${us[3]}-${us[1]!.padStart(2, '0')}-${us[2]!.padStart(2, '0')}` : value;
  const at = /^\d{4}-\d{2}-\d{2}$/.test(iso) ? Date.parse(`${iso}T00:00:00Z`) : Number.NaN;
  return Number.isNaN(at) ? null : at;
}

function termTest(term: string): Test {
  const m = /^([a-z]+)(>=|<=|:|=|>|<)(.+)$/i.exec(term);
  if (!m) {
    const word = term.replace(/^'|'$/g, '').toLowerCase();
    return (msg) => [headerValue(msg.headers, 'From'), headerValue(msg.headers, 'Subject'), msg.text].some((v) => (v ?? '').toLowerCase().includes(word));
  }
  const prop = m[1]!.toLowerCase();
  const op = m[2]!;
  const value = m[3]!.replace(/^'|'$/g, '');
  const fields = FIELDS[prop];
  if (fields) {
    if (op !== ':') throw new Error(`${prop} takes ':'`);
    return (msg) => matchesParticipant(msg, fields, value);
  }
  if (prop === 'received') {
    const start = dayStart(value);
    if (start === null) throw new Error(`invalid date ${value}`);
    const end = start + DAY_MS;
    const at = (msg: StoredMessage) => Date.parse(msg.receivedAt);
    if (op === '>=') return (msg) => at(msg) >= start;
    if (op === '>') return (msg) => at(msg) >= end;
    if (op === '<=') return (msg) => at(msg) < end;
    if (op === '<') return (msg) => at(msg) < start;
    return (msg) => at(msg) >= start && at(msg) < end;
  }
  throw new Error(`property ${prop} is not supported by the emulator`);
}

/** Parses a `$search` value into a predicate, or says why it cannot (the service answers 400). */
export function parseMessageSearch(raw: string): Test | { error: string } {
  const quoted = /^"(.*)"$/s.exec(raw.trim());
  if (!quoted) return { error: 'the $search value must be enclosed in double quotes' };
  const tokens = quoted[1]!.match(/[()]|[^\s()]+/g) ?? [];
  let pos = 0;
  // or := and (OR and)*   and := not ((AND)? not)*   not := NOT? ( '(' or ')' | term )
  const or = (): Test => {
    const alts = [and()];
    while (tokens[pos] === 'OR') {
      pos++;
      alts.push(and());
    }
    return alts.length === 1 ? alts[0]! : (m) => alts.some((t) => t(m));
  };
  const and = (): Test => {
    const parts = [not()];
    while (pos < tokens.length && tokens[pos] !== ')' && tokens[pos] !== 'OR') {
      if (tokens[pos] === 'AND') pos++;
      parts.push(not());
    }
    return (m) => parts.every((t) => t(m));
  };
  const not = (): Test => {
    const token = tokens[pos++];
    if (token === 'NOT') {
      const t = not();
      return (m) => !t(m);
    }
    if (token === '(') {
      const t = or();
      if (tokens[pos++] !== ')') throw new Error('missing )');
      return t;
    }
    if (token === undefined || token === ')' || token === 'AND' || token === 'OR') throw new Error(`unexpected ${token ?? 'end of query'}`);
    return termTest(token);
  };
  try {
    if (!tokens.length) return { error: 'empty search' };
    const t = or();
    if (pos < tokens.length) throw new Error(`unexpected ${tokens[pos]}`);
    return t;
  } catch (err) {
    return { error: (err as Error).message };
  }
}
