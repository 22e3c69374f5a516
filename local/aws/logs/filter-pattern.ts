/**
 * CloudWatch Logs filter patterns ("Filter pattern syntax for metric filters, subscription filters, filter log
 * events"), the subset this project and its tests use:
 *
 * - the empty pattern: every event;
 * - terms in unstructured events: `ERROR Exception` (every term), `"exact phrase"`, `?ERROR ?WARN` (any of them),
 *   `-DEBUG` (not this term); terms are case-sensitive;
 * - JSON patterns, `{ <expression> }`, matched against events whose message is a JSON object: selectors `$.a.b`
 *   and `$.list[0]`; `=` and `!=` against a string (quoted, or unquoted with `*` wildcards) or a number; `<`, `>`,
 *   `<=`, `>=` against a number; `IS TRUE`, `IS FALSE`, `IS NULL`, `EXISTS`, `NOT EXISTS`; `&&`, `||` and
 *   parentheses. `{ $.field = * }` matches an event that has the field, whatever its value (CDK's
 *   `FilterPattern.exists` writes it so). A selector that is absent matches no comparison.
 *
 * Not supported (a pattern using them is refused with InvalidParameterException, never matched wrongly): regular
 * expressions (`%...%`), space-delimited patterns (`[ip, user, ...]`), IN lists.
 */

/** A compiled pattern: does this event message match? */
export type FilterMatcher = (message: string) => boolean;

/** A pattern this emulator cannot read, or that is malformed: AWS answers InvalidParameterException. */
export class FilterPatternError extends Error {
  override readonly name = 'FilterPatternError';
}

/**
 * @example compileFilterPattern('{ $.activity = "task" && $.version > 3 }')('{"activity":"task","version":4}') // true
 */
export function compileFilterPattern(pattern: string | undefined): FilterMatcher {
  const text = (pattern ?? '').trim();
  if (text === '') return () => true;
  if (text.startsWith('{')) {
    if (!text.endsWith('}')) throw new FilterPatternError('a JSON filter pattern must end with }');
    const expression = new JsonPatternParser(text.slice(1, -1)).parse();
    return (message) => {
      const event = parseJsonObject(message);
      return event !== undefined && expression(event);
    };
  }
  if (text.startsWith('[')) throw new FilterPatternError('space-delimited filter patterns are not supported by the local CloudWatch Logs');
  return compileTerms(text);
}

function parseJsonObject(message: string): Record<string, unknown> | undefined {
  const trimmed = message.trim();
  if (!trimmed.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(trimmed);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

// Terms --------------------------------------------------------------------------------------------------------

function compileTerms(text: string): FilterMatcher {
  const tokens = text.match(/[?-]?"[^"]*"|\S+/g) ?? [];
  const required: string[] = [];
  const excluded: string[] = [];
  const anyOf: string[] = [];
  for (const token of tokens) {
    const sign = token[0] === '?' || token[0] === '-' ? token[0] : '';
    const body = unquote(sign ? token.slice(1) : token);
    if (body.startsWith('%')) throw new FilterPatternError('regular expressions in filter patterns are not supported by the local CloudWatch Logs');
    if (sign === '?') anyOf.push(body);
    else if (sign === '-') excluded.push(body);
    else required.push(body);
  }
  return (message) =>
    required.every((t) => message.includes(t)) && !excluded.some((t) => message.includes(t)) && (anyOf.length === 0 || anyOf.some((t) => message.includes(t)));
}

function unquote(token: string): string {
  return token.length >= 2 && token.startsWith('"') && token.endsWith('"') ? token.slice(1, -1) : token;
}

// JSON patterns ------------------------------------------------------------------------------------------------

type Expression = (event: Record<string, unknown>) => boolean;
type Value = { kind: 'string'; text: string; quoted: boolean } | { kind: 'number'; value: number };

const TOKEN = /\s*(\(|\)|&&|\|\||!=|<=|>=|=|<|>|"(?:[^"\\]|\\.)*"|\$[^\s()=!<>&|]*|[^\s()=!<>&|"]+)/y;

/** A recursive-descent parser: or := and ('||' and)*; and := unary ('&&' unary)*; unary := '(' or ')' | test. */
class JsonPatternParser {
  private readonly tokens: string[] = [];
  private at = 0;

  constructor(source: string) {
    let at = 0;
    for (;;) {
      TOKEN.lastIndex = at;
      const match = TOKEN.exec(source);
      if (!match) break;
      this.tokens.push(match[1]);
      at = TOKEN.lastIndex;
    }
    if (source.slice(at).trim() !== '') throw new FilterPatternError(`unexpected text in filter pattern: ${source.slice(at).trim()}`);
  }

  parse(): Expression {
    if (this.tokens.length === 0) throw new FilterPatternError('a JSON filter pattern needs an expression between { and }');
    const expression = this.or();
    if (this.at < this.tokens.length) throw new FilterPatternError(`unexpected '${this.tokens[this.at]}' in filter pattern`);
    return expression;
  }

  private peek(): string | undefined {
    return this.tokens[this.at];
  }

  private next(what: string): string {
    const token = this.tokens[this.at++];
    if (token === undefined) throw new FilterPatternError(`filter pattern ends where ${what} was expected`);
    return token;
  }

  private or(): Expression {
    const parts = [this.and()];
    while (this.peek() === '||') {
      this.at++;
      parts.push(this.and());
    }
    return parts.length === 1 ? parts[0] : (event) => parts.some((p) => p(event));
  }

  private and(): Expression {
    const parts = [this.unary()];
    while (this.peek() === '&&') {
      this.at++;
      parts.push(this.unary());
    }
    return parts.length === 1 ? parts[0] : (event) => parts.every((p) => p(event));
  }

  private unary(): Expression {
    if (this.peek() === '(') {
      this.at++;
      const inner = this.or();
      if (this.next(')') !== ')') throw new FilterPatternError('missing ) in filter pattern');
      return inner;
    }
    return this.test();
  }

  private test(): Expression {
    const selector = parseSelector(this.next('a selector ($.field)'));
    const op = this.next('an operator');
    const upper = op.toUpperCase();
    if (upper === 'EXISTS') return (event) => selector(event) !== undefined;
    if (upper === 'NOT') {
      if (this.next('EXISTS').toUpperCase() !== 'EXISTS') throw new FilterPatternError('expected NOT EXISTS');
      return (event) => selector(event) === undefined;
    }
    if (upper === 'IS') {
      const what = this.next('TRUE, FALSE or NULL').toUpperCase();
      if (what === 'TRUE') return (event) => selector(event) === true;
      if (what === 'FALSE') return (event) => selector(event) === false;
      if (what === 'NULL') return (event) => selector(event) === null;
      throw new FilterPatternError(`expected TRUE, FALSE or NULL after IS, not ${what}`);
    }
    if (!['=', '!=', '<', '>', '<=', '>='].includes(op)) throw new FilterPatternError(`unknown operator '${op}' in filter pattern`);
    const value = parseValue(this.next('a value'));
    if (value.kind === 'string' && op !== '=' && op !== '!=') throw new FilterPatternError(`'${op}' compares numbers only`);
    return (event) => compare(selector(event), op, value);
  }
}

/** `$.a.b[0]` → a reader of that path (undefined when any step is missing). */
function parseSelector(token: string): (event: Record<string, unknown>) => unknown {
  if (!token.startsWith('$')) throw new FilterPatternError(`a JSON filter pattern compares selectors starting with $., not '${token}'`);
  const steps: Array<string | number> = [];
  const path = /\.([^.[\]]+)|\[(\d+)\]/y;
  path.lastIndex = 1;
  let match: RegExpExecArray | null;
  while (path.lastIndex < token.length && (match = path.exec(token))) steps.push(match[1] ?? Number(match[2]));
  if (steps.length === 0 || path.lastIndex !== token.length) throw new FilterPatternError(`invalid selector '${token}'`);
  return (event) => {
    let value: unknown = event;
    for (const step of steps) {
      if (value === null || typeof value !== 'object') return undefined;
      if (!Object.hasOwn(value, step)) return undefined;
      value = (value as Record<string | number, unknown>)[step];
    }
    return value;
  };
}

function parseValue(token: string): Value {
  if (token.startsWith('"')) return { kind: 'string', text: JSON.parse(token) as string, quoted: true };
  if (token.startsWith('%')) throw new FilterPatternError('regular expressions in filter patterns are not supported by the local CloudWatch Logs');
  if (/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(token)) return { kind: 'number', value: Number(token) };
  return { kind: 'string', text: token, quoted: false };
}

function compare(actual: unknown, op: string, expected: Value): boolean {
  if (actual === undefined) return false;
  if (expected.kind === 'number') {
    if (typeof actual !== 'number') return false;
    switch (op) {
      case '=':
        return actual === expected.value;
      case '!=':
        return actual !== expected.value;
      case '<':
        return actual < expected.value;
      case '>':
        return actual > expected.value;
      case '<=':
        return actual <= expected.value;
      default:
        return actual >= expected.value;
    }
  }
  // `= *`: the field is there, whatever its value.
  if (expected.text === '*') return op === '=';
  if (typeof actual !== 'string') return false;
  const equal = wildcard(expected.text).test(actual);
  return op === '=' ? equal : !equal;
}

function wildcard(text: string): RegExp {
  return new RegExp(`^${text.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 's');
}
