import { isObject } from '../decode';
import { badRequest, ConsulHttpError, methodNotAllowed } from '../errors';
import { KeyringError } from '../keyring';
import type { EndpointContext, EndpointResponse, Route } from '../endpoint';
import { readJsonBody } from './common';

/**
 * `/v1/operator/keyring` (https://developer.hashicorp.com/consul/api-docs/operator/keyring): GET lists the keys of
 * every member (`keyring:read`); POST installs, PUT makes primary, DELETE removes a key (`keyring:write`), each with
 * `{"Key": "<base64>"}`. Only the servers are members: the dataplanes do not gossip.
 */
async function keyring(ctx: EndpointContext): Promise<EndpointResponse> {
  // Members are the running servers; one that stopped takes its keyring with it.
  ctx.keyring.retain(ctx.raft.peers);
  if (ctx.method === 'GET') {
    ctx.authz.require('keyring', 'read');
    return { json: ctx.keyring.list(ctx.agent.datacenter) };
  }
  const raw = await readJsonBody(ctx, 'Request decode failed: ');
  ctx.authz.require('keyring', 'write');
  const key = isObject(raw) && typeof raw.Key === 'string' ? raw.Key : '';
  if (key === '') throw badRequest('Request decode failed: a Key is required');
  try {
    if (ctx.method === 'POST') ctx.keyring.install(key);
    else if (ctx.method === 'PUT') ctx.keyring.use(key);
    else if (ctx.method === 'DELETE') ctx.keyring.remove(key);
    else throw methodNotAllowed(ctx.method, ['GET', 'POST', 'PUT', 'DELETE']);
  } catch (error) {
    if (error instanceof KeyringError) throw new ConsulHttpError(error.status, error.message);
    throw error;
  }
  return { json: null };
}

/** Consul's default `last_contact_threshold` (autopilot): how a follower's last contact is shown when it is fine. */
const FOLLOWER_LAST_CONTACT = '10ms';

/**
 * `GET /v1/operator/autopilot/health` (https://developer.hashicorp.com/consul/api-docs/operator/autopilot#read-health):
 * `operator:read`; answered by the leader (`No cluster leader` without one, whatever `?stale` says: its consistency
 * mode is "none"). One entry per running server (leadership.ts): a member is a healthy voter; a server still catching
 * up is neither (`Voter` false: autopilot promotes a server only after it has been healthy for
 * `server_stabilization_time`; `Healthy` false: its log trails the leader's by more than `max_trailing_logs`).
 * `FailureTolerance` is how many healthy voters may fail with a quorum left. The status is 200 when every server is
 * healthy, else 429: it is the cluster's health, not one server's.
 */
async function autopilotHealth(ctx: EndpointContext): Promise<EndpointResponse> {
  ctx.authz.require('operator', 'read');
  const now = Date.now();
  const lastIndex = ctx.store.lastIndex;
  const term = ctx.raft.term ?? 1;
  const servers = (ctx.raft.servers ?? ctx.raft.peers.map((address) => ({ address, id: ctx.agent.nodeId, member: true, since: now, progress: 1 }))).map((server) => {
    const leader = server.address === ctx.raft.leader;
    const host = server.address.split(':')[0];
    return {
      ID: server.id,
      Name: ctx.raft.peers.length === 1 && !ctx.raft.servers ? ctx.agent.nodeName : `server-${host}`,
      Address: server.address,
      SerfStatus: 'alive',
      Version: ctx.agent.version,
      Leader: leader,
      LastContact: leader ? '0s' : server.member ? FOLLOWER_LAST_CONTACT : `${Math.max(1, Math.round((1 - server.progress) * 1000))}ms`,
      LastTerm: term,
      LastIndex: server.member ? lastIndex : Math.floor(lastIndex * server.progress),
      Healthy: server.member,
      Voter: server.member,
      StableSince: new Date(server.since).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    };
  });
  const voters = servers.filter((s) => s.Voter);
  const healthyVoters = voters.filter((s) => s.Healthy).length;
  const healthy = servers.every((s) => s.Healthy);
  return {
    status: healthy ? 200 : 429,
    json: { Healthy: healthy, FailureTolerance: Math.max(0, healthyVoters - (Math.floor(voters.length / 2) + 1)), Servers: servers },
  };
}

export const operatorRoutes: readonly Route[] = [
  { pattern: '/v1/operator/keyring', methods: ['GET', 'POST', 'PUT', 'DELETE'], handler: keyring, leader: 'none' },
  { pattern: '/v1/operator/autopilot/health', methods: ['GET'], handler: autopilotHealth, leader: 'write' },
];
