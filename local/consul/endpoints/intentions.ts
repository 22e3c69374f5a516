import { notFound, serverError } from '../errors';
import type { EndpointContext, EndpointResponse, Route } from '../endpoint';
import type { ConsulState } from '../store/types';
import { configKey } from '../store/types';

/**
 * `/v1/connect/intentions/exact` and `/v1/connect/intentions/check`: the intentions of the `service-intentions`
 * entries (Consul 1.9+ keeps intentions there), read and evaluated as Consul's `agent/intentions_endpoint.go` does:
 *
 * - Names follow Consul's source/destination naming: `<name>`, or for a source of a cluster peer `peer:<peer>/<name>`.
 *   Only `exact` takes a peer source (`parseIntentionStringComponent(..., allowPeerKeyword = true)`); `check` refuses
 *   it with Consul's text, `cannot specify a peer here` (Consul enforces peered intentions in the proxies only).
 * - Precedence (Consul's `Intention.UpdatePrecedence`, default namespace): exact source and destination 9, `*` source
 *   and exact destination 8, exact source and `*` destination 6, both `*` 5; the highest matching one decides.
 * - `check` treats an intention with `Permissions` (L7) as deny, as documented (the endpoint is for L4 callers), and
 *   answers the default when nothing matches: deny with ACLs on (`default_policy = "deny"`), allow without.
 */

interface Parsed {
  peer?: string;
  name: string;
}

/** Consul's `parseIntentionStringComponent`, default partition and namespace. */
function parseName(input: string, allowPeer: boolean): Parsed {
  if (input.startsWith('peer:') && !allowPeer) throw new Error('cannot specify a peer here');
  const parts = input.split('/');
  if (parts.length === 1) {
    if (parts[0].startsWith('peer:')) throw new Error('need to specify the service name as well');
    return { name: parts[0] };
  }
  if (parts.length === 2) return parts[0].startsWith('peer:') ? { peer: parts[0].slice('peer:'.length), name: parts[1] } : { name: parts[1] };
  if (parts.length === 3) return parts[0].startsWith('peer:') ? { peer: parts[0].slice('peer:'.length), name: parts[2] } : { name: parts[2] };
  throw new Error("input can contain at most two '/'");
}

/** The required `source` and `destination` query parameters, parsed (Consul answers a missing or bad one with 500). */
function sourceAndDestination(ctx: EndpointContext, allowPeerSource: boolean): { source: Parsed; destination: Parsed } {
  const source = ctx.query.getAll('source');
  if (source.length !== 1) throw serverError("required query parameter 'source' not set");
  const destination = ctx.query.getAll('destination');
  if (destination.length !== 1) throw serverError("required query parameter 'destination' not set");
  const parse = (what: string, value: string, allowPeer: boolean) => {
    try {
      return parseName(value, allowPeer);
    } catch (error) {
      throw serverError(`${what} ${JSON.stringify(value)} is invalid: ${(error as Error).message}`);
    }
  };
  return { source: parse('source', source[0], allowPeerSource), destination: parse('destination', destination[0], false) };
}

/** One source of a `service-intentions` entry, as an intention. */
interface Intention {
  SourceName: string;
  SourcePeer?: string;
  SourceType: 'consul';
  DestinationName: string;
  Action?: string;
  Permissions?: unknown[];
  Description?: string;
  Precedence: number;
  CreateIndex: number;
  ModifyIndex: number;
}

function precedence(source: string, destination: string): number {
  if (destination === '*') return source === '*' ? 5 : 6;
  return source === '*' ? 8 : 9;
}

/** The intentions whose destination is `destination` (exactly: no wildcard expansion). */
function intentionsTo(state: ConsulState, destination: string): Intention[] {
  const entry = state.configEntries.get(configKey('service-intentions', destination));
  const sources = entry?.Body.Sources;
  if (!entry || !Array.isArray(sources)) return [];
  return sources.map((raw) => {
    const source = raw as Record<string, unknown>;
    const name = String(source.Name ?? '');
    return {
      SourceName: name,
      ...(typeof source.Peer === 'string' && source.Peer !== '' ? { SourcePeer: source.Peer } : {}),
      SourceType: 'consul',
      DestinationName: destination,
      ...(typeof source.Action === 'string' && source.Action !== '' ? { Action: source.Action } : {}),
      ...(Array.isArray(source.Permissions) && source.Permissions.length > 0 ? { Permissions: source.Permissions } : {}),
      ...(typeof source.Description === 'string' && source.Description !== '' ? { Description: source.Description } : {}),
      Precedence: precedence(name, destination),
      CreateIndex: entry.CreateIndex,
      ModifyIndex: entry.ModifyIndex,
    };
  });
}

/** `GET /v1/connect/intentions/exact?source=&destination=`: one intention, `intentions:read` on the destination. */
async function exact(ctx: EndpointContext): Promise<EndpointResponse> {
  const { source, destination } = sourceAndDestination(ctx, true);
  ctx.authz.require('intentions', 'read', destination.name);
  const state = ctx.store.state;
  const found = intentionsTo(state, destination.name).find((i) => i.SourceName === source.name && (i.SourcePeer ?? '') === (source.peer ?? ''));
  if (!found) throw notFound('Intention not found');
  return { json: found, index: state.indexes.configEntries };
}

/**
 * `GET /v1/connect/intentions/check?source=&destination=`: `{"Allowed": bool}` for a connection of a local source
 * (`service:read` on the destination: the answer reveals no intention).
 */
async function check(ctx: EndpointContext): Promise<EndpointResponse> {
  const { source, destination } = sourceAndDestination(ctx, false);
  ctx.authz.require('service', 'read', destination.name);
  const state = ctx.store.state;
  const matching = [...intentionsTo(state, destination.name), ...(destination.name === '*' ? [] : intentionsTo(state, '*'))]
    .filter((i) => i.SourcePeer === undefined && (i.SourceName === source.name || i.SourceName === '*'))
    .sort((a, b) => b.Precedence - a.Precedence);
  const decisive = matching[0];
  const allowed = decisive ? decisive.Action === 'allow' && decisive.Permissions === undefined : !ctx.acl.enabled;
  return { json: { Allowed: allowed }, index: state.indexes.configEntries };
}

export const intentionRoutes: readonly Route[] = [
  { pattern: '/v1/connect/intentions/exact', methods: ['GET'], handler: exact, leader: 'read' },
  { pattern: '/v1/connect/intentions/check', methods: ['GET'], handler: check, leader: 'read' },
];
