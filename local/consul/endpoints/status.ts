import type { EndpointContext, EndpointResponse, Route } from '../endpoint';

/**
 * `/v1/status/leader` and `/v1/status/peers`: the Raft view of the server cluster. They need no ACL token and no
 * leader — `leader` answers `""` when there is none, which is how deployments wait for a quorum.
 */

async function leader(ctx: EndpointContext): Promise<EndpointResponse> {
  return { json: ctx.raft.leader ?? '' };
}

async function peers(ctx: EndpointContext): Promise<EndpointResponse> {
  return { json: [...ctx.raft.peers] };
}

export const statusRoutes: readonly Route[] = [
  { pattern: '/v1/status/leader', methods: ['GET'], handler: leader, leader: 'none', acl: false },
  { pattern: '/v1/status/peers', methods: ['GET'], handler: peers, leader: 'none', acl: false },
];
