import type { AclResource } from '../acl';
import { blockingQuery } from '../blocking';
import { field, isObject } from '../decode';
import { badRequest, methodNotAllowed, notFound, serverError } from '../errors';
import { textBody } from '../response';
import type { EndpointContext, EndpointResponse, Route } from '../endpoint';
import {
  CONFIG_ENTRY_KINDS,
  configDelete,
  configDeleteCas,
  configList,
  configUpsert,
  configUpsertCas,
} from '../store/config-ops';
import { configKey } from '../store/types';
import { renderConfigEntry } from '../views';
import { aclFiltered, readJsonBody } from './common';
import { exportedServicesError } from '../peering/exported-services';

/** `/v1/config`: central configuration entries (service-defaults, proxy-defaults, ingress-gateway, ...). */

const DECODE_FAILED = 'Request decoding failed: ';

/** Kinds with a single, fixed name: Consul normalises an empty name to it and refuses any other. */
const SINGLETON_NAMES: Readonly<Record<string, string>> = { 'proxy-defaults': 'global', mesh: 'mesh' };

/**
 * Kinds whose writes need `mesh:write` rather than `service:write`: the documentation names `operator:write`, which
 * grants it, since a policy without a `mesh` rule falls back to its `operator` rule (Consul 1.11+ checks MeshWrite).
 */
const MESH_KINDS = new Set(['proxy-defaults', 'mesh', 'ingress-gateway', 'terminating-gateway', 'api-gateway', 'exported-services']);

function writePermission(kind: string): AclResource {
  if (kind === 'service-intentions') return 'intentions';
  return MESH_KINDS.has(kind) ? 'mesh' : 'service';
}

/** The permission reading an entry needs (its kind's `CanRead`); proxy-defaults and mesh need none. */
function readPermission(kind: string): AclResource | undefined {
  if (kind in SINGLETON_NAMES) return undefined;
  // ExportedServicesConfigEntry.CanRead: mesh:read (what a partition exports, and to whom).
  if (kind === 'exported-services') return 'mesh';
  return kind === 'service-intentions' ? 'intentions' : 'service';
}

function canRead(ctx: EndpointContext, kind: string, name: string): boolean {
  const resource = readPermission(kind);
  return resource === undefined || ctx.authz.allowed(resource, 'read', resource === 'mesh' ? undefined : name);
}

function requireWrite(ctx: EndpointContext, kind: string, name: string): void {
  const resource = writePermission(kind);
  ctx.authz.require(resource, 'write', resource === 'mesh' ? undefined : name);
}

function parseCas(ctx: EndpointContext): number | undefined {
  const text = ctx.query.get('cas');
  if (text === null || text === '') return undefined;
  if (!/^\d+$/.test(text)) throw serverError(`strconv.ParseUint: parsing ${JSON.stringify(text)}: invalid syntax`);
  return Number(text);
}

async function apply(ctx: EndpointContext): Promise<EndpointResponse> {
  const raw = await readJsonBody(ctx, DECODE_FAILED);
  const kind = isObject(raw) ? field(raw, 'Kind') : undefined;
  if (!isObject(raw) || typeof kind !== 'string') {
    throw badRequest(`${DECODE_FAILED}Payload does not contain a kind/Kind key at the top level`);
  }
  if (!CONFIG_ENTRY_KINDS.has(kind)) throw badRequest(`${DECODE_FAILED}invalid config entry kind: ${kind}`);
  const rawName = field(raw, 'Name');
  if (rawName !== undefined && rawName !== null && typeof rawName !== 'string') {
    throw badRequest(`${DECODE_FAILED}json: cannot unmarshal ${typeof rawName} into Go struct field .Name of type string`);
  }
  let name = rawName ?? '';
  const singleton = SINGLETON_NAMES[kind];
  if (singleton !== undefined) {
    if (name !== '' && name !== singleton) {
      throw serverError(`invalid name (${JSON.stringify(name)}), only ${JSON.stringify(singleton)} is supported`);
    }
    name = singleton;
  }
  if (name === '') throw badRequest(`${DECODE_FAILED}config entry Name is required`);
  const cas = parseCas(ctx);
  const body: Record<string, unknown> = { ...raw, Kind: kind, Name: name };
  // The entry's own Validate runs on the servers before CanWrite: its error comes back as a 500 with Consul's text.
  const invalid = kind === 'exported-services' ? exportedServicesError(name, body) : undefined;
  if (invalid !== undefined) throw serverError(invalid);
  requireWrite(ctx, kind, name);
  return ctx.store.write((txn) => ({
    json: cas === undefined ? (configUpsert(txn, kind, name, body), true) : configUpsertCas(txn, kind, name, body, cas),
  }));
}

function splitKindAndName(rest: string): { kind: string; name?: string } {
  const cut = rest.indexOf('/');
  return cut === -1 ? { kind: rest } : { kind: rest.slice(0, cut), name: rest.slice(cut + 1) };
}

async function read(ctx: EndpointContext): Promise<EndpointResponse | undefined> {
  const { kind, name } = splitKindAndName(ctx.rest);
  if (kind !== '' && !CONFIG_ENTRY_KINDS.has(kind)) throw serverError(`invalid config entry kind: ${kind}`);
  if (name === undefined) {
    // A list is filtered to the entries the token reads; a single entry it cannot read is refused.
    return blockingQuery(
      ctx,
      (changes) => [...changes].some((c) => c.startsWith(`config:${kind}`)),
      (state) => {
        const all = kind === '' ? [...state.configEntries.values()] : configList(state, kind);
        const readable = aclFiltered(all, (entry) => canRead(ctx, entry.Kind, entry.Name));
        return { index: state.indexes.configEntries, response: { json: readable.kept.map(renderConfigEntry), filteredByAcls: readable.filtered } };
      },
    );
  }
  const resource = readPermission(kind);
  if (resource !== undefined) ctx.authz.require(resource, 'read', resource === 'mesh' ? undefined : name);
  const key = configKey(kind, name);
  const missing = `Config entry not found for ${JSON.stringify(kind)} / ${JSON.stringify(name)}`;
  return blockingQuery(
    ctx,
    (changes) => changes.has(`config:${key}`),
    (state) => {
      const entry = state.configEntries.get(key);
      return {
        index: state.indexes.configEntries,
        // A missing entry is a 404 with a text body, still carrying the index to block on.
        response: entry ? { json: renderConfigEntry(entry) } : { status: 404, raw: textBody(missing) },
      };
    },
  );
}

async function remove(ctx: EndpointContext): Promise<EndpointResponse> {
  const { kind, name } = splitKindAndName(ctx.rest);
  if (name === undefined) throw notFound('Must provide both a kind and name to delete');
  if (!CONFIG_ENTRY_KINDS.has(kind)) throw badRequest(`invalid config entry kind: ${kind}`);
  const cas = parseCas(ctx);
  requireWrite(ctx, kind, name);
  return ctx.store.write((txn) => {
    // Only CAS deletes report whether they deleted; plain deletes answer `{}` for backwards compatibility.
    if (cas !== undefined) return { json: configDeleteCas(txn, kind, name, cas) };
    configDelete(txn, kind, name);
    return { json: {} };
  });
}

async function entries(ctx: EndpointContext): Promise<EndpointResponse | undefined> {
  if (ctx.method === 'GET') return read(ctx);
  if (ctx.method === 'DELETE') return remove(ctx);
  throw methodNotAllowed(ctx.method, ['GET', 'DELETE']);
}

export const configRoutes: readonly Route[] = [
  { pattern: '/v1/config', methods: ['PUT'], handler: apply, leader: 'write' },
  { pattern: '/v1/config/', methods: ['GET', 'DELETE'], handler: entries, leader: 'read' },
];
