import { blockingQuery } from '../blocking';
import { badRequest } from '../errors';
import type { EndpointContext, EndpointResponse, Route } from '../endpoint';
import { committedNodeCatalog } from '../store/catalog-ops';
import type { CheckRecord } from '../store/types';
import { checksForInstance, renderCheck, renderHealthEntry } from '../views';
import { CHECK_SELECTORS, HEALTH_ENTRY_SELECTORS } from '../filter-selectors';
import { importedConnectHealth, importedHealth, peerOf } from './peering';
import { aclFiltered, byNodeThenId, canReadCheck, nodeMetaFilter, parseGoBool, queryFilter, serviceIndex, tagFilter } from './common';

/** `/v1/health/*`: service instances with their checks, and checks by service, node or state. */

const CHECK_STATES = new Set(['any', 'passing', 'warning', 'critical']);

function byNodeThenCheckId(a: CheckRecord, b: CheckRecord): number {
  if (a.Node !== b.Node) return a.Node < b.Node ? -1 : 1;
  return a.CheckID < b.CheckID ? -1 : a.CheckID > b.CheckID ? 1 : 0;
}

/** `?passing` (bare, or with a Go boolean value) keeps only instances whose every check — node checks too — passes. */
function passingOnly(ctx: EndpointContext): boolean {
  if (!ctx.has('passing')) return false;
  const value = ctx.query.get('passing') ?? '';
  if (value === '') return true;
  const parsed = parseGoBool(value);
  if (parsed === undefined) throw badRequest('Invalid value for ?passing');
  return parsed;
}

async function serviceHealth(ctx: EndpointContext): Promise<EndpointResponse | undefined> {
  const name = ctx.rest;
  if (name === '') throw badRequest('Missing service name');
  // `?peer=`: the instances a peer exports, as this datacenter imported them.
  const peer = peerOf(ctx);
  if (peer !== undefined) return importedHealth(ctx, name, peer);
  // Selectors are those of `structs.CheckServiceNode`: `Node.*`, `Service.*`, `Checks.*`.
  const keep = queryFilter(ctx, HEALTH_ENTRY_SELECTORS);
  const passing = passingOnly(ctx);
  const nodeMatches = nodeMetaFilter(ctx.query);
  const tagMatches = tagFilter(ctx.query);
  return blockingQuery(
    ctx,
    (changes) => changes.has(`service:${name}`),
    (state) => {
      // Each entry needs service:read on the service and node:read on its node (Consul's filterCheckServiceNodes).
      const readable = aclFiltered(
        [...state.services.values()].filter((s) => s.Service === name),
        (s) => ctx.authz.allowed('service', 'read', s.Service) && ctx.authz.allowed('node', 'read', s.Node),
      );
      const entries = readable.kept
        .filter((s) => tagMatches(s.Tags) && nodeMatches(state.nodes.get(s.Node)))
        .filter((s) => !passing || checksForInstance(state, s).every((c) => c.Status === 'passing'))
        .sort(byNodeThenId)
        .map((s) => renderHealthEntry(state, s))
        .filter(keep);
      return { index: serviceIndex(state, name), response: { json: entries, filteredByAcls: readable.filtered } };
    },
  );
}

/**
 * `/v1/health/connect/:name`: the mesh endpoints of a service, i.e. the connect proxies whose destination it is,
 * with their checks; with `?peer=` the synthetic proxies a peer replicated for it (its mesh gateways).
 */
async function connectHealth(ctx: EndpointContext): Promise<EndpointResponse | undefined> {
  const name = ctx.rest;
  if (name === '') throw badRequest('Missing service name');
  const peer = peerOf(ctx);
  if (peer !== undefined) return importedConnectHealth(ctx, name, peer);
  const keep = queryFilter(ctx, HEALTH_ENTRY_SELECTORS);
  const passing = passingOnly(ctx);
  const isProxyOf = (s: { Kind: string; Proxy: Readonly<Record<string, unknown>> }) => s.Kind === 'connect-proxy' && s.Proxy.DestinationServiceName === name;
  return blockingQuery(
    ctx,
    (changes) => [...changes].some((c) => c.startsWith('service:')),
    (state) => {
      const proxies = [...state.services.values()].filter(isProxyOf);
      const readable = aclFiltered(proxies, (s) => ctx.authz.allowed('service', 'read', s.Service) && ctx.authz.allowed('node', 'read', s.Node));
      const entries = readable.kept
        .filter((s) => !passing || checksForInstance(state, s).every((c) => c.Status === 'passing'))
        .sort(byNodeThenId)
        .map((s) => renderHealthEntry(state, s))
        .filter(keep);
      const index = Math.max(serviceIndex(state, name), ...proxies.map((p) => serviceIndex(state, p.Service)));
      return { index, response: { json: entries, filteredByAcls: readable.filtered } };
    },
  );
}

async function serviceChecks(ctx: EndpointContext): Promise<EndpointResponse | undefined> {
  const keep = queryFilter(ctx, CHECK_SELECTORS);
  const name = ctx.rest;
  if (name === '') throw badRequest('Missing service name');
  const nodeMatches = nodeMetaFilter(ctx.query);
  return blockingQuery(
    ctx,
    (changes) => changes.has(`service:${name}`),
    (state) => {
      const readable = aclFiltered([...state.checks.values()].filter((c) => c.ServiceName === name), (c) => canReadCheck(ctx, c));
      const checks = readable.kept
        .filter((c) => nodeMatches(state.nodes.get(c.Node)))
        .sort(byNodeThenCheckId)
        .map(renderCheck)
        .filter(keep);
      return { index: serviceIndex(state, name), response: { json: checks, filteredByAcls: readable.filtered } };
    },
  );
}

async function nodeChecks(ctx: EndpointContext): Promise<EndpointResponse | undefined> {
  const keep = queryFilter(ctx, CHECK_SELECTORS);
  const name = ctx.rest;
  if (name === '') throw badRequest('Missing node name');
  return blockingQuery(
    ctx,
    (changes) => changes.has(`node:${name}`),
    (state) => {
      const readable = aclFiltered(committedNodeCatalog(state, name).checks, (c) => canReadCheck(ctx, c));
      return {
        index: state.indexes.checks,
        response: { json: readable.kept.sort(byNodeThenCheckId).map(renderCheck).filter(keep), filteredByAcls: readable.filtered },
      };
    },
  );
}

async function checksInState(ctx: EndpointContext): Promise<EndpointResponse | undefined> {
  const keep = queryFilter(ctx, CHECK_SELECTORS);
  const wanted = ctx.rest;
  if (wanted === '') throw badRequest('Missing check state');
  if (!CHECK_STATES.has(wanted)) throw badRequest('Invalid check state');
  const nodeMatches = nodeMetaFilter(ctx.query);
  return blockingQuery(
    ctx,
    (changes) => changes.has('checks'),
    (state) => {
      const readable = aclFiltered([...state.checks.values()], (c) => canReadCheck(ctx, c));
      const checks = readable.kept
        .filter((c) => (wanted === 'any' || c.Status === wanted) && nodeMatches(state.nodes.get(c.Node)))
        .sort(byNodeThenCheckId)
        .map(renderCheck)
        .filter(keep);
      return { index: state.indexes.checks, response: { json: checks, filteredByAcls: readable.filtered } };
    },
  );
}

export const healthRoutes: readonly Route[] = [
  { pattern: '/v1/health/service/', methods: ['GET'], handler: serviceHealth, leader: 'read' },
  { pattern: '/v1/health/connect/', methods: ['GET'], handler: connectHealth, leader: 'read' },
  { pattern: '/v1/health/checks/', methods: ['GET'], handler: serviceChecks, leader: 'read' },
  { pattern: '/v1/health/node/', methods: ['GET'], handler: nodeChecks, leader: 'read' },
  { pattern: '/v1/health/state/', methods: ['GET'], handler: checksInState, leader: 'read' },
];
