/**
 * The SOQL subset the Salesforce emulator understands:
 * `SELECT f, … FROM Object [WHERE cond] [ORDER BY f [ASC|DESC], …] [LIMIT n]`, where a condition
 * is `field op literal`, `field [NOT] IN (literal, …)`, combined with AND / OR / NOT and
 * parentheses. Literals: quoted strings with backslash escapes, numbers, true/false/null, and
 * unquoted date / datetime literals (`2025-01-01`, `2025-01-01T00:00:00Z`).
 *
 * Example: `SELECT Id FROM Contact WHERE Email = 'o\'brien@acme.com'` compares Email to
 * `o'brien@acme.com`; the escaped quote never ends the literal.
 */

export type SoqlValue = string | number | boolean | null;

export type SoqlCondition =
  | { kind: 'compare'; field: string; op: '=' | '!=' | '<' | '<=' | '>' | '>=' | 'LIKE'; value: SoqlValue }
  | { kind: 'in'; field: string; negated: boolean; values: SoqlValue[] }
  | { kind: 'and' | 'or'; left: SoqlCondition; right: SoqlCondition }
  | { kind: 'not'; inner: SoqlCondition };

export interface SoqlQuery {
  fields: string[];
  object: string;
  where: SoqlCondition | null;
  orderBy: { field: string; descending: boolean }[];
  limit: number | null;
}

/** Thrown for anything outside the subset; the emulator answers 400 `MALFORMED_QUERY`. */
export class SoqlSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SoqlSyntaxError';
  }
}

type Token =
  | { t: 'word'; v: string }
  | { t: 'string'; v: string }
  | { t: 'number'; v: number }
  | { t: 'datetime'; v: string }
  | { t: 'op'; v: string }
  | { t: 'punct'; v: string };

const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', '"': '"', "'": "'", '\\': '\\' };
const DATE_LITERAL = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2}))?/;

function tokenize(soql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < soql.length) {
    const ch = soql[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === "'") {
      let value = '';
      i++;
      for (;;) {
        if (i >= soql.length) throw new SoqlSyntaxError('unterminated string literal');
        const c = soql[i]!;
        if (c === '\\') {
          const next = soql[i + 1];
          const mapped = next === undefined ? undefined : ESCAPES[next];
          if (mapped === undefined) throw new SoqlSyntaxError(`invalid escape \\${next ?? ''}`);
          value += mapped;
          i += 2;
        } else if (c === "'") {
          i++;
          break;
        } else {
          value += c;
          i++;
        }
      }
      tokens.push({ t: 'string', v: value });
      continue;
    }
    const date = DATE_LITERAL.exec(soql.slice(i));
    if (date) {
      tokens.push({ t: 'datetime', v: date[0] });
      i += date[0].length;
      continue;
    }
    const num = /^-?\d+(\.\d+)?/.exec(soql.slice(i));
    if (num) {
      tokens.push({ t: 'number', v: Number(num[0]) });
      i += num[0].length;
      continue;
    }
    const op = /^(<=|>=|!=|<>|=|<|>)/.exec(soql.slice(i));
    if (op) {
      tokens.push({ t: 'op', v: op[0] === '<>' ? '!=' : op[0] });
      i += op[0].length;
      continue;
    }
    if (ch === '(' || ch === ')' || ch === ',') {
      tokens.push({ t: 'punct', v: ch });
      i++;
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(soql.slice(i));
    if (word) {
      tokens.push({ t: 'word', v: word[0] });
      i += word[0].length;
      continue;
    }
    throw new SoqlSyntaxError(`unexpected character '${ch}' at ${i}`);
  }
  return tokens;
}

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }

  private isKeyword(word: string): boolean {
    const tok = this.peek();
    return tok?.t === 'word' && tok.v.toUpperCase() === word;
  }

  private expectKeyword(word: string): void {
    if (!this.isKeyword(word)) throw new SoqlSyntaxError(`expected ${word}`);
    this.pos++;
  }

  private expectPunct(p: string): void {
    const tok = this.peek();
    if (tok?.t !== 'punct' || tok.v !== p) throw new SoqlSyntaxError(`expected '${p}'`);
    this.pos++;
  }

  private identifier(): string {
    const tok = this.peek();
    if (tok?.t !== 'word') throw new SoqlSyntaxError('expected a field or object name');
    this.pos++;
    return tok.v;
  }

  parse(): SoqlQuery {
    this.expectKeyword('SELECT');
    const fields = [this.identifier()];
    while (this.peek()?.t === 'punct' && this.peek()?.v === ',') {
      this.pos++;
      fields.push(this.identifier());
    }
    this.expectKeyword('FROM');
    const object = this.identifier();
    let where: SoqlCondition | null = null;
    if (this.isKeyword('WHERE')) {
      this.pos++;
      where = this.orExpr();
    }
    const orderBy: SoqlQuery['orderBy'] = [];
    if (this.isKeyword('ORDER')) {
      this.pos++;
      this.expectKeyword('BY');
      do {
        if (orderBy.length) this.pos++;
        const field = this.identifier();
        let descending = false;
        if (this.isKeyword('ASC')) this.pos++;
        else if (this.isKeyword('DESC')) {
          this.pos++;
          descending = true;
        }
        orderBy.push({ field, descending });
      } while (this.peek()?.t === 'punct' && this.peek()?.v === ',');
    }
    let limit: number | null = null;
    if (this.isKeyword('LIMIT')) {
      this.pos++;
      const tok = this.peek();
      if (tok?.t !== 'number' || !Number.isInteger(tok.v) || tok.v < 0) throw new SoqlSyntaxError('bad LIMIT');
      limit = tok.v;
      this.pos++;
    }
    if (this.pos !== this.tokens.length) throw new SoqlSyntaxError('unexpected token after query');
    return { fields, object, where, orderBy, limit };
  }

  private orExpr(): SoqlCondition {
    let left = this.andExpr();
    while (this.isKeyword('OR')) {
      this.pos++;
      left = { kind: 'or', left, right: this.andExpr() };
    }
    return left;
  }

  private andExpr(): SoqlCondition {
    let left = this.unary();
    while (this.isKeyword('AND')) {
      this.pos++;
      left = { kind: 'and', left, right: this.unary() };
    }
    return left;
  }

  private unary(): SoqlCondition {
    if (this.isKeyword('NOT')) {
      this.pos++;
      return { kind: 'not', inner: this.unary() };
    }
    const tok = this.peek();
    if (tok?.t === 'punct' && tok.v === '(') {
      this.pos++;
      const inner = this.orExpr();
      this.expectPunct(')');
      return inner;
    }
    return this.comparison();
  }

  private comparison(): SoqlCondition {
    const field = this.identifier();
    let negated = false;
    if (this.isKeyword('NOT')) {
      this.pos++;
      negated = true;
      if (!this.isKeyword('IN')) throw new SoqlSyntaxError('expected IN after NOT');
    }
    if (this.isKeyword('IN')) {
      this.pos++;
      this.expectPunct('(');
      const values = [this.literal()];
      while (this.peek()?.t === 'punct' && this.peek()?.v === ',') {
        this.pos++;
        values.push(this.literal());
      }
      this.expectPunct(')');
      return { kind: 'in', field, negated, values };
    }
    if (this.isKeyword('LIKE')) {
      this.pos++;
      return { kind: 'compare', field, op: 'LIKE', value: this.literal() };
    }
    const tok = this.peek();
    if (tok?.t !== 'op') throw new SoqlSyntaxError(`expected an operator after ${field}`);
    this.pos++;
    return { kind: 'compare', field, op: tok.v as '=', value: this.literal() };
  }

  private literal(): SoqlValue {
    const tok = this.peek();
    if (!tok) throw new SoqlSyntaxError('expected a value');
    this.pos++;
    switch (tok.t) {
      case 'string':
      case 'datetime':
        return tok.v;
      case 'number':
        return tok.v;
      case 'word': {
        const w = tok.v.toLowerCase();
        if (w === 'true') return true;
        if (w === 'false') return false;
        if (w === 'null') return null;
        throw new SoqlSyntaxError(`unexpected word ${tok.v}`);
      }
      default:
        throw new SoqlSyntaxError('expected a value');
    }
  }
}

/** Parses a SOQL statement of the subset; throws `SoqlSyntaxError` otherwise. */
export function parseSoql(soql: string): SoqlQuery {
  return new Parser(tokenize(soql)).parse();
}
