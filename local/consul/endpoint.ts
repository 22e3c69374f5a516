import type { AclResolver, Authorizer } from './acl';
import type { RaftView } from './leadership';
import type { ConsulStore } from './store/store';
import type { GossipKeyring } from './keyring';
import type { PeeringService } from './peering/service';

/** How a held blocking query was asked for: `?index=` and `?wait=`. */
export interface BlockingParams {
  /** 0 when the request does not block. */
  readonly minIndex: number;
  readonly waitMs: number;
}

/** Facts about the emulated agent that answers. */
export interface AgentIdentity {
  readonly datacenter: string;
  readonly nodeName: string;
  readonly nodeId: string;
  readonly version: string;
}

/** Everything an endpoint handler may use about one request. */
export interface EndpointContext {
  readonly method: string;
  /** The decoded path, e.g. `/v1/kv/app/config`. */
  readonly path: string;
  /** What follows the route's prefix for subtree routes (`app/config` for `/v1/kv/`), else "". */
  readonly rest: string;
  readonly query: URLSearchParams;
  readonly store: ConsulStore;
  readonly authz: Authorizer;
  /** The ACL tables (policies, tokens), for the `/v1/acl/*` endpoints. */
  readonly acl: AclResolver;
  /** The request's token secret ("" when none was sent); only `/v1/acl/token/self` looks at it. */
  readonly secret: string;
  readonly agent: AgentIdentity;
  readonly raft: RaftView;
  /** The servers' gossip keyrings, for `/v1/operator/keyring`. */
  readonly keyring: GossipKeyring;
  /** This datacenter's cluster peerings (`/v1/peering/*`, `?peer=` reads). */
  readonly peering?: PeeringService;
  readonly blocking: BlockingParams;
  /** `?stale`: any server may answer, even without a leader. */
  readonly stale: boolean;
  /** Aborts when the client goes away, so held queries can be dropped. */
  readonly signal: AbortSignal;
  /** The raw request body. */
  body(): Promise<Buffer>;
  /** True when the query string carries `name`, with or without a value (Go's `params[name]` presence test). */
  has(name: string): boolean;
}

/** What a handler answers. */
export interface EndpointResponse {
  /** Defaults to 200. */
  readonly status?: number;
  /** A JSON body; omitted when undefined (e.g. a 404 on a missing KV key). */
  readonly json?: unknown;
  /** A non-JSON body (e.g. `?raw` KV reads) with its headers. */
  readonly raw?: { readonly body: Buffer; readonly headers: Readonly<Record<string, string>> };
  /** Present on reads: adds X-Consul-Index, X-Consul-KnownLeader and X-Consul-LastContact. */
  readonly index?: number;
  /** The token could not read some results, which were left out: adds `X-Consul-Results-Filtered-By-ACLs: true`. */
  readonly filteredByAcls?: boolean;
}

/** A handler; `undefined` means the client left while its query was held, so nothing is written. */
export type EndpointHandler = (ctx: EndpointContext) => Promise<EndpointResponse | undefined>;

/** What a route needs from the cluster before its handler runs. */
export type LeaderRequirement = 'none' | 'read' | 'write';

export interface Route {
  /** An exact path, or a subtree when it ends with `/` (Go `ServeMux` semantics, as Consul registers them). */
  readonly pattern: string;
  readonly methods: readonly string[];
  readonly handler: EndpointHandler;
  /**
   * `read`: a GET needs a leader unless `?stale`, other methods always do; `write`: always; `none`: answered by
   * any agent, leader or not.
   */
  readonly leader: LeaderRequirement;
  /** False for endpoints Consul serves without ACL checks (`/v1/status/*`). */
  readonly acl?: boolean;
}
