import { AclTableError, type AclTokenRecord } from '../acl';
import { isObject } from '../decode';
import { badRequest, ConsulHttpError, methodNotAllowed, notFound, serverError } from '../errors';
import type { EndpointContext, EndpointResponse, Route } from '../endpoint';
import { readJsonBody } from './common';

/**
 * `/v1/acl/*`: policies and tokens (https://developer.hashicorp.com/consul/api-docs/acl/policies and
 * .../acl/tokens). Reads need `acl:read`, writes `acl:write` (in practice the management token); a token reads
 * itself (`/v1/acl/token/self`) with no permission at all. A caller without `acl:write` sees `<hidden>` instead of
 * other tokens' SecretIDs, as Consul shows them.
 */

const HIDDEN = '<hidden>';

function aclEnabled(ctx: EndpointContext): void {
  // Consul answers every ACL endpoint with 401 when ACLs are off.
  if (!ctx.acl.enabled) throw new ConsulHttpError(401, 'ACL support disabled');
}

function tableCall<T>(call: () => T): T {
  try {
    return call();
  } catch (error) {
    if (!(error instanceof AclTableError)) throw error;
    if (error.status === 400) throw badRequest(error.message);
    if (error.status === 404) throw notFound(error.message);
    throw serverError(error.message);
  }
}

async function body(ctx: EndpointContext, what: 'Policy' | 'Token'): Promise<Record<string, unknown>> {
  const raw = await readJsonBody(ctx, `${what} decoding failed: `);
  if (!isObject(raw)) throw badRequest(`${what} decoding failed: json: cannot unmarshal non-object into Go value of type structs.ACL${what}`);
  return raw;
}

function shown(ctx: EndpointContext, token: AclTokenRecord): AclTokenRecord {
  return ctx.authz.allowed('acl', 'write') ? token : { ...token, SecretID: HIDDEN };
}

async function createPolicy(ctx: EndpointContext): Promise<EndpointResponse> {
  aclEnabled(ctx);
  const input = await body(ctx, 'Policy');
  ctx.authz.require('acl', 'write');
  if (typeof input.ID === 'string' && input.ID !== '') throw badRequest('Cannot specify a policy ID when creating a policy');
  return { json: tableCall(() => ctx.acl.setPolicy(input)) };
}

async function policy(ctx: EndpointContext): Promise<EndpointResponse> {
  aclEnabled(ctx);
  if (ctx.method === 'PUT') {
    const input = await body(ctx, 'Policy');
    ctx.authz.require('acl', 'write');
    if (typeof input.ID === 'string' && input.ID !== '' && input.ID !== ctx.rest) throw badRequest('Policy ID in URL and payload do not match');
    return { json: tableCall(() => ctx.acl.setPolicy(input, ctx.rest)) };
  }
  if (ctx.method !== 'GET') throw methodNotAllowed(ctx.method, ['GET', 'PUT', 'DELETE']);
  ctx.authz.require('acl', 'read');
  const byName = ctx.rest.startsWith('name/');
  const key = byName ? ctx.rest.slice('name/'.length) : ctx.rest;
  if (key === '') throw badRequest(byName ? 'Missing policy Name' : 'Missing policy ID');
  const found = byName ? ctx.acl.policyByName(key) : ctx.acl.policy(key);
  if (!found) throw notFound('Requested policy does not exist');
  return { json: found };
}

async function listPolicies(ctx: EndpointContext): Promise<EndpointResponse> {
  aclEnabled(ctx);
  ctx.authz.require('acl', 'read');
  // The list shows each policy without its rules, as Consul's ACLPolicyListStub.
  return { json: ctx.acl.listPolicies().map(({ Rules: _rules, ...stub }) => stub) };
}

async function createToken(ctx: EndpointContext): Promise<EndpointResponse> {
  aclEnabled(ctx);
  const input = await body(ctx, 'Token');
  ctx.authz.require('acl', 'write');
  return { json: tableCall(() => ctx.acl.setToken(input, true)) };
}

async function token(ctx: EndpointContext): Promise<EndpointResponse> {
  aclEnabled(ctx);
  if (ctx.method === 'PUT') {
    const input = await body(ctx, 'Token');
    ctx.authz.require('acl', 'write');
    if (typeof input.AccessorID === 'string' && input.AccessorID !== '' && input.AccessorID !== ctx.rest) {
      throw badRequest('Token Accessor ID in URL and payload do not match');
    }
    return { json: tableCall(() => ctx.acl.setToken({ ...input, AccessorID: ctx.rest }, false)) };
  }
  if (ctx.method === 'DELETE') {
    if (ctx.rest === '') throw badRequest('Missing token AccessorID');
    ctx.authz.require('acl', 'write');
    tableCall(() => ctx.acl.deleteToken(ctx.rest, ctx.secret));
    return { json: true };
  }
  if (ctx.method !== 'GET') throw methodNotAllowed(ctx.method, ['GET', 'PUT', 'DELETE']);
  if (ctx.rest === '') throw badRequest('Missing token AccessorID');
  if (ctx.rest === 'self') {
    // The request's own token resolved already (an unknown secret was refused with "ACL not found").
    const self = ctx.acl.tokenBySecret(ctx.secret);
    if (!self) throw notFound('Supplied token does not exist');
    return { json: self };
  }
  ctx.authz.require('acl', 'read');
  const found = ctx.acl.token(ctx.rest);
  if (!found) throw notFound('Requested token does not exist');
  return { json: shown(ctx, found) };
}

async function listTokens(ctx: EndpointContext): Promise<EndpointResponse> {
  aclEnabled(ctx);
  ctx.authz.require('acl', 'read');
  const policyId = ctx.query.get('policy');
  const tokens = ctx.acl.listTokens().filter((t) => !policyId || t.Policies.some((p) => p.ID === policyId));
  return { json: tokens.map((t) => shown(ctx, t)) };
}

export const aclRoutes: readonly Route[] = [
  { pattern: '/v1/acl/policy', methods: ['PUT'], handler: createPolicy, leader: 'write' },
  { pattern: '/v1/acl/policy/', methods: ['GET', 'PUT'], handler: policy, leader: 'read' },
  { pattern: '/v1/acl/policies', methods: ['GET'], handler: listPolicies, leader: 'read' },
  { pattern: '/v1/acl/token', methods: ['PUT'], handler: createToken, leader: 'write' },
  { pattern: '/v1/acl/token/', methods: ['GET', 'PUT', 'DELETE'], handler: token, leader: 'read' },
  { pattern: '/v1/acl/tokens', methods: ['GET'], handler: listTokens, leader: 'read' },
];
