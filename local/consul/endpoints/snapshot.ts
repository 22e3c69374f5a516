import { randomUUID } from 'node:crypto';
import { ConsulHttpError } from '../errors';
import type { EndpointContext, EndpointResponse, Route } from '../endpoint';
import { ArchiveError, readArchive, writeArchive } from '../store/archive';
import { loadConsulState, saveConsulState } from '../store/saved-state';

/**
 * `/v1/snapshot` (https://developer.hashicorp.com/consul/api-docs/snapshot): GET returns an atomic, point-in-time
 * archive of the servers' whole state (catalog, KV and its tombstones, config entries, ACL policies and tokens,
 * cluster peerings with their secrets) with
 * `X-Consul-Index`; PUT restores one, replacing the state. Both need what Consul's `SnapshotAllowed` checks:
 * `acl:write` (the docs say "management": a snapshot holds every token's secret, so reading it is as strong as
 * writing ACLs). A restore is a new Raft entry: the index after it is above the snapshot's and the current one.
 */
async function snapshot(ctx: EndpointContext): Promise<EndpointResponse> {
  ctx.authz.require('acl', 'write');
  if (ctx.method === 'GET') {
    const index = ctx.store.lastIndex;
    const peerings = ctx.peering?.exportPeerings();
    const body = writeArchive({ index, state: saveConsulState(ctx.store.state, index), acl: ctx.acl.exportAcl(), ...(peerings ? { peerings } : {}) });
    return { raw: { body, headers: { 'Content-Type': 'application/x-gzip' } }, index };
  }
  let contents;
  try {
    contents = readArchive(await ctx.body());
  } catch (error) {
    if (error instanceof ArchiveError) throw new ConsulHttpError(500, `failed to restore snapshot: ${error.message}`);
    throw error;
  }
  ctx.store.install(loadConsulState(contents.state), contents.index);
  ctx.acl.replaceAcl(contents.acl);
  // Consul's snapshot restores the peering tables too (an archive without them, an older one, leaves none).
  ctx.peering?.importPeerings(contents.peerings ?? { clusterId: randomUUID(), externalAddresses: [], records: [] });
  return {};
}

export const snapshotRoutes: readonly Route[] = [{ pattern: '/v1/snapshot', methods: ['GET', 'PUT'], handler: snapshot, leader: 'read' }];
