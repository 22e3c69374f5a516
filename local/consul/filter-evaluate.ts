import type { FieldSchema } from './filter-selectors';
import { FilterError, type FilterExpression } from './filter-parse';

/** Checking a parsed filter expression against a result type, and evaluating it on one element. */

/** Every selector must name a field of the endpoint's result type, or the filter is refused before any read. */
export function validateSelectors(expr: FilterExpression, schema: FieldSchema): void {
  if (expr.kind === 'not') {
    validateSelectors(expr.operand, schema);
  } else if (expr.kind !== 'match') {
    validateSelectors(expr.left, schema);
    validateSelectors(expr.right, schema);
  } else if (!selectorIsValid(expr.selector, schema)) {
    throw new FilterError(`Selector "${expr.selector.join('.')}" is not valid`);
  }
}

function selectorIsValid(path: readonly string[], schema: FieldSchema): boolean {
  let at: FieldSchema = schema;
  for (const part of path) {
    if (at === 'any') return true;
    if (at === 'map') {
      at = 'value';
    } else if (typeof at === 'object' && 'each' in at) {
      const next: FieldSchema | undefined = typeof at.each === 'object' && 'fields' in at.each ? at.each.fields[part] : undefined;
      if (next === undefined) return false;
      at = next;
    } else if (typeof at === 'object' && 'fields' in at) {
      const next: FieldSchema | undefined = at.fields[part];
      if (next === undefined) return false;
      at = next;
    } else {
      return false;
    }
  }
  return true;
}

/** Resolves a selector; a path through a list of structs collects the field of every element (`Checks.Status`). */
function resolve(item: unknown, path: readonly string[]): { found: boolean; value?: unknown } {
  let value: unknown = item;
  for (const part of path) {
    if (Array.isArray(value)) {
      value = value.map((el) => (isRecord(el) ? el[part] : undefined)).filter((v) => v !== undefined);
    } else if (isRecord(value) && Object.prototype.hasOwnProperty.call(value, part)) {
      value = value[part];
    } else {
      return { found: false };
    }
  }
  return { found: true, value };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `==` compares after converting the written value to the field's type (go-bexpr's coercion). */
function equalsCoerced(actual: unknown, raw: string): boolean {
  if (typeof actual === 'string') return actual === raw;
  if (typeof actual === 'number') return raw.trim() !== '' && Number(raw) === actual;
  if (typeof actual === 'boolean') return (raw === 'true' || raw === 'false') && (raw === 'true') === actual;
  return false;
}

function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (typeof value === 'string' || Array.isArray(value)) return value.length === 0;
  if (isRecord(value)) return Object.keys(value).length === 0;
  return false;
}

function contains(container: unknown, raw: string): boolean {
  if (Array.isArray(container)) return container.some((el) => equalsCoerced(el, raw));
  if (isRecord(container)) return Object.prototype.hasOwnProperty.call(container, raw);
  if (typeof container === 'string') return container.includes(raw);
  return false;
}

/**
 * Evaluates a parsed expression against one element of the endpoint's answer. A selector that finds nothing
 * (a missing map key) makes `!=`, `not in`, `is empty` and `not matches` true and the others false, as go-bexpr.
 */
export function evaluateFilter(expr: FilterExpression, item: unknown): boolean {
  switch (expr.kind) {
    case 'or':
      return evaluateFilter(expr.left, item) || evaluateFilter(expr.right, item);
    case 'and':
      return evaluateFilter(expr.left, item) && evaluateFilter(expr.right, item);
    case 'not':
      return !evaluateFilter(expr.operand, item);
    case 'match': {
      const { found, value } = resolve(item, expr.selector);
      const raw = expr.value ?? '';
      switch (expr.operator) {
        case '==':
          return found && equalsCoerced(value, raw);
        case '!=':
          return !found || !equalsCoerced(value, raw);
        case 'in':
          return found && contains(value, raw);
        case 'not in':
          return !found || !contains(value, raw);
        case 'is empty':
          return !found || isEmpty(value);
        case 'is not empty':
          return found && !isEmpty(value);
        case 'matches':
          return found && typeof value === 'string' && (expr.regex?.test(value) ?? false);
        case 'not matches':
          return !found || typeof value !== 'string' || !(expr.regex?.test(value) ?? false);
      }
    }
  }
}
