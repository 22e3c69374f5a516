import type { ZodMiniType as Schema } from 'zod/mini';

/** The parts of zod 4's schema definitions the walk below reads. */
interface Def {
  type: string;
  innerType?: Schema;
  shape?: Record<string, Schema>;
  element?: Schema;
}

/**
 * What can be kept of a value the schema refused, shaped like the schema's output, so the cross-field rules can
 * still run on it and a user sees every problem in one pass instead of one layer at a time:
 * - a part that passes its own schema is kept as parsed (defaults filled in);
 * - an object keeps its known keys, each salvaged; an array each element; a missing object becomes `{}`, a
 *   missing array `[]`;
 * - a refused leaf keeps its value when it has the expected primitive type (a name that breaks the naming rule is
 *   still the name upstreams refer to, a port out of range still clashes), and is `undefined` otherwise.
 *
 * So the result has the shape of the output type, but any leaf may be `undefined` or out of range: the rules that
 * run on it must check a value's type before comparing it. Its schema issues are reported separately.
 */
export function salvage(schema: Schema, value: unknown): unknown {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const def = (schema as unknown as { _zod: { def: Def } })._zod.def;
  switch (def.type) {
    case 'default':
    case 'prefault':
    case 'optional':
    case 'nullable':
      return value === undefined && def.type === 'optional' ? undefined : salvage(def.innerType!, value);
    case 'object': {
      const source = isRecord(value) ? value : {};
      return Object.fromEntries(Object.entries(def.shape!).map(([key, field]) => [key, salvage(field, source[key])]));
    }
    case 'array':
      return Array.isArray(value) ? value.map((element) => salvage(def.element!, element)) : [];
    case 'record':
      return {};
    default:
      return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? value : undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
