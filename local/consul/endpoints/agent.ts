import type { EndpointContext, EndpointResponse, Route } from '../endpoint';

/** The few `/v1/agent/*` reads a client may make against a server agent: `self` and `members`. */

/** Serf's LAN port, where members gossip. */
const SERF_LAN_PORT = 8301;

function member(ctx: EndpointContext, name: string, address: string): Record<string, unknown> {
  return {
    Name: name,
    Addr: address,
    Port: SERF_LAN_PORT,
    Tags: {
      role: 'consul',
      dc: ctx.agent.datacenter,
      port: '8300',
      build: ctx.agent.version,
      vsn: '2',
      vsn_min: '2',
      vsn_max: '3',
    },
    // Serf status 1 = alive.
    Status: 1,
    ProtocolMin: 1,
    ProtocolMax: 5,
    ProtocolCur: 2,
    DelegateMin: 2,
    DelegateMax: 5,
    DelegateCur: 4,
  };
}

const hostOf = (peer: string): string => peer.split(':')[0];

async function self(ctx: EndpointContext): Promise<EndpointResponse> {
  ctx.authz.require('agent', 'read', ctx.agent.nodeName);
  const address = hostOf(ctx.raft.leader ?? ctx.raft.peers[0] ?? '127.0.0.1');
  return {
    json: {
      Config: {
        Datacenter: ctx.agent.datacenter,
        PrimaryDatacenter: ctx.agent.datacenter,
        NodeName: ctx.agent.nodeName,
        NodeID: ctx.agent.nodeId,
        Revision: 'local',
        Server: true,
        Version: ctx.agent.version,
      },
      Coord: null,
      Member: member(ctx, ctx.agent.nodeName, address),
      Meta: { 'consul-network-segment': '' },
    },
  };
}

async function members(ctx: EndpointContext): Promise<EndpointResponse> {
  ctx.authz.require('node', 'read');
  const peers = ctx.raft.peers.length > 0 ? ctx.raft.peers : [];
  return {
    json: peers.map((peer, i) =>
      member(ctx, i === 0 && peers.length === 1 ? ctx.agent.nodeName : `server-${hostOf(peer)}`, hostOf(peer)),
    ),
  };
}

export const agentRoutes: readonly Route[] = [
  { pattern: '/v1/agent/self', methods: ['GET'], handler: self, leader: 'none' },
  { pattern: '/v1/agent/members', methods: ['GET'], handler: members, leader: 'none' },
];
