/**
 * One element of a pattern's value array, compiled: an exact value or a match expression (`prefix`, `suffix`,
 * `equals-ignore-case`, `wildcard`, `anything-but`, `numeric`, `exists`, `cidr`).
 *
 * The validation order and the rejection reasons follow AWS's matcher (Event Ruler's JSON rule compiler), so a
 * pattern AWS rejects is rejected here with the same reason. Matching semantics follow the EventBridge user guide
 * ("Comparison operators for use in event patterns"): string operators only match strings, `numeric` only JSON
 * numbers, and `anything-but` matches every present value (of any type) that is not excluded.
 */
import { ipInRange, parseCidr, parseIp } from './ip';
import { rejectPattern } from './pattern-error';
import { compileWildcard } from './wildcard';

/** A leaf value of an event: what a pattern's value array is compared with. */
export type LeafValue = string | number | boolean | null;

/**
 * `exists` looks at presence only; every other matcher tests the field's leaf values (one of them must pass).
 * A field is present when it has at least one leaf value (objects and empty arrays are not leaves).
 */
export type LeafMatcher =
  | { readonly kind: 'exists'; readonly present: boolean }
  | { readonly kind: 'value'; readonly test: (value: LeafValue) => boolean };

/** Numeric operands are limited to ±5e9 (Event Ruler's comparable-number range). */
const NUMERIC_LIMIT = 5e9;

/** A JSON object (not null, not an array). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Compiles one element of a pattern's value array. */
export function compileLeafMatcher(element: unknown): LeafMatcher {
  if (typeof element === 'string' || typeof element === 'number' || typeof element === 'boolean' || element === null) {
    // Exact match, case-sensitive and type-sensitive: "5" does not match 5, null does not match a missing field.
    return valueMatcher((value) => value === element);
  }
  if (isPlainObject(element)) return compileMatchExpression(element);
  return rejectPattern('Match value must be String, number, true, false, or null');
}

function valueMatcher(test: (value: LeafValue) => boolean): LeafMatcher {
  return { kind: 'value', test };
}

function compileMatchExpression(expression: Record<string, unknown>): LeafMatcher {
  const keys = Object.keys(expression);
  if (keys.length === 0) rejectPattern('Match expression name not found');
  const [operator] = keys;
  const operand = expression[operator];
  const onlyOneKey = (reason = 'Only one key allowed in match expression') => {
    if (keys.length > 1) rejectPattern(reason);
  };
  switch (operator) {
    case 'prefix':
    case 'suffix': {
      const matcher = compilePrefixOrSuffix(operator, operand);
      onlyOneKey();
      return matcher;
    }
    case 'equals-ignore-case': {
      const expected = requireString(operand, 'equals-ignore-case match pattern must be a string');
      onlyOneKey();
      return valueMatcher((value) => typeof value === 'string' && equalsIgnoreCase(value, expected));
    }
    case 'wildcard': {
      const regex = wildcardRegex(requireString(operand, 'wildcard match pattern must be a string'));
      onlyOneKey();
      return valueMatcher((value) => typeof value === 'string' && regex.test(value));
    }
    case 'numeric': {
      const test = compileNumeric(operand);
      onlyOneKey('Too many elements in numeric expression');
      return valueMatcher(test);
    }
    case 'anything-but': {
      const test = compileAnythingBut(operand);
      onlyOneKey('Too many elements in numeric expression');
      return valueMatcher(test);
    }
    case 'exists': {
      if (typeof operand !== 'boolean') rejectPattern('exists match pattern must be either true or false.');
      onlyOneKey();
      return { kind: 'exists', present: operand };
    }
    case 'cidr': {
      // AWS words a non-string CIDR with the prefix message.
      const range = parseOrReject(() => parseCidr(requireString(operand, 'prefix match pattern must be a string')));
      onlyOneKey();
      return valueMatcher((value) => {
        const address = typeof value === 'string' ? parseIp(value) : undefined;
        return address !== undefined && ipInRange(address, range);
      });
    }
    default:
      return rejectPattern(`Unrecognized match type ${operator}`);
  }
}

/** `prefix`/`suffix` take a string, or `{ "equals-ignore-case": string }` to ignore case. */
function compilePrefixOrSuffix(operator: 'prefix' | 'suffix', operand: unknown): LeafMatcher {
  const affixTest = (value: string, affix: string) => (operator === 'prefix' ? value.startsWith(affix) : value.endsWith(affix));
  if (isPlainObject(operand)) {
    const keys = Object.keys(operand);
    const label = operator === 'prefix' ? 'Prefix' : 'Suffix';
    if (keys.length === 0) rejectPattern(`${label} expression name not found`);
    if (keys[0] !== 'equals-ignore-case') rejectPattern(`Unsupported ${operator} pattern: ${keys[0]}`);
    const affix = requireString(operand[keys[0]], 'equals-ignore-case match pattern must be a string');
    if (keys.length > 1) rejectPattern('Only one key allowed in match expression');
    const folded = foldCase(affix);
    return valueMatcher((value) => typeof value === 'string' && affixTest(foldCase(value), folded));
  }
  const affix = requireString(operand, `${operator} match pattern must be a string`);
  return valueMatcher((value) => typeof value === 'string' && affixTest(value, affix));
}

/**
 * `numeric`: `["=", n]`, `[">"|">=", n]`, `["<"|"<=", n]`, or a lower bound followed by an upper bound
 * (`[">", 0, "<=", 5]`). Matches JSON numbers only.
 */
function compileNumeric(operand: unknown): (value: LeafValue) => boolean {
  if (!Array.isArray(operand)) rejectPattern('Value of numeric must be an array.');
  const terms: unknown[] = operand;
  const [operator, first] = terms;
  if (typeof operator !== 'string') rejectPattern(`Invalid member in numeric match: ${tokenText(operator, ']')}`);
  const operandOf = (term: unknown, label: string): number => {
    if (typeof term !== 'number') rejectPattern(`Value of ${label} must be numeric`);
    if (term < -NUMERIC_LIMIT || term > NUMERIC_LIMIT) {
      rejectPattern('Value must be between -5.0E9 and 5.0E9, inclusive');
    }
    return term;
  };
  switch (operator) {
    case '=': {
      const n = operandOf(first, 'equals');
      if (terms.length > 2) rejectPattern('Too many elements in numeric expression');
      return (value) => typeof value === 'number' && value === n;
    }
    case '<':
    case '<=': {
      const top = operandOf(first, operator);
      if (terms.length > 2) rejectPattern('Too many elements in numeric expression');
      return (value) => typeof value === 'number' && (operator === '<' ? value < top : value <= top);
    }
    case '>':
    case '>=': {
      const bottom = operandOf(first, operator);
      const above = (value: number) => (operator === '>' ? value > bottom : value >= bottom);
      if (terms.length === 2) return (value) => typeof value === 'number' && above(value);
      const upper = terms[2];
      if (typeof upper !== 'string') rejectPattern(`Bad value in numeric range: ${tokenText(upper, ']')}`);
      if (upper !== '<' && upper !== '<=') rejectPattern(`Bad numeric range operator: ${upper}`);
      const top = operandOf(terms[3], upper);
      if (terms.length > 4) rejectPattern('Too many terms in numeric range expression');
      if (bottom >= top) rejectPattern('Bottom must be less than top');
      const below = (value: number) => (upper === '<' ? value < top : value <= top);
      return (value) => typeof value === 'number' && above(value) && below(value);
    }
    default:
      return rejectPattern(`Unrecognized numeric range operator: ${operator}`);
  }
}

type AnythingButOperator = 'equals-ignore-case' | 'prefix' | 'suffix' | 'wildcard';
const ANYTHING_BUT_OPERATORS: ReadonlySet<string> = new Set(['equals-ignore-case', 'prefix', 'suffix', 'wildcard']);
const ANYTHING_BUT_SHAPE = 'Value of anything-but must be an array or single string/number value.';

/**
 * `anything-but`: a string, a number, a list of only strings or only numbers, or one of `prefix`, `suffix`,
 * `equals-ignore-case`, `wildcard` with a string or a list of strings. Matches any present value not excluded
 * (so `null` and values of another type match; a missing field does not).
 */
function compileAnythingBut(operand: unknown): (value: LeafValue) => boolean {
  if (isPlainObject(operand)) {
    const keys = Object.keys(operand);
    if (keys.length === 0) rejectPattern('Anything-But expression name not found');
    const [operator] = keys;
    if (!ANYTHING_BUT_OPERATORS.has(operator)) rejectPattern(`Unsupported anything-but pattern: ${operator}`);
    const excluded = compileAnythingButSet(operator as AnythingButOperator, operand[operator]);
    if (keys.length > 1) rejectPattern('Too many elements in numeric expression');
    return (value) => !(typeof value === 'string' && excluded.some((test) => test(value)));
  }
  if (Array.isArray(operand)) {
    const items: unknown[] = operand;
    for (const item of items) {
      if (typeof item !== 'string' && typeof item !== 'number') {
        rejectPattern('Inside anything but list, start|null|boolean is not supported.');
      }
    }
    const allStrings = items.length > 0 && items.every((item) => typeof item === 'string');
    const allNumbers = items.length > 0 && items.every((item) => typeof item === 'number');
    if (!allStrings && !allNumbers) {
      rejectPattern('Inside anything but list, either all values are number or string, mixed type is not supported');
    }
    if (allNumbers) items.forEach((n) => checkNumericLimit(n as number));
    const excluded = new Set<unknown>(items);
    return (value) => !(typeof value === typeof items[0] && excluded.has(value));
  }
  if (typeof operand === 'string') return (value) => value !== operand;
  if (typeof operand === 'number') {
    checkNumericLimit(operand);
    return (value) => value !== operand;
  }
  return rejectPattern(ANYTHING_BUT_SHAPE);
}

function compileAnythingButSet(operator: AnythingButOperator, operand: unknown): Array<(value: string) => boolean> {
  if (typeof operand !== 'string' && typeof operand !== 'number' && !Array.isArray(operand)) rejectPattern(ANYTHING_BUT_SHAPE);
  const items: unknown[] = Array.isArray(operand) ? operand : [operand];
  return items.map((item) => {
    if (typeof item !== 'string') {
      if (operator === 'equals-ignore-case') {
        rejectPattern('Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.');
      }
      rejectPattern(operator === 'wildcard' ? 'wildcard match pattern must be a string' : 'prefix/suffix match pattern must be a string');
    }
    switch (operator) {
      case 'equals-ignore-case':
        return (value: string) => equalsIgnoreCase(value, item);
      case 'prefix':
      case 'suffix':
        if (item === '') rejectPattern('Null prefix/suffix not allowed');
        return operator === 'prefix' ? (value: string) => value.startsWith(item) : (value: string) => value.endsWith(item);
      case 'wildcard': {
        const regex = wildcardRegex(item);
        return (value: string) => regex.test(value);
      }
    }
  });
}

function checkNumericLimit(n: number): void {
  if (n < -NUMERIC_LIMIT || n > NUMERIC_LIMIT) rejectPattern('Value must be between -5.0E9 and 5.0E9, inclusive');
}

function requireString(value: unknown, reason: string): string {
  if (typeof value !== 'string') rejectPattern(reason);
  return value;
}

function wildcardRegex(pattern: string): RegExp {
  return parseOrReject(() => compileWildcard(pattern));
}

/** Runs a parser that throws plain `Error`s worded as AWS reasons, and turns them into pattern rejections. */
function parseOrReject<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof Error && error.name === 'Error') rejectPattern(error.message, error);
    throw error;
  }
}

/** How AWS's JSON parser prints the token it stopped at (`]` when the array ended early). */
function tokenText(token: unknown, whenMissing: string): string {
  if (token === undefined) return whenMissing;
  if (Array.isArray(token)) return '[';
  if (isPlainObject(token)) return '{';
  return typeof token === 'string' ? token : JSON.stringify(token);
}

function foldCase(text: string): string {
  return text.toLowerCase();
}

function equalsIgnoreCase(a: string, b: string): boolean {
  return foldCase(a) === foldCase(b);
}
