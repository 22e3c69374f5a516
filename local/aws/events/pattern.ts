/**
 * EventBridge event patterns: compile (validating as AWS does) and match. Pure, no I/O.
 *
 * The rules, from the EventBridge user guide ("Creating event patterns", "Content filtering", "Comparison
 * operators for use in event patterns"):
 * - a pattern mirrors the event's structure; every field it names must match (AND); a field's value array lists
 *   alternatives (OR); `$or` lists alternative sub-patterns of the same object;
 * - an event array matches if any of its elements matches; matching is array-consistent, as AWS's matcher does it:
 *   fields of one sub-pattern must all come from the same element of an array of objects;
 * - values match exactly (case- and type-sensitive); `null` and `""` are values, a missing field is not;
 * - `exists` looks at leaf fields only: a field holding an object (or an empty array) does not exist, and
 *   `exists: false` matches a field whose parents are missing too.
 *
 * @example
 * const pattern = compileEventPattern('{"source": ["aws.ecs"], "detail": {"lastStatus": ["STOPPED"]}}');
 * pattern.matches(event); // true for a stopped-task event
 */
import { rejectPattern } from './pattern-error';
import { compileLeafMatcher, isPlainObject, type LeafMatcher, type LeafValue } from './pattern-operators';

export { InvalidEventPatternError } from './pattern-error';

/** A validated pattern, ready to match events. */
export interface CompiledEventPattern {
  /** The pattern's JSON text, as given. */
  readonly source: string;
  matches(event: unknown): boolean;
}

interface ObjectNode {
  readonly fields: ReadonlyArray<readonly [string, FieldNode]>;
  /** The branches of this object's `$or`, if it has one: at least one must match the same object. */
  readonly anyOf?: readonly ObjectNode[];
}

type FieldNode = { readonly kind: 'object'; readonly node: ObjectNode } | { readonly kind: 'leaf'; readonly matchers: readonly LeafMatcher[] };

/**
 * Field names AWS's matcher reserves inside `$or` branches (its operators, plus names kept for future operators),
 * so a branch cannot be mistaken for a match expression.
 */
const RESERVED_IN_OR: ReadonlySet<string> = new Set([
  'exactly', 'equals-ignore-case', 'prefix', 'suffix', 'anything-but', 'exists', 'wildcard', 'numeric', 'cidr',
  '=', '<', '<=', '>', '>=', 'regex', 'not-wildcard', 'not-equals-ignore-case', 'date-after', 'date-on-or-after',
  'date-before', 'date-on-or-before', 'in-date-range', 'ip-address-in-range', 'ip-address-not-in-range',
]);

/**
 * Compiles a pattern given as JSON text (as the API carries it) or as a parsed object.
 * Throws `InvalidEventPatternError` with AWS's reason when the pattern is invalid.
 */
export function compileEventPattern(pattern: string | Record<string, unknown>): CompiledEventPattern {
  const source = typeof pattern === 'string' ? pattern : JSON.stringify(pattern);
  let parsed: unknown = pattern;
  if (typeof pattern === 'string') {
    try {
      // JSON.parse keeps the last of duplicate keys, which is also AWS's documented rule for patterns.
      parsed = JSON.parse(pattern);
    } catch (error) {
      rejectPattern(error instanceof Error ? error.message : 'Filter is not valid JSON', error);
    }
  }
  if (!isPlainObject(parsed)) rejectPattern('Filter is not an object');
  const root = compileObject(parsed, false);
  return { source, matches: (event) => matchNode(root, event) };
}

/** Convenience: compile and match in one call (TestEventPattern). */
export function matchesEventPattern(pattern: string | Record<string, unknown>, event: unknown): boolean {
  return compileEventPattern(pattern).matches(event);
}

function compileObject(object: Record<string, unknown>, insideOr: boolean): ObjectNode {
  const keys = Object.keys(object);
  if (keys.length === 0) rejectPattern('Empty objects are not allowed');
  const fields: Array<readonly [string, FieldNode]> = [];
  let anyOf: ObjectNode[] | undefined;
  for (const key of keys) {
    const value = object[key];
    if (key === '$or') {
      anyOf = compileOr(value);
      continue;
    }
    if (insideOr && RESERVED_IN_OR.has(key)) {
      rejectPattern(`${key} is Ruler reserved fieldName which cannot be used inside $or.`);
    }
    if (isPlainObject(value)) {
      fields.push([key, { kind: 'object', node: compileObject(value, insideOr) }]);
    } else if (Array.isArray(value)) {
      const matchers = value.map((element: unknown) => compileLeafMatcher(element));
      if (matchers.length === 0) rejectPattern('Empty arrays are not allowed');
      fields.push([key, { kind: 'leaf', matchers }]);
    } else {
      rejectPattern(`"${key}" must be an object or an array`);
    }
  }
  return anyOf ? { fields, anyOf } : { fields };
}

function compileOr(value: unknown): ObjectNode[] {
  if (!Array.isArray(value)) rejectPattern('It must be an Array followed with $or.');
  const branches = value.map((branch: unknown) => {
    if (!isPlainObject(branch)) rejectPattern('Only JSON object is allowed in array of $or relationship.');
    return compileObject(branch, true);
  });
  if (branches.length < 2) rejectPattern('There must have at least 2 Objects in $or relationship.');
  return branches;
}

/** Matches an object sub-pattern against the event value at its path (which may be missing, a leaf or an array). */
function matchNode(node: ObjectNode, value: unknown): boolean {
  const candidates = objectsIn(value);
  if (candidates.length === 0) return matchObject(node, undefined);
  return candidates.some((candidate) => matchObject(node, candidate));
}

function matchObject(node: ObjectNode, object: Record<string, unknown> | undefined): boolean {
  for (const [key, field] of node.fields) {
    const child = object !== undefined && Object.hasOwn(object, key) ? object[key] : undefined;
    const ok = field.kind === 'object' ? matchNode(field.node, child) : matchLeaf(field.matchers, child);
    if (!ok) return false;
  }
  return node.anyOf === undefined || node.anyOf.some((branch) => matchObject(branch, object));
}

function matchLeaf(matchers: readonly LeafMatcher[], value: unknown): boolean {
  const values = leafValuesIn(value);
  return matchers.some((matcher) =>
    matcher.kind === 'exists' ? values.length > 0 === matcher.present : values.some((v) => matcher.test(v)),
  );
}

/** The objects found at a path: the object itself, or the objects of an array (nested arrays flattened). */
function objectsIn(value: unknown): Array<Record<string, unknown>> {
  if (isPlainObject(value)) return [value];
  if (!Array.isArray(value)) return [];
  return value.flatMap((element: unknown) => objectsIn(element));
}

/** The leaf values found at a path: the value itself, or the leaves of an array (nested arrays flattened). */
function leafValuesIn(value: unknown): LeafValue[] {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || value === null) return [value];
  if (!Array.isArray(value)) return [];
  return value.flatMap((element: unknown) => leafValuesIn(element));
}
