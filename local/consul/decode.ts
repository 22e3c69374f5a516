/**
 * Reading request bodies the way Consul's Go decoder does.
 *
 * Go's `encoding/json` matches struct fields case-insensitively (`"node"` fills `Node`), treats `null` as "leave the
 * zero value", and fails with `json: cannot unmarshal <kind> into Go struct field <Type>.<Field> of type <type>` on a
 * type mismatch. The helpers below reproduce those three rules so clients get the answers a real agent gives.
 */

export type JsonObject = Record<string, unknown>;

/** A body Go's decoder would refuse; the message follows Go's wording. */
export class DecodeError extends Error {
  override readonly name = 'DecodeError';
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The JSON kind as Go names it in unmarshal errors. */
function jsonKind(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'object') return 'object';
  return typeof value;
}

function mismatch(value: unknown, structName: string, fieldName: string, goType: string): DecodeError {
  return new DecodeError(
    `json: cannot unmarshal ${jsonKind(value)} into Go struct field ${structName}.${fieldName} of type ${goType}`,
  );
}

/** A field by exact name, else by case-insensitive name, as Go's decoder matches it. */
export function field(obj: JsonObject, name: string): unknown {
  if (name in obj) return obj[name];
  const lower = name.toLowerCase();
  for (const key of Object.keys(obj)) if (key.toLowerCase() === lower) return obj[key];
  return undefined;
}

export function readString(obj: JsonObject, name: string, structName: string): string {
  const value = field(obj, name);
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw mismatch(value, structName, name, 'string');
  return value;
}

export function readInt(obj: JsonObject, name: string, structName: string, goType = 'int'): number {
  const value = field(obj, name);
  if (value === undefined || value === null) return 0;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw mismatch(value, structName, name, goType);
  if (goType.startsWith('uint') && value < 0) throw mismatch(value, structName, name, goType);
  return value;
}

export function readBool(obj: JsonObject, name: string, structName: string): boolean {
  const value = field(obj, name);
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean') throw mismatch(value, structName, name, 'bool');
  return value;
}

/** `[]string`; `null` stays `null` as Go keeps a nil slice. */
export function readStringList(obj: JsonObject, name: string, structName: string): string[] | null {
  const value = field(obj, name);
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw mismatch(value, structName, name, '[]string');
  }
  return [...(value as string[])];
}

/** `map[string]string`; `null` stays `null` as Go keeps a nil map. */
export function readStringMap(obj: JsonObject, name: string, structName: string): Record<string, string> | null {
  const value = field(obj, name);
  if (value === undefined || value === null) return null;
  if (!isObject(value) || Object.values(value).some((v) => typeof v !== 'string')) {
    throw mismatch(value, structName, name, 'map[string]string');
  }
  return { ...(value as Record<string, string>) };
}

/** A nested object field (or `undefined`); a non-object is a type mismatch. */
export function readObject(obj: JsonObject, name: string, structName: string, goType: string): JsonObject | undefined {
  const value = field(obj, name);
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw mismatch(value, structName, name, goType);
  return value;
}

/** A nested array field (or `undefined`). */
export function readArray(obj: JsonObject, name: string, structName: string, goType: string): unknown[] | undefined {
  const value = field(obj, name);
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw mismatch(value, structName, name, goType);
  return value;
}

/**
 * Parse a JSON body, failing with the wording of Go's streaming decoder: `EOF` for an empty body,
 * `invalid character 'x' ...` at the first offending character, `unexpected EOF` for a truncated document.
 */
export function parseJsonBody(body: Buffer): unknown {
  const text = body.toString('utf8');
  if (text.trim() === '') throw new DecodeError('EOF');
  try {
    return JSON.parse(text);
  } catch (err) {
    // V8 names the offending offset ("position N") or token; neither appears for a truncated document.
    const message = (err as Error).message;
    const position = /position (\d+)/.exec(message);
    const token = /Unexpected token '(.)'/.exec(message);
    const at = position ? Number(position[1]) : token ? text.indexOf(token[1]) : text.length;
    if (at >= text.trimEnd().length) throw new DecodeError('unexpected EOF');
    const where = at === text.length - text.trimStart().length ? 'beginning of value' : 'next token';
    throw new DecodeError(`invalid character '${text[at]}' looking for ${where}`);
  }
}
