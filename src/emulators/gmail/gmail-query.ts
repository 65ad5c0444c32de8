/**
 * The subset of Gmail's search syntax (`q` of messages.list) the emulator understands, with the
 * grouping Gmail documents (support.google.com/mail/answer/7190): terms side by side must all
 * match; `OR` (upper case) or `{ }` means either; `( )` groups; a leading `-` negates.
 * `OR` binds tighter than the implicit AND: `a OR b c` is `(a OR b) c`.
 * Operators: from:, to:, cc:, bcc:, after:/before: (YYYY/MM/DD or epoch seconds), in:, label:,
 * rfc822msgid:. Other words are not searched (free text is not emulated) and match everything.
 */
import type { StoredMessage } from '../common/mail-store.js';
import { headerValue } from '../common/mail-store.js';
import { matchesParticipant } from '../common/participant-match.js';
import { FOLDER_LABELS } from './gmail-message-view.js';

type Test = (m: StoredMessage) => boolean;

/** Splits a query into parentheses, braces, and terms (a quoted phrase stays one term). */
function tokenize(q: string): string[] {
  return q.match(/[(){}]|-?[^\s(){}"]*"[^"]*"|[^\s(){}]+/g) ?? [];
}

function dateOf(value: string): number {
  // Gmail reads a date at midnight Pacific time; the emulator uses UTC (the sync sends epoch seconds).
  return /^\d+$/.test(value) ? Number(value) * 1000 : Date.parse(value.replace(/\//g, '-') + 'T00:00:00Z');
}

function termTest(term: string): Test {
  const colon = term.indexOf(':');
  if (colon <= 0) return () => true;
  const key = term.slice(0, colon).toLowerCase();
  const value = term.slice(colon + 1).replace(/^"|"$/g, '').toLowerCase();
  switch (key) {
    case 'from':
    case 'to':
    case 'cc':
    case 'bcc':
      return (m) => matchesParticipant(m, [key], value);
    case 'in':
    case 'label':
      return (m) => FOLDER_LABELS[m.folder].includes(value.toUpperCase());
    case 'after': {
      const at = dateOf(value);
      return (m) => Date.parse(m.receivedAt) >= at;
    }
    case 'before': {
      const at = dateOf(value);
      return (m) => Date.parse(m.receivedAt) < at;
    }
    case 'rfc822msgid':
      return (m) => (headerValue(m.headers, 'Message-ID') ?? '').replace(/[<>]/g, '').toLowerCase() === value.replace(/[<>]/g, '');
    default:
      return () => true;
  }
}

/** Parses `q` into a predicate; an unbalanced bracket is reported like the service's 400. */
export function parseGmailQuery(q: string): Test | { error: string } {
  const tokens = tokenize(q);
  let pos = 0;
  const fail = (why: string) => {
    throw new Error(why);
  };
  // all := either*   either := unit (OR unit)*   unit := -? ( '(' all ')' | '{' unit* '}' | term )
  const all = (close: string | null): Test => {
    const parts: Test[] = [];
    while (pos < tokens.length && tokens[pos] !== close) parts.push(either(close));
    return (m) => parts.every((t) => t(m));
  };
  const either = (close: string | null): Test => {
    const alts = [unit(close)];
    while (tokens[pos] === 'OR') {
      pos++;
      alts.push(unit(close));
    }
    return alts.length === 1 ? alts[0]! : (m) => alts.some((t) => t(m));
  };
  const unit = (close: string | null): Test => {
    let token = tokens[pos++];
    if (token === undefined || token === close) fail('incomplete query');
    let negate = false;
    if (token === '-' || (token!.startsWith('-') && token!.length > 1)) {
      negate = true;
      token = token === '-' ? tokens[pos++] : token!.slice(1);
    }
    let t: Test;
    if (token === '(') {
      t = all(')');
      if (tokens[pos++] !== ')') fail('missing )');
    } else if (token === '{') {
      const alts: Test[] = [];
      while (pos < tokens.length && tokens[pos] !== '}') alts.push(unit('}'));
      if (tokens[pos++] !== '}') fail('missing }');
      t = (m) => alts.some((a) => a(m));
    } else if (token === ')' || token === '}' || token === undefined) {
      return fail(`unexpected ${token ?? 'end'}`);
    } else {
      t = termTest(token);
    }
    return negate ? (m) => !t(m) : t;
  };
  try {
    const test = all(null);
    if (pos < tokens.length) fail(`unexpected ${tokens[pos]}`);
    return test;
  } catch (err) {
    return { error: (err as Error).message };
  }
}
