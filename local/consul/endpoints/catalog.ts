import { blockingQuery } from '../blocking';
import { decodeCheck, decodeNode, decodeService, preApplyService } from '../catalog-decode';
import { isObject, readArray, readBool, readObject, readString, DecodeError } from '../decode';
import { badRequest, serverError } from '../errors';
import type { EndpointContext, EndpointResponse, Route } from '../endpoint';
import {
  CatalogError,
  deleteCheck,
  deleteNode,
  deleteService,
  ensureCheck,
  ensureNode,
  ensureService,
  servicesOfNode,
  type CheckInput,
  type ServiceInput,
} from '../store/catalog-ops';
import { NODE_SELECTORS, NODE_SERVICE_SELECTORS, SERVICE_NODE_SELECTORS } from '../filter-selectors';
import { serviceKey } from '../store/types';
import { renderNode, renderService, renderServiceNode } from '../views';
import {
  byNodeThenId,
  decodeOr400,
  nodeMetaFilter,
  queryFilter,
  readJsonBody,
  refuseFilter,
  serviceIndex,
  tagFilter,
} from './common';

/** `/v1/catalog/*`: low-level registration and the catalog reads (all of them blocking queries). */

const DECODE_FAILED = 'Request decode failed: ';

interface Registration {
  node: ReturnType<typeof decodeNode>;
  skipNodeUpdate: boolean;
  service?: ServiceInput;
  checks: CheckInput[];
}

function decodeRegistration(body: unknown): Registration {
  if (!isObject(body)) {
    throw new DecodeError('json: cannot unmarshal non-object into Go value of type structs.RegisterRequest');
  }
  const s = 'RegisterRequest';
  const node = decodeNode(body, s, 'NodeMeta');
  const serviceObj = readObject(body, 'Service', s, 'structs.NodeService');
  const checks: CheckInput[] = [];
  // The single `Check` is folded into `Checks`, as Consul's Catalog.Register does.
  const single = readObject(body, 'Check', s, 'structs.HealthCheck');
  if (single) checks.push(decodeCheck(single, 'HealthCheck', node.Node));
  for (const raw of readArray(body, 'Checks', s, 'structs.HealthChecks') ?? []) {
    if (!isObject(raw)) throw new DecodeError('json: cannot unmarshal value into Go value of type structs.HealthCheck');
    checks.push(decodeCheck(raw, 'HealthCheck', node.Node));
  }
  return {
    node,
    skipNodeUpdate: readBool(body, 'SkipNodeUpdate', s),
    service: serviceObj ? decodeService(serviceObj, 'NodeService') : undefined,
    checks,
  };
}

async function register(ctx: EndpointContext): Promise<EndpointResponse> {
  const body = await readJsonBody(ctx, DECODE_FAILED);
  const reg = decodeOr400(DECODE_FAILED, () => decodeRegistration(body));
  const { node, service, checks } = reg;
  // Server-side validation: untyped RPC errors, which Consul's HTTP layer answers with 500.
  if (node.Node === '') throw serverError('Must provide node');
  if (node.Address === '' && !reg.skipNodeUpdate) {
    throw serverError('Must provide address if SkipNodeUpdate is not set');
  }
  if (service) {
    const invalid = preApplyService(service);
    if (invalid) throw serverError(invalid);
  }
  for (const check of checks) {
    if (check.Node !== node.Node) {
      throw serverError(
        `Node '${check.Node}' for check '${check.CheckID}' doesn't match register request node '${node.Node}'`,
      );
    }
  }
  if (service) ctx.authz.require('service', 'write', service.Service);
  ctx.authz.require('node', 'write', node.Node);
  ctx.store.write((txn) => {
    let step = 'node';
    try {
      if (!reg.skipNodeUpdate || !txn.state.nodes.has(node.Node)) ensureNode(txn, node, ctx.agent.datacenter);
      step = 'service';
      if (service) ensureService(txn, node.Node, service);
      step = 'check';
      for (const check of checks) ensureCheck(txn, check);
    } catch (err) {
      if (err instanceof CatalogError) throw serverError(`failed inserting ${step}: ${err.message}`);
      throw err;
    }
  });
  return { json: true };
}

async function deregister(ctx: EndpointContext): Promise<EndpointResponse> {
  const body = await readJsonBody(ctx, DECODE_FAILED);
  const { node, serviceId, checkId } = decodeOr400(DECODE_FAILED, () => {
    if (!isObject(body)) {
      throw new DecodeError('json: cannot unmarshal non-object into Go value of type structs.DeregisterRequest');
    }
    const s = 'DeregisterRequest';
    return {
      node: readString(body, 'Node', s),
      serviceId: readString(body, 'ServiceID', s),
      checkId: readString(body, 'CheckID', s),
    };
  });
  if (node === '') throw serverError('Must provide node');
  const svc = ctx.store.state.services.get(serviceKey(node, serviceId));
  if (serviceId !== '') ctx.authz.require('service', 'write', svc?.Service ?? serviceId);
  ctx.authz.require('node', 'write', node);
  // Deregistering what is not there succeeds and changes nothing, as in Consul.
  ctx.store.write((txn) => {
    if (serviceId !== '') deleteService(txn, node, serviceId);
    if (checkId !== '') deleteCheck(txn, node, checkId);
    if (serviceId === '' && checkId === '') deleteNode(txn, node);
  });
  return { json: true };
}

async function listServices(ctx: EndpointContext): Promise<EndpointResponse | undefined> {
  refuseFilter(ctx);
  ctx.authz.require('service', 'read');
  const nodeMatches = nodeMetaFilter(ctx.query);
  return blockingQuery(
    ctx,
    (changes) => changes.has('services') || changes.has('nodes'),
    (state) => {
      const tags = new Map<string, Set<string>>();
      for (const svc of state.services.values()) {
        if (!nodeMatches(state.nodes.get(svc.Node))) continue;
        const set = tags.get(svc.Service) ?? new Set<string>();
        for (const tag of svc.Tags ?? []) set.add(tag);
        tags.set(svc.Service, set);
      }
      const body: Record<string, string[]> = {};
      for (const name of [...tags.keys()].sort()) body[name] = [...(tags.get(name) ?? [])].sort();
      return { index: state.indexes.services, response: { json: body } };
    },
  );
}

async function serviceNodes(ctx: EndpointContext): Promise<EndpointResponse | undefined> {
  const name = ctx.rest;
  if (name === '') throw badRequest('Missing service name');
  const keep = queryFilter(ctx, SERVICE_NODE_SELECTORS);
  ctx.authz.require('service', 'read', name);
  const nodeMatches = nodeMetaFilter(ctx.query);
  const tagMatches = tagFilter(ctx.query);
  return blockingQuery(
    ctx,
    (changes) => changes.has(`service:${name}`),
    (state) => {
      const entries = [...state.services.values()]
        .filter((s) => s.Service === name && tagMatches(s.Tags) && nodeMatches(state.nodes.get(s.Node)))
        .sort(byNodeThenId)
        .flatMap((svc) => {
          const node = state.nodes.get(svc.Node);
          return node ? [renderServiceNode(node, svc)] : [];
        })
        .filter(keep);
      return { index: serviceIndex(state, name), response: { json: entries } };
    },
  );
}

async function listNodes(ctx: EndpointContext): Promise<EndpointResponse | undefined> {
  const keep = queryFilter(ctx, NODE_SELECTORS);
  ctx.authz.require('node', 'read');
  const nodeMatches = nodeMetaFilter(ctx.query);
  return blockingQuery(
    ctx,
    (changes) => changes.has('nodes'),
    (state) => {
      const nodes = [...state.nodes.values()]
        .filter((n) => nodeMatches(n))
        .sort((a, b) => (a.Node < b.Node ? -1 : 1))
        .map(renderNode)
        .filter(keep);
      return { index: state.indexes.nodes, response: { json: nodes } };
    },
  );
}

/**
 * `/v1/catalog/node/:node` (services as a map by ID) and `/v1/catalog/node-services/:node` (as a list). `?filter`
 * applies to the node's services (`structs.NodeService` selectors), never to the node itself.
 */
function nodeServices(shape: 'map' | 'list') {
  return async (ctx: EndpointContext): Promise<EndpointResponse | undefined> => {
    const name = ctx.rest;
    if (name === '') throw badRequest('Missing node name');
    const keep = queryFilter(ctx, NODE_SERVICE_SELECTORS);
    ctx.authz.require('node', 'read', name);
    return blockingQuery(
      ctx,
      (changes) => changes.has(`node:${name}`),
      (state) => {
        const index = Math.max(state.indexes.nodes, state.indexes.services);
        const node = state.nodes.get(name);
        const services = servicesOfNode(state, name)
          .sort((a, b) => (a.ID < b.ID ? -1 : 1))
          .map(renderService)
          .filter(keep);
        if (shape === 'map') {
          // A missing node is answered `null` with 200, as Consul does.
          if (!node) return { index, response: { json: null } };
          const byId: Record<string, unknown> = {};
          for (const svc of services) byId[String(svc.ID)] = svc;
          return { index, response: { json: { Node: renderNode(node), Services: byId } } };
        }
        return {
          index,
          response: { json: { Node: node ? renderNode(node) : null, Services: node ? services : null } },
        };
      },
    );
  };
}

async function datacenters(ctx: EndpointContext): Promise<EndpointResponse> {
  return { json: [ctx.agent.datacenter] };
}

export const catalogRoutes: readonly Route[] = [
  { pattern: '/v1/catalog/register', methods: ['PUT'], handler: register, leader: 'write' },
  { pattern: '/v1/catalog/deregister', methods: ['PUT'], handler: deregister, leader: 'write' },
  { pattern: '/v1/catalog/datacenters', methods: ['GET'], handler: datacenters, leader: 'none', acl: false },
  { pattern: '/v1/catalog/services', methods: ['GET'], handler: listServices, leader: 'read' },
  { pattern: '/v1/catalog/service/', methods: ['GET'], handler: serviceNodes, leader: 'read' },
  { pattern: '/v1/catalog/nodes', methods: ['GET'], handler: listNodes, leader: 'read' },
  { pattern: '/v1/catalog/node/', methods: ['GET'], handler: nodeServices('map'), leader: 'read' },
  { pattern: '/v1/catalog/node-services/', methods: ['GET'], handler: nodeServices('list'), leader: 'read' },
];
