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

export const operatorRoutes: readonly Route[] = [{ pattern: '/v1/operator/keyring', methods: ['GET', 'POST', 'PUT', 'DELETE'], handler: keyring, leader: 'none' }];
