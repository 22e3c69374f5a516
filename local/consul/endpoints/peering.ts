import { blockingQuery } from '../blocking';
import { isObject } from '../decode';
import { badRequest, notFound } from '../errors';
import type { EndpointContext, EndpointResponse, Route } from '../endpoint';
import type { ImportedInstance, PeeringService } from '../peering/service';
import { aclFiltered, parseGoBool, readJsonBody } from './common';

/**
 * `/v1/peering/*` and `/v1/peerings`: cluster peering (Consul 1.14+, `agent/peering_endpoint.go`), and the
 * `?peer=` reads of imported services. Every call is answered by the leader (no `?stale`); the token needs
 * `peering:write` to generate, establish and delete and `peering:read` to read and list (both granted by
 * `operator` when the policy has no `peering` rule).
 */

const DECODE_FAILED = 'Body decoding failed: ';

function peeringOf(ctx: EndpointContext): PeeringService {
  if (!ctx.peering) throw badRequest('peering must be enabled to use this endpoint');
  return ctx.peering;
}

async function body(ctx: EndpointContext): Promise<Record<string, unknown>> {
  if ((await ctx.body()).length === 0) throw badRequest('The peering arguments must be provided in the body');
  const raw = await readJsonBody(ctx, DECODE_FAILED);
  if (!isObject(raw)) throw badRequest(`${DECODE_FAILED}json: cannot unmarshal value into Go value of type api.PeeringRequest`);
  return raw;
}

async function generateToken(ctx: EndpointContext): Promise<EndpointResponse> {
  return { json: peeringOf(ctx).generateToken(await body(ctx), ctx.authz) };
}

async function establish(ctx: EndpointContext): Promise<EndpointResponse> {
  return { json: peeringOf(ctx).establish(await body(ctx), ctx.authz) };
}

async function readOrDelete(ctx: EndpointContext): Promise<EndpointResponse> {
  const service = peeringOf(ctx);
  const name = ctx.rest;
  if (name === '') throw badRequest('Must specify a name to fetch.');
  if (ctx.method === 'DELETE') {
    service.delete(name, ctx.authz);
    // Consul's handler returns no object: 200 with an empty body.
    return {};
  }
  ctx.authz.require('peering', 'read');
  const record = service.record(name);
  if (!record) throw notFound(`Peering not found for ${JSON.stringify(name)}`);
  return { json: service.render(record), index: record.ModifyIndex };
}

async function list(ctx: EndpointContext): Promise<EndpointResponse> {
  const service = peeringOf(ctx);
  ctx.authz.require('peering', 'read');
  const records = service.records();
  return { json: records.map((r) => service.render(r)), index: Math.max(1, ...records.map((r) => r.ModifyIndex)) };
}

/** `?peer=` was given: the read is answered from what that peer's stream imported. */
export function peerOf(ctx: EndpointContext): string | undefined {
  const peer = ctx.query.get('peer');
  return peer === null || peer === '' ? undefined : peer;
}

/**
 * `/v1/health/service/:name?peer=<peer>`: the peer's exported instances as imported here, each with the one
 * flattened check (`<service id>:overall-check`) the replication carries; `?passing` keeps the passing ones.
 */
export function importedHealth(ctx: EndpointContext, name: string, peer: string): Promise<EndpointResponse | undefined> {
  return blockingOnPeer(ctx, peer, () => importedHealthNow(ctx, name, peer, ctx.peering?.imported(peer, name) ?? []));
}

/**
 * `/v1/health/connect/:name?peer=<peer>`: how a dataplane reaches a peer's service — one synthetic proxy per
 * mesh gateway of the exporting side, at the gateway's addresses, with the SNI and SPIFFE IDs Envoy verifies.
 */
export function importedConnectHealth(ctx: EndpointContext, name: string, peer: string): Promise<EndpointResponse | undefined> {
  return blockingOnPeer(ctx, peer, () => importedHealthNow(ctx, name, peer, ctx.peering?.importedConnect(peer, name) ?? []));
}

function importedHealthNow(ctx: EndpointContext, name: string, peer: string, instances: readonly ImportedInstance[]): EndpointResponse {
  const passing = ctx.has('passing') && (ctx.query.get('passing') === '' || parseGoBool(ctx.query.get('passing') ?? '') === true);
  const { kept, filtered } = aclFiltered([...instances], () => ctx.authz.allowed('service', 'read', name));
  const entries = kept
    .filter((i) => !passing || i.status === 'passing')
    .map((i) => ({
      Node: i.node,
      Service: i.service,
      Checks: [
        {
          Node: i.node.Node,
          CheckID: `${i.serviceId}:overall-check`,
          Name: 'overall-check',
          Status: i.status,
          Notes: '',
          Output: '',
          ServiceID: i.serviceId,
          ServiceName: i.serviceName,
          ServiceTags: [],
          Type: '',
          Interval: '',
          Timeout: '',
          ExposedPort: 0,
          PeerName: peer,
          Definition: {},
          CreateIndex: 0,
          ModifyIndex: 0,
        },
      ],
    }));
  return { json: entries, index: importedIndex(ctx, peer), filteredByAcls: filtered };
}

/** `/v1/catalog/service/:name?peer=<peer>`: the imported instances as `structs.ServiceNode`s. */
export function importedServiceNodes(ctx: EndpointContext, name: string, peer: string): Promise<EndpointResponse | undefined> {
  return blockingOnPeer(ctx, peer, () => {
    const { kept, filtered } = aclFiltered([...(ctx.peering?.imported(peer, name) ?? [])], () => ctx.authz.allowed('service', 'read', name));
    return { json: kept.map((i) => i.serviceNode), index: importedIndex(ctx, peer), filteredByAcls: filtered };
  });
}

/** A blocking query over one peer's imports: it wakes when the peering's stream writes (peering:<name>). */
function blockingOnPeer(ctx: EndpointContext, peer: string, run: () => EndpointResponse): Promise<EndpointResponse | undefined> {
  return blockingQuery(
    ctx,
    (changes) => changes.has(`peering:${peer.toLowerCase()}`),
    () => {
      const { index, ...response } = run();
      return { index: index ?? 1, response };
    },
  );
}

function importedIndex(ctx: EndpointContext, peer: string): number {
  return ctx.peering?.record(peer)?.ModifyIndex ?? ctx.store.lastIndex;
}

export const peeringRoutes: readonly Route[] = [
  { pattern: '/v1/peering/token', methods: ['POST'], handler: generateToken, leader: 'write' },
  { pattern: '/v1/peering/establish', methods: ['POST'], handler: establish, leader: 'write' },
  { pattern: '/v1/peering/', methods: ['GET', 'DELETE'], handler: readOrDelete, leader: 'write' },
  { pattern: '/v1/peerings', methods: ['GET'], handler: list, leader: 'write' },
];
