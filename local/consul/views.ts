import type { CheckRecord, ConfigEntryRecord, ConsulState, KvRecord, NodeRecord, ServiceRecord } from './store/types';

/**
 * JSON shapes of Consul's answers (`structs.Node`, `structs.NodeService`, `structs.ServiceNode`,
 * `structs.HealthCheck`, `structs.DirEntry`), field for field, so clients decoding them see what a real agent
 * sends. Nil tag lists are answered as `[]`, as the HTTP layer of Consul fixes them up.
 */

export function renderNode(node: NodeRecord): Record<string, unknown> {
  return {
    ID: node.ID,
    Node: node.Node,
    Address: node.Address,
    Datacenter: node.Datacenter,
    TaggedAddresses: node.TaggedAddresses,
    Meta: node.Meta ?? {},
    CreateIndex: node.CreateIndex,
    ModifyIndex: node.ModifyIndex,
  };
}

/** `structs.NodeService`: `Kind` and `TaggedAddresses` are omitted when empty (`omitempty`). */
export function renderService(svc: ServiceRecord): Record<string, unknown> {
  return {
    ...(svc.Kind !== '' ? { Kind: svc.Kind } : {}),
    ID: svc.ID,
    Service: svc.Service,
    Tags: svc.Tags ?? [],
    Address: svc.Address,
    ...(svc.TaggedAddresses ? { TaggedAddresses: svc.TaggedAddresses } : {}),
    Meta: svc.Meta ?? {},
    Port: svc.Port,
    Weights: svc.Weights,
    EnableTagOverride: svc.EnableTagOverride,
    Proxy: svc.Proxy,
    Connect: svc.Connect,
    CreateIndex: svc.CreateIndex,
    ModifyIndex: svc.ModifyIndex,
  };
}

/** `structs.ServiceNode`, the element of `/v1/catalog/service/:name`; indexes are those of the service. */
export function renderServiceNode(node: NodeRecord, svc: ServiceRecord): Record<string, unknown> {
  return {
    ID: node.ID,
    Node: node.Node,
    Address: node.Address,
    Datacenter: node.Datacenter,
    TaggedAddresses: node.TaggedAddresses,
    NodeMeta: node.Meta ?? {},
    ServiceKind: svc.Kind,
    ServiceID: svc.ID,
    ServiceName: svc.Service,
    ServiceTags: svc.Tags ?? [],
    ServiceAddress: svc.Address,
    ...(svc.TaggedAddresses ? { ServiceTaggedAddresses: svc.TaggedAddresses } : {}),
    ServiceWeights: svc.Weights,
    ServiceMeta: svc.Meta ?? {},
    ServicePort: svc.Port,
    ServiceEnableTagOverride: svc.EnableTagOverride,
    ServiceProxy: svc.Proxy,
    ServiceConnect: svc.Connect,
    CreateIndex: svc.CreateIndex,
    ModifyIndex: svc.ModifyIndex,
  };
}

/** `structs.HealthCheck`; Interval/Timeout mirror the definition's, as Consul copies them up. */
export function renderCheck(check: CheckRecord): Record<string, unknown> {
  const def = check.Definition;
  return {
    Node: check.Node,
    CheckID: check.CheckID,
    Name: check.Name,
    Status: check.Status,
    Notes: check.Notes,
    Output: check.Output,
    ServiceID: check.ServiceID,
    ServiceName: check.ServiceName,
    ServiceTags: check.ServiceTags,
    Type: check.Type,
    Interval: typeof def.Interval === 'string' ? def.Interval : '',
    Timeout: typeof def.Timeout === 'string' ? def.Timeout : '',
    ExposedPort: 0,
    Definition: def,
    CreateIndex: check.CreateIndex,
    ModifyIndex: check.ModifyIndex,
  };
}

/** `structs.DirEntry`; the value travels base64-encoded (Go's `[]byte`), `Session` only when the key is locked. */
export function renderKv(entry: KvRecord, withValue = true): Record<string, unknown> {
  return {
    LockIndex: entry.LockIndex,
    Key: entry.Key,
    Flags: entry.Flags,
    Value: withValue && entry.Value ? entry.Value.toString('base64') : null,
    ...(entry.Session !== '' ? { Session: entry.Session } : {}),
    CreateIndex: entry.CreateIndex,
    ModifyIndex: entry.ModifyIndex,
  };
}

export function renderConfigEntry(entry: ConfigEntryRecord): Record<string, unknown> {
  const { Kind: _k, Name: _n, CreateIndex: _c, ModifyIndex: _m, ...rest } = entry.Body;
  return { Kind: entry.Kind, Name: entry.Name, ...rest, CreateIndex: entry.CreateIndex, ModifyIndex: entry.ModifyIndex };
}

/** Node checks first, then the service's own checks, each by CheckID: the `Checks` of a health entry. */
export function checksForInstance(state: ConsulState, svc: ServiceRecord): CheckRecord[] {
  const all = [...state.checks.values()].filter(
    (c) => c.Node === svc.Node && (c.ServiceID === '' || c.ServiceID === svc.ID),
  );
  const byId = (a: CheckRecord, b: CheckRecord): number => (a.CheckID < b.CheckID ? -1 : a.CheckID > b.CheckID ? 1 : 0);
  return [...all.filter((c) => c.ServiceID === '').sort(byId), ...all.filter((c) => c.ServiceID !== '').sort(byId)];
}

/** `structs.CheckServiceNode`: one element of `/v1/health/service/:name`. */
export function renderHealthEntry(state: ConsulState, svc: ServiceRecord): Record<string, unknown> {
  const node = state.nodes.get(svc.Node);
  return {
    Node: node ? renderNode(node) : null,
    Service: renderService(svc),
    Checks: checksForInstance(state, svc).map(renderCheck),
  };
}
