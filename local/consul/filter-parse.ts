/** The parser of Consul's filter expressions (see filter.ts for the language). */

export type MatchOperator = '==' | '!=' | 'in' | 'not in' | 'is empty' | 'is not empty' | 'matches' | 'not matches';

export type FilterExpression =
  | { kind: 'or' | 'and'; left: FilterExpression; right: FilterExpression }
  | { kind: 'not'; operand: FilterExpression }
  | { kind: 'match'; operator: MatchOperator; selector: readonly string[]; value?: string; regex?: RegExp };

/** A malformed expression or an unknown selector; the message reads like go-bexpr's. */
export class FilterError extends Error {
  override readonly name = 'FilterError';
}

const WORD_START = /[a-zA-Z]/;
const WORD_CHAR = /[a-zA-Z0-9_/]/;
const SPACE = /[ \t\r\n]/;
const NUMBER = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?/;

class Parser {
  private pos = 0;
  constructor(private readonly src: string) {}

  parse(): FilterExpression {
    this.skipSpace();
    if (this.pos >= this.src.length) this.fail('no match found, expected: "(", "not", a selector or a value');
    const expr = this.parseOr();
    this.skipSpace();
    if (this.pos < this.src.length) {
      this.fail(this.src[this.pos] === ')' ? 'Unmatched parentheses' : 'no match found, expected: "and", "or" or EOF');
    }
    return expr;
  }

  private parseOr(): FilterExpression {
    const left = this.parseAnd();
    if (this.keywordAhead('or')) {
      this.consumeKeyword('or');
      return { kind: 'or', left, right: this.parseOr() };
    }
    return left;
  }

  private parseAnd(): FilterExpression {
    const left = this.parseNot();
    if (this.keywordAhead('and')) {
      this.consumeKeyword('and');
      return { kind: 'and', left, right: this.parseAnd() };
    }
    return left;
  }

  private parseNot(): FilterExpression {
    this.skipSpace();
    if (this.wordAt(this.pos) === 'not') {
      this.pos += 3;
      if (!this.skipSpace()) this.fail('no match found, expected: whitespace after "not"');
      const operand = this.parseNot();
      // `not not x` is `x`, as go-bexpr folds it.
      return operand.kind === 'not' ? operand.operand : { kind: 'not', operand };
    }
    return this.parseGroup();
  }

  private parseGroup(): FilterExpression {
    if (this.src[this.pos] !== '(') return this.parseMatch();
    this.pos += 1;
    this.skipSpace();
    const expr = this.parseOr();
    this.skipSpace();
    if (this.src[this.pos] !== ')') this.fail('Unmatched parentheses');
    this.pos += 1;
    return expr;
  }

  private parseMatch(): FilterExpression {
    const start = this.pos;
    const ch = this.src[this.pos] ?? '';
    if (!WORD_START.test(ch)) {
      // Only `<Value> [not] in <Selector>` starts with a literal.
      const value = this.parseLiteral();
      const operator = this.parseInOperator();
      if (!operator) this.fail('no match found, expected: "in" or "not in"');
      return { kind: 'match', operator, selector: this.parseSelector(), value };
    }
    const selector = this.parseSelector();
    const inOperator = this.parseInOperator();
    if (inOperator) {
      // A bare identifier on the left of `in` is a value (go-bexpr's Value <- Selector), e.g. `foo in Tags`.
      return { kind: 'match', operator: inOperator, selector: this.parseSelector(), value: selector.join('.') };
    }
    const hadSpace = this.skipSpace();
    for (const op of ['==', '!='] as const) {
      if (this.src.startsWith(op, this.pos)) {
        this.pos += 2;
        this.skipSpace();
        return { kind: 'match', operator: op, selector, value: this.parseValue() };
      }
    }
    if (!hadSpace) this.fail('no match found, expected: "!=", ".", "==", "[", [ \\t\\r\\n] or [a-zA-Z0-9_]');
    const words = this.wordsAhead(3);
    if (words[0] === 'is' && words[1] === 'empty') return this.matchAfter(2, 'is empty', selector);
    if (words[0] === 'is' && words[1] === 'not' && words[2] === 'empty') return this.matchAfter(3, 'is not empty', selector);
    const withValue: Array<[string[], MatchOperator]> = [
      [['contains'], 'in'],
      [['not', 'contains'], 'not in'],
      [['matches'], 'matches'],
      [['not', 'matches'], 'not matches'],
    ];
    for (const [keywords, operator] of withValue) {
      if (keywords.every((k, i) => words[i] === k)) {
        this.matchAfter(keywords.length, operator, selector);
        if (!this.skipSpace()) this.fail(`no match found, expected: whitespace after "${keywords.join(' ')}"`);
        const value = this.parseValue();
        return { kind: 'match', operator, selector, value, regex: operator.endsWith('matches') ? compileRegex(value, start) : undefined };
      }
    }
    return this.fail('no match found, expected: "!=", "==", "contains", "in", "is", "matches" or "not"');
  }

  /** Consumes `n` words (and the spaces between them) and returns a value-less match. */
  private matchAfter(n: number, operator: MatchOperator, selector: readonly string[]): FilterExpression {
    for (let i = 0; i < n; i += 1) {
      this.skipSpace();
      this.pos += this.wordAt(this.pos).length;
    }
    return { kind: 'match', operator, selector };
  }

  /** ` in ` or ` not in ` (surrounded by whitespace), consumed; undefined (nothing consumed) otherwise. */
  private parseInOperator(): 'in' | 'not in' | undefined {
    const save = this.pos;
    if (this.skipSpace()) {
      const words = this.wordsAhead(2);
      const operator = words[0] === 'in' ? 'in' : words[0] === 'not' && words[1] === 'in' ? 'not in' : undefined;
      if (operator) {
        this.matchAfter(operator === 'in' ? 1 : 2, operator, []);
        if (!this.skipSpace()) this.fail('Invalid selector');
        return operator;
      }
    }
    this.pos = save;
    return undefined;
  }

  private parseSelector(): string[] {
    const first = this.wordAt(this.pos);
    if (first === '') this.fail('Invalid selector');
    this.pos += first.length;
    const path = [first];
    for (;;) {
      const ch = this.src[this.pos];
      if (ch === '.') {
        const word = this.wordAt(this.pos + 1);
        const digits = /^[0-9]+/.exec(this.src.slice(this.pos + 1))?.[0] ?? '';
        const part = word || digits;
        if (part === '') this.fail('no match found, expected: [a-zA-Z] or [0-9]');
        this.pos += 1 + part.length;
        path.push(part);
      } else if (ch === '[') {
        this.pos += 1;
        this.skipSpace();
        const quote = this.src[this.pos];
        if (quote !== '"' && quote !== '`') this.fail('Invalid index');
        path.push(this.parseString());
        this.skipSpace();
        if (this.src[this.pos] !== ']') this.fail('Unclosed index expression');
        this.pos += 1;
      } else {
        return path;
      }
    }
  }

  /** A value: a bare selector (its dotted text), a number, or a string. */
  private parseValue(): string {
    if (WORD_START.test(this.src[this.pos] ?? '')) return this.parseSelector().join('.');
    return this.parseLiteral();
  }

  private parseLiteral(): string {
    const ch = this.src[this.pos];
    if (ch === '"' || ch === '`') return this.parseString();
    const number = NUMBER.exec(this.src.slice(this.pos))?.[0];
    if (number) {
      this.pos += number.length;
      const after = this.src[this.pos];
      if (after !== undefined && !SPACE.test(after) && after !== ')') this.fail('rule "number": Invalid number literal');
      return number;
    }
    return this.fail('no match found, expected: a selector, a number or a string');
  }

  /**
   * A double-quoted string (Go escapes expanded; it cannot hold a `"`, since the grammar ends it at the next
   * one) or a backtick raw string (taken as written).
   */
  private parseString(): string {
    const quote = this.src[this.pos];
    const end = this.src.indexOf(quote, this.pos + 1);
    if (end === -1) this.fail('Unterminated string literal');
    const body = this.src.slice(this.pos + 1, end);
    const at = this.pos;
    this.pos = end + 1;
    if (quote === '`') return body;
    try {
      return JSON.parse(`"${body}"`) as string;
    } catch {
      this.pos = at;
      return this.fail('invalid syntax');
    }
  }

  private keywordAhead(word: string): boolean {
    const save = this.pos;
    const spaced = this.skipSpace();
    const found = spaced && this.wordAt(this.pos) === word;
    this.pos = save;
    return found;
  }

  private consumeKeyword(word: string): void {
    this.skipSpace();
    this.pos += word.length;
    // The grammar wants whitespace on both sides of `and`/`or` (`_ "and" _`), even before a parenthesis.
    if (!this.skipSpace()) this.fail(`no match found, expected: whitespace after "${word}"`);
  }

  /** The next `n` whitespace-separated words from the current position, without consuming them. */
  private wordsAhead(n: number): string[] {
    const words: string[] = [];
    let at = this.pos;
    for (let i = 0; i < n; i += 1) {
      while (SPACE.test(this.src[at] ?? '')) at += 1;
      const word = this.wordAt(at);
      if (word === '') break;
      words.push(word);
      at += word.length;
    }
    return words;
  }

  private wordAt(at: number): string {
    if (!WORD_START.test(this.src[at] ?? '')) return '';
    let end = at + 1;
    while (end < this.src.length && WORD_CHAR.test(this.src[end])) end += 1;
    return this.src.slice(at, end);
  }

  private skipSpace(): boolean {
    const start = this.pos;
    while (SPACE.test(this.src[this.pos] ?? '')) this.pos += 1;
    return this.pos > start;
  }

  /** go-bexpr (pigeon) positions: `line:column (offset)`, 1-based line and column, 0-based offset. */
  private fail(message: string): never {
    const before = this.src.slice(0, this.pos);
    const line = before.split('\n').length;
    const column = this.pos - before.lastIndexOf('\n');
    throw new FilterError(`${line}:${column} (${this.pos}): ${message}`);
  }
}

function compileRegex(pattern: string, offset: number): RegExp {
  try {
    // Unanchored, as Go's regexp.MatchString.
    return new RegExp(pattern);
  } catch (err) {
    throw new FilterError(`1:${offset + 1} (${offset}): error parsing regexp: ${(err as Error).message}`);
  }
}

/** Parses an expression; throws FilterError when it is malformed. */
export function parseFilter(text: string): FilterExpression {
  return new Parser(text).parse();
}
