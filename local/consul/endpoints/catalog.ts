import { blockingQuery } from '../blocking';
import { decodeCheck, decodeNode, decodeService, preApplyService } from '../catalog-decode';
import { isObject, readArray, readBool, readObject, readString, DecodeError } from '../decode';
import { badRequest, serverError } from '../errors';
import type { EndpointContext, EndpointResponse, Route } from '../endpoint';
import {
  CatalogError,
  committedNodeCatalog,
  deleteCheck,
  deleteNode,
  deleteService,
  ensureCheck,
  ensureNode,
  ensureService,
  type CheckInput,
  type ServiceInput,
} from '../store/catalog-ops';
import { NODE_SELECTORS, NODE_SERVICE_SELECTORS, SERVICE_NODE_SELECTORS } from '../filter-selectors';
import { checkKey, serviceKey, type NodeRecord } from '../store/types';
import { renderNode, renderService, renderServiceNode } from '../views';
import {
  aclFiltered,
  byNodeThenId,
  decodeOr400,
  nodeMetaFilter,
  queryFilter,
  readJsonBody,
  refuseFilter,
  serviceIndex,
  tagFilter,
} from './common';
import { importedServiceNodes, peerOf } from './peering';

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

/** Whether a registration changes its node (Consul's `RegisterRequest.ChangesNode`): a new node, or other node fields. */
function changesNode(reg: Registration, stored: NodeRecord | undefined): boolean {
  if (!stored) return true;
  if (reg.skipNodeUpdate) return false;
  const { node } = reg;
  return (
    (node.ID !== '' && node.ID !== stored.ID) ||
    node.Address !== stored.Address ||
    !sameMap(node.TaggedAddresses, stored.TaggedAddresses) ||
    !sameMap(node.Meta, stored.Meta)
  );
}

function sameMap(a: Readonly<Record<string, string>> | null, b: Readonly<Record<string, string>> | null): boolean {
  const left = Object.entries(a ?? {}).sort();
  const right = Object.entries(b ?? {}).sort();
  return JSON.stringify(left) === JSON.stringify(right);
}

/**
 * The ACL checks of Consul's `vetRegisterWithACL`: `node:write` only when the request creates or changes the node
 * (so a service token may add its instance to an existing node); `service:write` on the service, on the
 * destination of a connect proxy (a proxy may ask for intentions of its destination), and on any other service the
 * request overwrites by ID; node checks need `node:write`, checks of another stored service `service:write` on it.
 */
function vetRegistration(ctx: EndpointContext, reg: Registration): void {
  // Without ACLs there is nothing to vet (a check of an unknown service then fails when it is inserted).
  if (!ctx.acl.enabled) return;
  const { authz } = ctx;
  const state = ctx.store.state;
  const { node, service, checks } = reg;
  if (changesNode(reg, state.nodes.get(node.Node))) authz.require('node', 'write', node.Node);
  if (service) {
    authz.require('service', 'write', service.Service);
    const destination = service.Proxy.DestinationServiceName;
    if (service.Kind === 'connect-proxy' && typeof destination === 'string') authz.require('service', 'write', destination);
    const overwritten = state.services.get(serviceKey(node.Node, service.ID));
    if (overwritten && overwritten.Service !== service.Service) authz.require('service', 'write', overwritten.Service);
  }
  for (const check of checks) {
    if (check.ServiceID === '') {
      authz.require('node', 'write', node.Node);
      continue;
    }
    if (service && service.ID === check.ServiceID) continue;
    const other = state.services.get(serviceKey(node.Node, check.ServiceID));
    if (!other) throw serverError(`Unknown service ID '${check.ServiceID}' for check ID '${check.CheckID}'`);
    authz.require('service', 'write', other.Service);
  }
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
  vetRegistration(ctx, reg);
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

/**
 * The ACL checks of Consul's `vetDeregisterWithAuthorizer`: `node:write` on the node allows any deregistration on
 * it (an agent whose service token is gone can still clean up); otherwise a service needs `service:write` on the
 * stored service's name, a check that of its service (or `node:write` for a node check), a whole node is refused.
 */
function vetDeregistration(ctx: EndpointContext, node: string, serviceId: string, checkId: string): void {
  const { authz } = ctx;
  if (authz.allowed('node', 'write', node)) return;
  const state = ctx.store.state;
  if (serviceId !== '') {
    const svc = state.services.get(serviceKey(node, serviceId));
    if (!svc) throw serverError(`Unknown service ID '${serviceId}' for node '${node}'`);
    authz.require('service', 'write', svc.Service);
    return;
  }
  if (checkId !== '') {
    const check = state.checks.get(checkKey(node, checkId));
    if (!check) throw serverError(`Unknown check ID '${checkId}' for node '${node}'`);
    if (check.ServiceID !== '') authz.require('service', 'write', check.ServiceName);
    else authz.require('node', 'write', node);
    return;
  }
  authz.require('node', 'write', node);
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
  vetDeregistration(ctx, node, serviceId, checkId);
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
      const names = aclFiltered([...tags.keys()].sort(), (name) => ctx.authz.allowed('service', 'read', name));
      for (const name of names.kept) body[name] = [...(tags.get(name) ?? [])].sort();
      return { index: state.indexes.services, response: { json: body, filteredByAcls: names.filtered } };
    },
  );
}

async function serviceNodes(ctx: EndpointContext): Promise<EndpointResponse | undefined> {
  const name = ctx.rest;
  if (name === '') throw badRequest('Missing service name');
  // `?peer=`: the instances a peer exports, as this datacenter imported them.
  const peer = peerOf(ctx);
  if (peer !== undefined) return importedServiceNodes(ctx, name, peer);
  const keep = queryFilter(ctx, SERVICE_NODE_SELECTORS);
  const nodeMatches = nodeMetaFilter(ctx.query);
  const tagMatches = tagFilter(ctx.query);
  return blockingQuery(
    ctx,
    (changes) => changes.has(`service:${name}`),
    (state) => {
      // Each entry needs service:read on the service and node:read on its node (Consul's filterServiceNodes).
      const readable = aclFiltered(
        [...state.services.values()].filter((s) => s.Service === name),
        (s) => ctx.authz.allowed('service', 'read', s.Service) && ctx.authz.allowed('node', 'read', s.Node),
      );
      const entries = readable.kept
        .filter((s) => tagMatches(s.Tags) && nodeMatches(state.nodes.get(s.Node)))
        .sort(byNodeThenId)
        .flatMap((svc) => {
          const node = state.nodes.get(svc.Node);
          return node ? [renderServiceNode(node, svc)] : [];
        })
        .filter(keep);
      return { index: serviceIndex(state, name), response: { json: entries, filteredByAcls: readable.filtered } };
    },
  );
}

async function listNodes(ctx: EndpointContext): Promise<EndpointResponse | undefined> {
  const keep = queryFilter(ctx, NODE_SELECTORS);
  const nodeMatches = nodeMetaFilter(ctx.query);
  return blockingQuery(
    ctx,
    (changes) => changes.has('nodes'),
    (state) => {
      const readable = aclFiltered([...state.nodes.values()], (n) => ctx.authz.allowed('node', 'read', n.Node));
      const nodes = readable.kept
        .filter((n) => nodeMatches(n))
        .sort((a, b) => (a.Node < b.Node ? -1 : 1))
        .map(renderNode)
        .filter(keep);
      return { index: state.indexes.nodes, response: { json: nodes, filteredByAcls: readable.filtered } };
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
    // A node the token cannot read is answered as a missing one; its services need service:read each
    // (Consul's filterNodeServices).
    const nodeReadable = ctx.authz.allowed('node', 'read', name);
    return blockingQuery(
      ctx,
      (changes) => changes.has(`node:${name}`),
      (state) => {
        const index = Math.max(state.indexes.nodes, state.indexes.services);
        const stored = state.nodes.get(name);
        const node = nodeReadable ? stored : undefined;
        const readable = aclFiltered(node ? committedNodeCatalog(state, name).services : [], (svc) => ctx.authz.allowed('service', 'read', svc.Service));
        const filteredByAcls = (stored !== undefined && !nodeReadable) || readable.filtered;
        const services = readable.kept
          .sort((a, b) => (a.ID < b.ID ? -1 : 1))
          .map(renderService)
          .filter(keep);
        if (shape === 'map') {
          // A missing node is answered `null` with 200, as Consul does.
          if (!node) return { index, response: { json: null, filteredByAcls } };
          const byId: Record<string, unknown> = {};
          for (const svc of services) byId[String(svc.ID)] = svc;
          return { index, response: { json: { Node: renderNode(node), Services: byId }, filteredByAcls } };
        }
        return {
          index,
          response: { json: { Node: node ? renderNode(node) : null, Services: node ? services : null }, filteredByAcls },
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
