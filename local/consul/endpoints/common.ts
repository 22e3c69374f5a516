import { DecodeError, parseJsonBody } from '../decode';
import { badRequest } from '../errors';
import type { EndpointContext } from '../endpoint';
import { compileFilter, FilterError } from '../filter';
import type { FieldSchema } from '../filter-selectors';
import type { ConsulState, NodeRecord } from '../store/types';

/** Helpers shared by the endpoint handlers. */

/** Read and parse the JSON body; Go decoder failures become 400 with `prefix` (e.g. "Request decode failed: "). */
export async function readJsonBody(ctx: EndpointContext, prefix: string): Promise<unknown> {
  const body = await ctx.body();
  try {
    return parseJsonBody(body);
  } catch (err) {
    throw badRequest(`${prefix}${(err as Error).message}`);
  }
}

/** Run a decoder, turning its Go-style type errors into 400 with `prefix`. */
export function decodeOr400<T>(prefix: string, decode: () => T): T {
  try {
    return decode();
  } catch (err) {
    if (err instanceof DecodeError) throw badRequest(`${prefix}${err.message}`);
    throw err;
  }
}

/** Go's `strconv.ParseBool`. */
export function parseGoBool(text: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text)) return false;
  return undefined;
}

/** The deprecated-but-supported `?node-meta=key:value` filters (all must match). */
export function nodeMetaFilter(query: URLSearchParams): (node: NodeRecord | undefined) => boolean {
  const pairs = query.getAll('node-meta').map((pair) => {
    const cut = pair.indexOf(':');
    return cut === -1 ? [pair, ''] : [pair.slice(0, cut), pair.slice(cut + 1)];
  });
  return (node) => pairs.every(([key, value]) => node?.Meta?.[key] === value);
}

/** Every `?tag=` must be among the service's tags (the deprecated multi-tag filter). */
export function tagFilter(query: URLSearchParams): (tags: readonly string[] | null) => boolean {
  const wanted = query.getAll('tag');
  return (tags) => wanted.every((t) => tags?.includes(t) ?? false);
}

/**
 * `?filter` on the one list endpoint the emulator does not filter (`/v1/catalog/services`, whose answer is a map
 * of names built from many entries): answering unfiltered results would silently mislead a caller, so it refuses
 * the request the way Consul refuses a bad expression.
 */
export function refuseFilter(ctx: EndpointContext): void {
  if (ctx.has('filter')) {
    throw badRequest('Failed to create boolean expression evaluator: filter expressions are not supported here');
  }
}

/**
 * The `?filter=` predicate for a list endpoint whose elements have the shape `schema` describes (see filter.ts).
 * It is compiled before any read, so a malformed expression or unknown selector fails the request at once with
 * go-bexpr's text. Consul answered these with 500 in older versions (the error came back from the server RPC);
 * 400 is what the expression is: a client error. An absent or empty filter keeps everything.
 */
export function queryFilter(ctx: EndpointContext, schema: FieldSchema): (item: unknown) => boolean {
  const text = ctx.query.get('filter') ?? '';
  if (text === '') return () => true;
  try {
    return compileFilter(text, schema);
  } catch (err) {
    if (err instanceof FilterError) throw badRequest(`Failed to create boolean expression evaluator: ${err.message}`);
    throw err;
  }
}

/**
 * The index of one service name: its `service.<name>` entry, or — for a name with no instance — the last
 * extinction index (falling back to the catalog's), as Consul's `maxIndexForService` answers.
 */
export function serviceIndex(state: ConsulState, name: string): number {
  const own = state.serviceIndexes.get(name);
  if (own !== undefined) return own;
  const { nodes, services, checks, serviceExtinction } = state.indexes;
  return serviceExtinction || Math.max(nodes, services, checks);
}

/**
 * Consul answers a list read with what the token may read and leaves the rest out (its `aclFilter`, run on every
 * catalog, health, KV and config-entry list) rather than refusing the request: `filtered` says something was left
 * out, for the `X-Consul-Results-Filtered-By-ACLs` header.
 */
export function aclFiltered<T>(items: readonly T[], canRead: (item: T) => boolean): { kept: T[]; filtered: boolean } {
  const kept = items.filter(canRead);
  return { kept, filtered: kept.length !== items.length };
}

/** Whether the token reads a check (Consul's filterHealthChecks): `node:read` on its node, and `service:read` on its service if it has one. */
export function canReadCheck(ctx: EndpointContext, check: { Node: string; ServiceName: string }): boolean {
  if (!ctx.authz.allowed('node', 'read', check.Node)) return false;
  return check.ServiceName === '' || ctx.authz.allowed('service', 'read', check.ServiceName);
}

export function byNodeThenId(a: { Node: string; ID: string }, b: { Node: string; ID: string }): number {
  if (a.Node !== b.Node) return a.Node < b.Node ? -1 : 1;
  return a.ID < b.ID ? -1 : a.ID > b.ID ? 1 : 0;
}
