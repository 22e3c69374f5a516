import { parse } from '@cdktf/hcl2json';

/** hcl2-parser ships a declaration file that is not a module; type the one function used. */
const hcl2Parser = require('hcl2-parser') as { parseToObject(input: string): [Record<string, unknown> | null, unknown] };

/**
 * Parses HCL with HashiCorp's HCL 2 parser (@cdktf/hcl2json) and checks that hcl2-parser (another HCL 2 → JSON
 * converter) reads it identically. Blocks come back as lists of objects (`ports { }` → `ports: [{ ... }]`).
 */
export async function parseHcl(text: string, filename = 'consul.hcl'): Promise<Record<string, unknown>> {
  const parsed = await parse(filename, text);
  const [other] = hcl2Parser.parseToObject(text);
  if (other === null) throw new Error(`hcl2-parser could not parse ${filename}`);
  expect(other).toEqual(parsed);
  return parsed;
}

/** The single body of a block (`name { ... }` parsed as `[{ ... }]`). */
export function blockOf(parsed: Record<string, unknown>, name: string): Record<string, unknown> {
  const value = parsed[name];
  if (!Array.isArray(value) || value.length !== 1) throw new Error(`expected exactly one "${name}" block, got ${JSON.stringify(value)}`);
  return value[0] as Record<string, unknown>;
}

/** Every leaf path of a parsed HCL document (`acl.tokens.agent`), to compare what two files set. */
export function leafPaths(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value) && value.length === 1 && typeof value[0] === 'object' && value[0] !== null && !Array.isArray(value[0])) {
    return leafPaths(value[0], prefix);
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    return Object.entries(value).flatMap(([key, v]) => leafPaths(v, prefix === '' ? key : `${prefix}.${key}`));
  }
  return [prefix];
}
