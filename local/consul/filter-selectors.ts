/**
 * The selectors each filtered endpoint accepts, as the tables of Consul's API docs list them per endpoint.
 * go-bexpr checks selectors against the Go type of the result before reading anything, so an unknown field
 * is refused even when the answer would be empty. Raft indexes (`CreateIndex`, `ModifyIndex`) are not
 * filterable in Consul (`bexpr:"-"`) and are left out.
 */

/**
 * `value`: a scalar or list of scalars; `map`: any key, then a value (`Meta.version`, `Meta["task-arn"]`);
 * `any`: a nested structure taken as is (Proxy, Connect); `fields`: a struct; `each`: a list of structs, whose
 * fields select across every element (`Checks.Status`).
 */
export type FieldSchema = 'value' | 'map' | 'any' | { fields: Record<string, FieldSchema> } | { each: FieldSchema };

const WEIGHTS: FieldSchema = { fields: { Passing: 'value', Warning: 'value' } };

/** `structs.Node` (`/v1/catalog/nodes`, `Node.*` of a health entry). */
export const NODE_SELECTORS: FieldSchema = {
  fields: { ID: 'value', Node: 'value', Address: 'value', Datacenter: 'value', TaggedAddresses: 'map', Meta: 'map' },
};

/** `structs.NodeService` (`/v1/catalog/node-services/:node`, `/v1/catalog/node/:node`, `Service.*` of a health entry). */
export const NODE_SERVICE_SELECTORS: FieldSchema = {
  fields: {
    Kind: 'value',
    ID: 'value',
    Service: 'value',
    Tags: 'value',
    Address: 'value',
    TaggedAddresses: 'any',
    Meta: 'map',
    Port: 'value',
    Weights: WEIGHTS,
    EnableTagOverride: 'value',
    Proxy: 'any',
    Connect: 'any',
  },
};

/** `structs.ServiceNode` (`/v1/catalog/service/:name`). */
export const SERVICE_NODE_SELECTORS: FieldSchema = {
  fields: {
    ID: 'value',
    Node: 'value',
    Address: 'value',
    Datacenter: 'value',
    TaggedAddresses: 'map',
    NodeMeta: 'map',
    ServiceKind: 'value',
    ServiceID: 'value',
    ServiceName: 'value',
    ServiceTags: 'value',
    ServiceAddress: 'value',
    ServiceTaggedAddresses: 'any',
    ServiceWeights: WEIGHTS,
    ServiceMeta: 'map',
    ServicePort: 'value',
    ServiceEnableTagOverride: 'value',
    ServiceProxy: 'any',
    ServiceConnect: 'any',
  },
};

/** `structs.HealthCheck` (`/v1/health/checks/:service`, `/v1/health/node/:node`, `/v1/health/state/:state`). */
export const CHECK_SELECTORS: FieldSchema = {
  fields: {
    Node: 'value',
    CheckID: 'value',
    Name: 'value',
    Status: 'value',
    Notes: 'value',
    Output: 'value',
    ServiceID: 'value',
    ServiceName: 'value',
    ServiceTags: 'value',
    Type: 'value',
  },
};

/** `structs.CheckServiceNode` (`/v1/health/service/:name`). */
export const HEALTH_ENTRY_SELECTORS: FieldSchema = {
  fields: { Node: NODE_SELECTORS, Service: NODE_SERVICE_SELECTORS, Checks: { each: CHECK_SELECTORS } },
};
