import {
  field,
  isObject,
  readArray,
  readBool,
  readInt,
  readObject,
  readString,
  readStringList,
  readStringMap,
  type JsonObject,
} from './decode';
import { DecodeError } from './decode';
import { formatMultiError } from './errors';
import type { CheckInput, NodeInput, ServiceInput } from './store/catalog-ops';
import type { ServiceAddress } from './store/types';

/**
 * Decoding of catalog entities from request bodies (`/v1/catalog/register`, `/v1/txn`), with the defaults and
 * validation Consul applies before a registration reaches Raft (`servicePreApply`, `checkPreApply`,
 * `NodeService.Validate`).
 */

export function decodeNode(obj: JsonObject, structName: string, metaField: 'Meta' | 'NodeMeta'): NodeInput {
  return {
    ID: readString(obj, 'ID', structName),
    Node: readString(obj, 'Node', structName),
    Address: readString(obj, 'Address', structName),
    TaggedAddresses: readStringMap(obj, 'TaggedAddresses', structName),
    Meta: readStringMap(obj, metaField, structName),
  };
}

function decodeTaggedAddresses(obj: JsonObject, structName: string): Record<string, ServiceAddress> | null {
  const raw = readObject(obj, 'TaggedAddresses', structName, 'map[string]structs.ServiceAddress');
  if (!raw) return null;
  const out: Record<string, ServiceAddress> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (!isObject(value)) {
      throw new DecodeError(`json: cannot unmarshal ${typeof value} into Go value of type structs.ServiceAddress`);
    }
    out[name] = {
      Address: readString(value, 'Address', 'ServiceAddress'),
      Port: readInt(value, 'Port', 'ServiceAddress'),
    };
  }
  return out;
}

function decodeUpstream(raw: unknown): Record<string, unknown> {
  if (!isObject(raw)) throw new DecodeError('json: cannot unmarshal value into Go value of type structs.Upstream');
  const s = 'Upstream';
  const optional: Record<string, unknown> = {};
  for (const name of ['DestinationNamespace', 'DestinationPartition', 'DestinationPeer', 'LocalBindSocketPath']) {
    const value = readString(raw, name, s);
    if (value !== '') optional[name] = value;
  }
  const bindAddress = readString(raw, 'LocalBindAddress', s);
  const bindPort = readInt(raw, 'LocalBindPort', s);
  const config = readObject(raw, 'Config', s, 'map[string]interface {}');
  return {
    // Consul's Upstream JSON: DestinationType defaults to "service"; empty optional fields are omitted.
    DestinationType: readString(raw, 'DestinationType', s) || 'service',
    ...optional,
    DestinationName: readString(raw, 'DestinationName', s),
    Datacenter: readString(raw, 'Datacenter', s),
    ...(bindAddress !== '' ? { LocalBindAddress: bindAddress } : {}),
    ...(bindPort !== 0 ? { LocalBindPort: bindPort } : {}),
    ...(config ? { Config: config } : {}),
    MeshGateway: readObject(raw, 'MeshGateway', s, 'structs.MeshGatewayConfig') ?? {},
  };
}

/** `structs.ConnectProxyConfig` as Consul renders it: empty fields omitted, Mode/MeshGateway/Expose always there. */
function decodeProxy(obj: JsonObject, structName: string): Record<string, unknown> {
  const raw = readObject(obj, 'Proxy', structName, 'structs.ConnectProxyConfig') ?? {};
  const s = 'ConnectProxyConfig';
  const out: Record<string, unknown> = {};
  for (const name of ['DestinationServiceName', 'DestinationServiceID', 'LocalServiceAddress']) {
    const value = readString(raw, name, s);
    if (value !== '') out[name] = value;
  }
  const localPort = readInt(raw, 'LocalServicePort', s);
  if (localPort !== 0) out.LocalServicePort = localPort;
  out.Mode = readString(raw, 'Mode', s);
  const config = readObject(raw, 'Config', s, 'map[string]interface {}');
  if (config) out.Config = config;
  const upstreams = readArray(raw, 'Upstreams', s, 'structs.Upstreams');
  if (upstreams && upstreams.length > 0) out.Upstreams = upstreams.map(decodeUpstream);
  out.MeshGateway = readObject(raw, 'MeshGateway', s, 'structs.MeshGatewayConfig') ?? {};
  out.Expose = readObject(raw, 'Expose', s, 'structs.ExposeConfig') ?? {};
  return out;
}

/** A service as sent to `/v1/catalog/register` (`Service`) or `/v1/txn` (`Service.Service`). */
export function decodeService(obj: JsonObject, structName: string): ServiceInput {
  const weights = readObject(obj, 'Weights', structName, 'structs.Weights');
  return {
    Kind: readString(obj, 'Kind', structName),
    ID: readString(obj, 'ID', structName),
    Service: readString(obj, 'Service', structName),
    Tags: readStringList(obj, 'Tags', structName),
    Address: readString(obj, 'Address', structName),
    TaggedAddresses: decodeTaggedAddresses(obj, structName),
    Meta: readStringMap(obj, 'Meta', structName),
    Port: readInt(obj, 'Port', structName),
    Weights: weights
      ? { Passing: readInt(weights, 'Passing', 'Weights'), Warning: readInt(weights, 'Warning', 'Weights') }
      : null,
    EnableTagOverride: readBool(obj, 'EnableTagOverride', structName),
    Proxy: decodeProxy(obj, structName),
    Connect: readObject(obj, 'Connect', structName, 'structs.ServiceConnect') ?? {},
  };
}

/** A check; `Node` defaults to `defaultNode`, and the check type is derived from its definition (`checkPreApply`). */
export function decodeCheck(obj: JsonObject, structName: string, defaultNode: string): CheckInput {
  const definition = readObject(obj, 'Definition', structName, 'structs.HealthCheckDefinition') ?? {};
  const name = readString(obj, 'Name', structName);
  const checkId = readString(obj, 'CheckID', structName);
  let type = readString(obj, 'Type', structName);
  for (const [key, kind] of [
    ['HTTP', 'http'],
    ['TCP', 'tcp'],
    ['GRPC', 'grpc'],
    ['UDP', 'udp'],
  ] as const) {
    const value = field(definition, key);
    if (typeof value === 'string' && value !== '') {
      type = kind;
      break;
    }
  }
  return {
    Node: readString(obj, 'Node', structName) || defaultNode,
    // A check without an ID is named after its Name, as Consul's checkPreApply does.
    CheckID: checkId !== '' ? checkId : name,
    Name: name,
    Status: readString(obj, 'Status', structName),
    Notes: readString(obj, 'Notes', structName),
    Output: readString(obj, 'Output', structName),
    ServiceID: readString(obj, 'ServiceID', structName),
    Type: type,
    Definition: definition,
  };
}

const GATEWAY_KINDS = new Set(['mesh-gateway', 'terminating-gateway', 'ingress-gateway', 'api-gateway']);

/**
 * Consul's `NodeService.Validate` (the parts a connect-proxy or gateway registration can trip) followed by
 * `servicePreApply`: default the ID to the name, require a name with an ID, refuse a wildcard address.
 * Mutates `svc.ID`; returns the error text Consul answers, or undefined.
 */
export function preApplyService(svc: ServiceInput): string | undefined {
  const errors: string[] = [];
  const proxy = svc.Proxy;
  const upstreams = Array.isArray(proxy.Upstreams) ? (proxy.Upstreams as Record<string, unknown>[]) : [];
  if (svc.Kind === 'connect-proxy') {
    const destination = typeof proxy.DestinationServiceName === 'string' ? proxy.DestinationServiceName : '';
    if (destination.trim() === '') {
      errors.push('Proxy.DestinationServiceName must be non-empty for Connect proxy services');
    }
    if (svc.Port === 0) errors.push('Port or SocketPath must be set for a Connect proxy');
    const bindings = new Set<string>();
    for (const upstream of upstreams) {
      if (upstream.DestinationName === '') {
        errors.push('upstream destination name cannot be empty');
        continue;
      }
      if (upstream.LocalBindPort === undefined && upstream.LocalBindSocketPath === undefined) {
        errors.push('upstream local bind port or local socket path must be defined and nonzero');
        continue;
      }
      const addr =
        typeof upstream.LocalBindSocketPath === 'string'
          ? upstream.LocalBindSocketPath
          : `${typeof upstream.LocalBindAddress === 'string' ? upstream.LocalBindAddress : ''}:${String(upstream.LocalBindPort)}`;
      if (bindings.has(addr)) {
        errors.push(
          `upstreams cannot contain duplicates by local bind address and port or unix path; ${JSON.stringify(addr)} is specified twice`,
        );
      }
      bindings.add(addr);
    }
  }
  if (GATEWAY_KINDS.has(svc.Kind)) {
    if (svc.Port === 0 && svc.Kind !== 'ingress-gateway' && svc.Kind !== 'api-gateway') {
      errors.push(`Port must be non-zero for a ${svc.Kind}`);
    }
    if (typeof proxy.DestinationServiceName === 'string') {
      errors.push(`The Proxy.DestinationServiceName configuration is invalid for a ${svc.Kind}`);
    }
    if (upstreams.length > 0) errors.push(`The Proxy.Upstreams configuration is invalid for a ${svc.Kind}`);
  }
  if (errors.length > 0) return formatMultiError(errors);
  if (svc.ID === '' && svc.Service !== '') svc.ID = svc.Service;
  if (svc.ID !== '' && svc.Service === '') return 'Must provide service name (Service.Service) with ID (Service.ID)';
  if (svc.Address === '0.0.0.0' || svc.Address === '::' || svc.Address === '[::]') return 'Invalid service address';
  return undefined;
}
