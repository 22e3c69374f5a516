import { loadAll, CORE_SCHEMA } from 'js-yaml';
import { InvalidInputError } from '../errors';
import { MAX_BODY_BYTES } from './request';

/**
 * Reads an `application/yaml` body (`POST /deployments`, `POST /plans`) as the `yaml` package reads a spec file
 * for `meshctl validate` (layers/domain/spec/load.ts): YAML 1.2's core schema (`yes` and `2001-12-14` stay strings,
 * no `<<` merge), duplicate keys refused, one document. js-yaml rather than `yaml` here: 46 KiB of the API's
 * bundle instead of 115 KiB, which is what keeps the function within issue 12's 1.25× of the bare bundle of its
 * SDK clients. tests/unit/api/yaml-body.test.ts holds the two parsers to the same values on every spec we ship.
 */

/** Alias nodes (`*ref`) one body may use: as many as the `yaml` package's default `maxAliasCount` allows. */
const MAX_ALIASES = 100;

/**
 * js-yaml shares an anchored value between its aliases instead of copying it (and `&a [*a]` is a cycle), so 100
 * aliases can still stand for billions of values once JSON.stringify expands them for the execution input. A value
 * costs at least one byte of JSON, so a document of more values than a body may have bytes can never be a spec the
 * API accepts: counting stops there.
 */
const MAX_VALUES = MAX_BODY_BYTES;

/**
 * The body as a plain value: an empty document (or one of comments only) is `null`, as `yaml` reads it.
 *
 * @throws InvalidInputError (400) naming the line of a syntax error, for more than one document, for more than
 *   {@link MAX_ALIASES} aliases, or when aliases expand the document past {@link MAX_VALUES} values.
 */
export function parseYamlBody(text: string): unknown {
  let documents: unknown[];
  try {
    documents = loadAll(text, { schema: CORE_SCHEMA, maxAliases: MAX_ALIASES });
  } catch (error) {
    const { message, mark } = error as { message: string; mark?: { line: number } };
    // js-yaml appends ` (line:column)` and a snippet of the source; the path says where, 1-based like `yaml`'s.
    const first = message.split('\n')[0].replace(/ \(\d+:\d+\)$/, '');
    throw new InvalidInputError('the body is not valid YAML', [{ path: `(yaml line ${mark ? mark.line + 1 : '?'})`, message: first }]);
  }
  if (documents.length > 1) {
    throw new InvalidInputError('the body is not valid YAML', [{ path: '(body)', message: `holds ${documents.length} YAML documents; send one spec` }]);
  }
  const value = documents[0] ?? null;
  if (expandedValues(value, MAX_VALUES) > MAX_VALUES) {
    throw new InvalidInputError('the body is not usable YAML', [{ path: '(body)', message: `its aliases expand it to more than ${MAX_VALUES} values (or it refers to itself)` }]);
  }
  return value;
}

/**
 * The values of `root` with every alias expanded, counted as they are found and only up to just past `budget`: so
 * the walk ends on a cycle, and never holds more than `budget` values waiting to be looked at.
 */
function expandedValues(root: unknown, budget: number): number {
  let count = 1;
  const pending: unknown[] = [root];
  while (pending.length > 0 && count <= budget) {
    const value = pending.pop();
    if (typeof value !== 'object' || value === null) continue;
    for (const child of Object.values(value)) {
      count += 1;
      if (count > budget) break;
      pending.push(child);
    }
  }
  return count;
}
