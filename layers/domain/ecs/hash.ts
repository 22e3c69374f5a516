import { createHash } from 'node:crypto';

/**
 * Canonical JSON: object keys sorted at every depth, `undefined` members dropped (as `JSON.stringify` does),
 * arrays kept in their order, dates as ISO strings, a top-level `undefined` as `null`. Two values that mean the
 * same yield the same text, so a hash of it detects real changes only (key order in a YAML file never does).
 *
 * @throws TypeError on a cycle, a bigint or a function (none of which a spec or an SDK input holds).
 * @example stableStringify({ b: 1, a: [2, { d: 3, c: 4 }] }) // '{"a":[2,{"c":4,"d":3}],"b":1}'
 */
export function stableStringify(value: unknown): string {
  return write(value, new Set());
}

function write(value: unknown, seen: Set<object>): string {
  // A missing value reads as null (JSON has no undefined), so "absent" compares equal at any depth.
  if (value === null || value === undefined) return 'null';
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : 'null';
    case 'object':
      break;
    default:
      throw new TypeError(`cannot canonicalise a ${typeof value}`);
  }
  const obj = value as object;
  if (seen.has(obj)) throw new TypeError('cannot canonicalise a cyclic value');
  seen.add(obj);
  let out: string;
  if (Array.isArray(obj)) {
    // As in JSON, an undefined array slot is written as null so positions are kept.
    out = `[${obj.map((item) => (item === undefined ? 'null' : write(item, seen))).join(',')}]`;
  } else {
    const entries = Object.keys(obj)
      .sort()
      .filter((key) => (obj as Record<string, unknown>)[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${write((obj as Record<string, unknown>)[key], seen)}`);
    out = `{${entries.join(',')}}`;
  }
  seen.delete(obj);
  return out;
}

/** SHA-256 (hex, 64 characters) of the canonical JSON of `value`: equal for equal content, whatever the key order. */
export function specHash(value: unknown): string {
  return createHash('sha256').update(stableStringify(value), 'utf8').digest('hex');
}

/**
 * ECS `clientToken` for an idempotent CreateService: "up to 36 ASCII characters in the range 33-126" (ECS API
 * reference). 32 hex characters of the input's hash: the same input gives the same token, so a retried
 * CreateService (Step Functions retry, Lambda re-run) returns the service already created instead of failing.
 */
export function clientTokenFor(value: unknown): string {
  return specHash(value).slice(0, 32);
}
