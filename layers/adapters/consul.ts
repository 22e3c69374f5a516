import type { TxnOp } from '../domain/registration/txn';
import { ConsulAclDeniedError, ConsulRequestRejectedError, ConsulUnavailableError } from '../errors';

/**
 * A narrow Consul HTTP API client: only the calls the orchestrator makes.
 *
 * Written on `fetch` rather than the npm `consul` package because that package has no config-entry API
 * (`/v1/config`) and reports every failure as one generic error, while the state machines and the async event
 * retries depend on telling "Consul is down" (`ConsulUnavailable`, retried) from "the token is refused"
 * (`ConsulAclDenied`). The npm client is used in the end-to-end tests to prove the local Consul faithful.
 */
export interface ConsulApi {
  leader(): Promise<string>;
  peers(): Promise<string[]>;
  /** `PUT /v1/txn`: the operations are applied all or none; a guard that does not hold rolls them back (`ok: false`). */
  txn(ops: readonly TxnOp[]): Promise<TxnResult>;
  /**
   * The services of one node. `filter` (a Consul filter expression over `structs.NodeService` selectors, e.g.
   * `ID == "web-1"`) is evaluated by the Consul servers, so only the matching services travel.
   */
  nodeServices(node: string, opts?: { filter?: string }): Promise<NodeServices | undefined>;
  healthService(name: string, opts?: { passing?: boolean }): Promise<HealthEntry[]>;
  healthChecks(name: string): Promise<HealthCheck[]>;
  putConfigEntry(entry: { Kind: string; Name: string }): Promise<void>;
  getConfigEntry(kind: string, name: string): Promise<Record<string, unknown> | undefined>;
  /** `DELETE /v1/config/:kind/:name`; deleting an entry that does not exist succeeds (Consul answers `{}`). */
  deleteConfigEntry(kind: string, name: string): Promise<void>;
  /**
   * `PUT /v1/catalog/deregister`: one service of a node (`serviceId`), or the whole node with its services and
   * checks. Deregistering what is not there succeeds.
   */
  catalogDeregister(node: string, serviceId?: string): Promise<void>;
  /** Deletes every KV entry under a prefix (`DELETE /v1/kv/:prefix?recurse`); none there → nothing happens. */
  kvDeleteTree(prefix: string): Promise<void>;
  kvGet(key: string): Promise<{ value: string; modifyIndex: number } | undefined>;
  kvPut(key: string, value: string, opts?: { cas?: number }): Promise<boolean>;
  kvDelete(key: string, opts?: { cas?: number }): Promise<boolean>;
  /** Every KV entry under a prefix (`?recurse`), values decoded; none → []. */
  kvList(prefix: string): Promise<KvEntry[]>;
  /** The names of the catalog's nodes whose NodeMeta has `key` = `value` (`/v1/catalog/nodes?node-meta=key:value`). */
  nodesByMeta(key: string, value: string): Promise<string[]>;
  /** The checks registered on one node (`/v1/health/node/:node`); an unknown node has none. */
  nodeChecks(node: string): Promise<HealthCheck[]>;
  /** A cluster peering by its local name (`GET /v1/peering/<name>`; peering:read), or undefined when there is none. */
  readPeering(name: string): Promise<PeeringStatus | undefined>;
  /** Every cluster peering of the datacenter (`GET /v1/peerings`; peering:read). */
  listPeerings(): Promise<PeeringStatus[]>;
  /** Deletes a cluster peering (`DELETE /v1/peering/<name>`; peering:write); one that does not exist is no error. */
  deletePeering(name: string): Promise<void>;
}

/** What `/v1/peering/<name>` says of a peering (Consul 1.15+ adds `StreamStatus`). */
export interface PeeringStatus {
  Name: string;
  State: string;
  /** What its creator recorded with it (`consul-mesh:mesh`: made by that mesh's orchestrator). */
  Meta?: Record<string, string> | null;
  StreamStatus?: { ImportedServices?: string[] | null; ExportedServices?: string[] | null; LastHeartbeat?: string | null };
}

export interface KvEntry {
  key: string;
  value: string;
  modifyIndex: number;
}

export interface TxnResult {
  ok: boolean;
  errors: Array<{ OpIndex: number; What: string }>;
}

/**
 * A service entry as the catalog answers it (`/v1/catalog/node-services`, `/v1/health/service`): the read shape,
 * with Consul's indexes and `null` for empty lists. What the orchestrator writes is the registration model's
 * `ServiceRegistration` (domain/registration).
 */
export interface CatalogServiceEntry {
  ID: string;
  Service: string;
  Kind?: string;
  Address: string;
  Port: number;
  Tags?: string[] | null;
  Meta?: Record<string, string> | null;
  Proxy?: Record<string, unknown>;
  /** A gateway's `lan` and `wan` addresses (a mesh gateway's `wan` one is what peers dial). */
  TaggedAddresses?: Record<string, { Address: string; Port: number }> | null;
  /** The Raft index of the entry's last change: what a `cas` operation compares against. */
  ModifyIndex?: number;
}

export interface NodeServices {
  Node: { Node: string; Address: string; Meta?: Record<string, string> | null };
  Services: CatalogServiceEntry[];
}

export interface HealthCheck {
  CheckID: string;
  Name: string;
  Status: 'passing' | 'warning' | 'critical';
  ServiceID: string;
  ServiceName: string;
  Output?: string;
  Node: string;
}

export interface HealthEntry {
  Node: { Node: string; Address: string };
  Service: CatalogServiceEntry;
  Checks: HealthCheck[];
}

export interface ConsulClientOptions {
  /** Base URL such as `http://127.0.0.1:8500`. */
  address: string;
  /** ACL token sent as `X-Consul-Token`; never logged. */
  token?: string;
  /** Per-request timeout; a hung Consul must not eat the Lambda's whole budget. */
  timeoutMs?: number;
  fetchImpl?: typeof fetch;
}

/** One HTTP call to Consul; `okStatuses` are answered rather than thrown. */
export type ConsulCall = (method: string, path: string, body?: unknown, okStatuses?: number[]) => Promise<Response>;

/**
 * The request function every Consul client here shares: the token header, the timeout, and the mapping of failures
 * onto the named errors the state machines match (ConsulUnavailable, ConsulAclDenied, ConsulRequestRejected).
 */
export function createConsulCall(options: ConsulClientOptions): ConsulCall {
  const base = options.address.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 5000;
  const doFetch = options.fetchImpl ?? fetch;

  return async (method, path, body, okStatuses = []) => {
    const headers: Record<string, string> = {};
    if (options.token) headers['X-Consul-Token'] = options.token;
    // KV values and snapshot archives travel raw; everything else as JSON.
    const raw = typeof body === 'string' || body instanceof Uint8Array;
    if (body !== undefined) headers['Content-Type'] = raw ? 'application/octet-stream' : 'application/json';
    let response: Response;
    try {
      response = await doFetch(`${base}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : typeof body === 'string' ? body : body instanceof Uint8Array ? new Uint8Array(body) : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new ConsulUnavailableError(`Consul at ${base} is unreachable (${method} ${path})`, { cause: error });
    }
    if (response.ok || okStatuses.includes(response.status)) return response;
    const text = await response.text().catch(() => '');
    if (response.status === 403 || response.status === 401) {
      throw new ConsulAclDeniedError(`Consul refused the ACL token for ${method} ${path}: ${text.trim() || response.status}`);
    }
    if (response.status >= 500 || response.status === 429) {
      throw new ConsulUnavailableError(`Consul answered ${response.status} to ${method} ${path}: ${text.trim()}`);
    }
    // A 4xx other than ACL is a bug in what we sent: surface it with Consul's own words.
    throw new ConsulRequestRejectedError(`Consul rejected ${method} ${path} with ${response.status}: ${text.trim()}`);
  };
}

/** Builds the client. @example const consul = createConsulClient({ address: config.CONSUL_HTTP_ADDR, token }); */
export function createConsulClient(options: ConsulClientOptions): ConsulApi {
  const call = createConsulCall(options);
  const json = async <T>(r: Response): Promise<T> => (await r.json()) as T;

  return {
    async leader() {
      return json<string>(await call('GET', '/v1/status/leader'));
    },
    async peers() {
      return json<string[]>(await call('GET', '/v1/status/peers'));
    },
    async txn(ops) {
      // 409 means the transaction was rolled back; its body lists the failing operations.
      const r = await call('PUT', '/v1/txn', ops, [409]);
      const body = await json<{ Errors?: TxnResult['errors'] | null }>(r);
      return { ok: r.status === 200, errors: body.Errors ?? [] };
    },
    async nodeServices(node, opts) {
      const q = opts?.filter ? `?filter=${encodeURIComponent(opts.filter)}` : '';
      const r = await call('GET', `/v1/catalog/node-services/${encodeURIComponent(node)}${q}`, undefined, [404]);
      if (r.status === 404) return undefined;
      const body = await json<NodeServices | null>(r);
      return body ?? undefined;
    },
    async healthService(name, opts) {
      const q = opts?.passing ? '?passing=true' : '';
      return json<HealthEntry[]>(await call('GET', `/v1/health/service/${encodeURIComponent(name)}${q}`));
    },
    async healthChecks(name) {
      return json<HealthCheck[]>(await call('GET', `/v1/health/checks/${encodeURIComponent(name)}`));
    },
    async putConfigEntry(entry) {
      await call('PUT', '/v1/config', entry);
    },
    async getConfigEntry(kind, name) {
      const r = await call('GET', `/v1/config/${encodeURIComponent(kind)}/${encodeURIComponent(name)}`, undefined, [404]);
      return r.status === 404 ? undefined : json<Record<string, unknown>>(r);
    },
    async nodesByMeta(key, value) {
      const r = await call('GET', `/v1/catalog/nodes?node-meta=${encodeURIComponent(`${key}:${value}`)}`);
      return (await json<Array<{ Node: string }>>(r)).map((n) => n.Node);
    },
    async deleteConfigEntry(kind, name) {
      await call('DELETE', `/v1/config/${encodeURIComponent(kind)}/${encodeURIComponent(name)}`);
    },
    async catalogDeregister(node, serviceId) {
      await call('PUT', '/v1/catalog/deregister', serviceId === undefined ? { Node: node } : { Node: node, ServiceID: serviceId });
    },
    async kvDeleteTree(prefix) {
      await call('DELETE', `/v1/kv/${prefix.replace(/^\/+/, '')}?recurse`);
    },
    async kvGet(key) {
      const r = await call('GET', `/v1/kv/${key.replace(/^\/+/, '')}`, undefined, [404]);
      if (r.status === 404) return undefined;
      const [entry] = await json<Array<{ Value: string | null; ModifyIndex: number }>>(r);
      return { value: entry.Value ? Buffer.from(entry.Value, 'base64').toString('utf8') : '', modifyIndex: entry.ModifyIndex };
    },
    async kvPut(key, value, opts) {
      const q = opts?.cas !== undefined ? `?cas=${opts.cas}` : '';
      const r = await call('PUT', `/v1/kv/${key.replace(/^\/+/, '')}${q}`, value);
      return json<boolean>(r);
    },
    async kvDelete(key, opts) {
      const q = opts?.cas !== undefined ? `?cas=${opts.cas}` : '';
      return json<boolean>(await call('DELETE', `/v1/kv/${key.replace(/^\/+/, '')}${q}`));
    },
    async kvList(prefix) {
      const r = await call('GET', `/v1/kv/${prefix.replace(/^\/+/, '')}?recurse`, undefined, [404]);
      if (r.status === 404) return [];
      const entries = await json<Array<{ Key: string; Value: string | null; ModifyIndex: number }>>(r);
      return entries.map((e) => ({ key: e.Key, value: e.Value ? Buffer.from(e.Value, 'base64').toString('utf8') : '', modifyIndex: e.ModifyIndex }));
    },
    async nodeChecks(node) {
      return json<HealthCheck[]>(await call('GET', `/v1/health/node/${encodeURIComponent(node)}`));
    },
    async readPeering(name) {
      const r = await call('GET', `/v1/peering/${encodeURIComponent(name)}`, undefined, [404]);
      return r.status === 404 ? undefined : json<PeeringStatus>(r);
    },
    async deletePeering(name) {
      await call('DELETE', `/v1/peering/${encodeURIComponent(name)}`, undefined, [404]);
    },
    async listPeerings() {
      return (await json<PeeringStatus[] | null>(await call('GET', '/v1/peerings'))) ?? [];
    },
  };
}
