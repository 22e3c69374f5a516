import { blockingQuery } from '../blocking';
import { badRequest, methodNotAllowed, serverError, tooLarge } from '../errors';
import type { EndpointContext, EndpointResponse, Route } from '../endpoint';
import {
  KV_MAX_VALUE_SIZE,
  kvCas,
  kvDelete,
  kvDeleteCas,
  kvDeleteTree,
  kvIndex,
  kvKeys,
  kvList,
  kvSet,
} from '../store/kv-ops';
import { renderKv } from '../views';
import { aclFiltered } from './common';

/** `/v1/kv/:key`: read (single, `?recurse`, `?keys`, `?raw`), write (`?cas`, `?flags`) and delete (`?recurse`, `?cas`). */

/** Go's `strconv.ParseUint`; Consul returns its error as-is, which its HTTP layer answers with 500. */
function parseUint(ctx: EndpointContext, name: string): number | undefined {
  if (!ctx.has(name)) return undefined;
  const text = ctx.query.get(name) ?? '';
  if (!/^\d+$/.test(text)) throw serverError(`strconv.ParseUint: parsing ${JSON.stringify(text)}: invalid syntax`);
  return Number(text);
}

/** Consul refuses flags that cannot be combined with `Conflicting flags: <query>`. */
function refuseConflicting(ctx: EndpointContext, ...flags: string[]): void {
  if (flags.filter((f) => ctx.has(f)).length > 1) throw badRequest(`Conflicting flags: ${ctx.query.toString()}\n`);
}

function kvWatch(key: string, exact: boolean): (changes: ReadonlySet<string>) => boolean {
  const wanted = `kv:${key}`;
  if (exact) return (changes) => changes.has(wanted);
  return (changes) => [...changes].some((c) => c.startsWith(wanted));
}

async function kvGet(ctx: EndpointContext, key: string): Promise<EndpointResponse | undefined> {
  const recurse = ctx.has('recurse');
  if (!recurse && key === '') throw badRequest('Missing key name');
  // A single key needs key:read; a recursive read is filtered down to the keys the token reads (Consul checks
  // key:list on the prefix only with acl.enable_key_list_policy, which the servers do not set).
  if (!recurse) ctx.authz.require('key', 'read', key);
  const raw = ctx.has('raw') && !recurse;
  return blockingQuery(ctx, kvWatch(key, !recurse), (state) => {
    const index = kvIndex(state, key, !recurse);
    const entry = state.kv.get(key);
    const readable = aclFiltered(recurse ? kvList(state, key) : entry ? [entry] : [], (e) => ctx.authz.allowed('key', 'read', e.Key));
    const entries = readable.kept;
    // A missing key is a 404 without body, still carrying the index to block on.
    if (entries.length === 0) return { index, response: { status: 404, filteredByAcls: readable.filtered } };
    if (raw) {
      // Consul pins the content type and forbids sniffing, so a stored value cannot become active content.
      const body = entries[0].Value ?? Buffer.alloc(0);
      return {
        index,
        response: {
          raw: {
            body,
            headers: {
              'Content-Type': 'text/plain',
              'X-Content-Type-Options': 'nosniff',
              'Content-Security-Policy': 'sandbox',
            },
          },
        },
      };
    }
    return { index, response: { json: entries.map((e) => renderKv(e)), filteredByAcls: readable.filtered } };
  });
}

async function kvGetKeys(ctx: EndpointContext, prefix: string): Promise<EndpointResponse | undefined> {
  // Filtered like a recursive read: the keys (and folders) the token may read.
  // Consul accepts the historic misspelling `seperator` too; `separator` wins when both are sent.
  const separator = ctx.query.get('separator') ?? ctx.query.get('seperator') ?? '';
  return blockingQuery(ctx, kvWatch(prefix, false), (state) => {
    const index = kvIndex(state, prefix, false);
    const readable = aclFiltered(kvKeys(state, prefix, separator), (k) => ctx.authz.allowed('key', 'read', k));
    const keys = readable.kept;
    // No keys under a prefix is a 404; the root answers an empty list.
    if (keys.length === 0 && prefix !== '') return { index, response: { status: 404, filteredByAcls: readable.filtered } };
    return { index, response: { json: keys, filteredByAcls: readable.filtered } };
  });
}

async function kvPut(ctx: EndpointContext, key: string): Promise<EndpointResponse> {
  if (key === '') throw badRequest('Missing key name');
  refuseConflicting(ctx, 'cas', 'acquire', 'release');
  const flags = parseUint(ctx, 'flags') ?? 0;
  const cas = parseUint(ctx, 'cas');
  const body = await ctx.body();
  if (body.length > KV_MAX_VALUE_SIZE) {
    throw tooLarge(`Request body(${body.length} bytes) too large, max size: ${KV_MAX_VALUE_SIZE} bytes.`);
  }
  ctx.authz.require('key', 'write', key);
  const session = ctx.query.get('acquire') ?? ctx.query.get('release');
  return ctx.store.write((txn) => {
    // No session can exist here (sessions are not emulated), so a lock operation fails as Consul fails it for
    // an unknown session.
    if (session !== null) throw serverError(`invalid session ${JSON.stringify(session)}`);
    const input = { Key: key, Value: body, Flags: flags };
    if (cas === undefined) {
      kvSet(txn, input);
      return { json: true };
    }
    return { json: kvCas(txn, input, cas) !== undefined };
  });
}

async function kvDel(ctx: EndpointContext, key: string): Promise<EndpointResponse> {
  refuseConflicting(ctx, 'recurse', 'cas');
  const recurse = ctx.has('recurse');
  if (!recurse && key === '') throw badRequest('Missing key name');
  const cas = parseUint(ctx, 'cas');
  ctx.authz.require('key', 'write', key);
  return ctx.store.write((txn) => {
    if (recurse) kvDeleteTree(txn, key);
    else if (cas !== undefined) return { json: kvDeleteCas(txn, key, cas) };
    else kvDelete(txn, key);
    return { json: true };
  });
}

async function kvEndpoint(ctx: EndpointContext): Promise<EndpointResponse | undefined> {
  const key = ctx.rest;
  switch (ctx.method) {
    case 'GET':
      return ctx.has('keys') ? kvGetKeys(ctx, key) : kvGet(ctx, key);
    case 'PUT':
      return kvPut(ctx, key);
    case 'DELETE':
      return kvDel(ctx, key);
    default:
      throw methodNotAllowed(ctx.method, ['GET', 'PUT', 'DELETE']);
  }
}

/** GETs need a leader unless `?stale`; PUT and DELETE always do. */
export const kvRoutes: readonly Route[] = [
  { pattern: '/v1/kv/', methods: ['GET', 'PUT', 'DELETE'], handler: kvEndpoint, leader: 'read' },
];
