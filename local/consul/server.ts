import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { AclResolver, Authorizer, type AclPolicy, type AclSettings, type SavedAcl } from './acl';
import { parseBlockingParams } from './blocking';
import { dataplaneAccess, type DataplaneAccess } from './dataplane-access';
import type { AgentIdentity, EndpointContext, EndpointResponse, Route } from './endpoint';
import { badRequest, ConsulHttpError, methodNotAllowed, serverError, tooLarge } from './errors';
import { Leadership, type QuorumSource, type RaftView } from './leadership';
import { writeEmpty, writeError, writeResponse } from './response';
import { matchRoute } from './router';
import { buildSnapshot, type CatalogSnapshot } from './snapshot';
import { loadConsulState, saveConsulState, type SavedConsulState } from './store/saved-state';
import { ConsulStore } from './store/store';
import { GossipKeyring } from './keyring';
import { PeeringService } from './peering/service';
import type { PeeringNetwork } from './peering/network';

/** What the local cloud's persistence saves of the emulator: its Raft state and its ACL policies and tokens. */
export interface ConsulSnapshot {
  readonly state: SavedConsulState;
  readonly acl: SavedAcl;
}

/** The Consul version the emulator claims in `/v1/agent/self`. */
export const EMULATED_CONSUL_VERSION = '1.20.2';

/** The part of the shared fault injector the Consul API consults on every request. */
export interface ConsulFaults {
  consulDown(now?: number): boolean;
}

export interface ConsulServerOptions {
  /** Default 8500 (Consul's HTTP port); 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** When `consulDown()` is true, connections are dropped as if no agent listened. */
  faults?: ConsulFaults;
  /** ACLs with `default_policy = "deny"`; off by default. */
  acl?: AclSettings;
  /** The running server tasks; without one the emulator is a single healthy server at 127.0.0.1:8300. */
  quorumSource?: QuorumSource;
  /** Default `dc1`. */
  datacenter?: string;
  /**
   * How long a server joining the existing datacenter takes to catch up and become a voter (leadership.ts);
   * default 0 (at once). Autopilot's server health reports it, and the server does not hold the state meanwhile.
   */
  serverCatchUpMs?: number;
  /** Default `consul-local`. */
  nodeName?: string;
  /**
   * The network this datacenter's peering streams run on: datacenters that share one can peer (local cloud with
   * a second region). Without one the server still answers the peering API, with nobody to dial.
   */
  peeringNetwork?: PeeringNetwork;
}

/** Request bodies beyond this are refused before any endpoint sees them. */
const MAX_BODY_BYTES = 8 * 1024 * 1024;

/** Endpoints that skip ACL resolution (`/v1/status/*` need no token in Consul). */
const UNRESTRICTED = new Authorizer('acl-disabled');

/** The token of a request: `?token=`, then `X-Consul-Token`, then `Authorization: Bearer` (Consul's order). */
function requestToken(req: IncomingMessage, query: URLSearchParams): string {
  const fromQuery = query.get('token');
  if (fromQuery) return fromQuery;
  const header = req.headers['x-consul-token'];
  if (typeof header === 'string' && header !== '') return header;
  const auth = req.headers.authorization ?? '';
  const [scheme, ...rest] = auth.split(' ');
  if (rest.length > 0 && scheme.toLowerCase() === 'bearer') return rest.join(' ').trim().split(' ')[0];
  return '';
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(tooLarge(`Request body too large, max size: ${MAX_BODY_BYTES} bytes.`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * The emulated Consul HTTP API: a node:http server over an in-memory, Raft-like store.
 *
 * @example
 * const consul = await startConsulServer({ port: 0 });
 * await fetch(`${consul.url}/v1/kv/app`, { method: 'PUT', body: 'v1' });
 * await consul.close();
 */
export class ConsulServer {
  private readonly store = new ConsulStore();
  /** The servers' gossip keyrings: a server task joins with the key ECS gave it (local/consul-acl.ts). */
  readonly keyring = new GossipKeyring();
  private readonly acl: AclResolver;
  private readonly leadership: Leadership;
  private readonly agent: AgentIdentity;
  private readonly http: Server;
  /** Cluster peering: tokens, establishment, the peerings and what they imported (local/consul/peering/). */
  readonly peering: PeeringService;
  private readonly sockets = new Set<Socket>();
  private listening?: AddressInfo;
  /** The revisions of the datacenters lost so far, so that {@link revision} never goes backwards. */
  private revisionBase = 0;

  constructor(private readonly options: ConsulServerOptions = {}) {
    this.acl = new AclResolver(options.acl ?? { enabled: false });
    this.leadership = new Leadership(options.quorumSource, () => this.bootstrapNewDatacenter(), options.serverCatchUpMs ?? 0);
    this.agent = {
      datacenter: options.datacenter ?? 'dc1',
      nodeName: options.nodeName ?? 'consul-local',
      nodeId: randomUUID(),
      version: EMULATED_CONSUL_VERSION,
    };
    this.peering = new PeeringService(
      {
        datacenter: this.agent.datacenter,
        state: () => this.store.state,
        raft: () => this.leadership.view(),
        down: () => this.isDown(),
        commit: (keys) => this.store.write((txn) => {
          txn.touch(...keys);
          return txn.index;
        }),
      },
      options.peeringNetwork,
    );
    this.http = createServer((req, res) => void this.handle(req, res));
    this.http.on('connection', (socket: Socket) => {
      // An agent that is down accepts nothing: the client sees a connection reset, not an HTTP answer. (A plain
      // close without RST can leave some clients waiting on a connection that never answers.)
      if (this.isDown()) {
        socket.resetAndDestroy();
        return;
      }
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  /** Start listening; resolves once the port is bound. */
  async listen(): Promise<this> {
    const port = this.options.port ?? 8500;
    const host = this.options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(port, host, () => {
        this.http.off('error', reject);
        resolve();
      });
    });
    this.listening = this.http.address() as AddressInfo;
    return this;
  }

  /** The bound port (after {@link listen}). */
  get port(): number {
    if (!this.listening) throw new Error('Consul emulator is not listening');
    return this.listening.port;
  }

  /** `http://host:port`, the base of every `/v1/...` URL. */
  get url(): string {
    return `http://${this.options.host ?? '127.0.0.1'}:${this.port}`;
  }

  /** Register an ACL token with a shorthand policy; returns its accessor ID. */
  addToken(secretId: string, policy: AclPolicy): string {
    return this.acl.addToken(secretId, policy);
  }

  /** The ACL policies and tokens (secrets included), for assertions in tests. */
  aclState(): SavedAcl {
    return this.acl.exportAcl();
  }

  /** Wire (or replace) the source of running server tasks. */
  setQuorumSource(source: QuorumSource | undefined): void {
    this.leadership.setSource(source);
  }

  /** The current Raft view (leader and peers). */
  raft(): RaftView {
    return this.leadership.view();
  }

  /**
   * Looks at the running server tasks now (leadership.ts): the local cloud calls it on every change of a server
   * task, so that who holds the state follows each step of a roll, not only the moments a request arrives.
   */
  observeServers(): RaftView {
    return this.leadership.observe();
  }

  /** How many times every server holding the state was lost and a new, empty datacenter bootstrapped. */
  datacentersLost(): number {
    return this.leadership.datacentersLost;
  }

  /** Raft writes so far: each register, deregister, txn, KV write/delete and config write/delete counts one. */
  writeCount(): number {
    return this.store.writeCount;
  }

  /** The last Raft index. */
  lastIndex(): number {
    return this.store.lastIndex;
  }

  /** Blocking queries currently held, waiting for a change (lets tests act once a watch is parked). */
  heldQueries(): number {
    return this.store.heldCount;
  }

  /**
   * Grows with every Raft write and every ACL token added: the local cloud's persistence polls it to know when to
   * save.
   */
  get revision(): number {
    return this.revisionBase + this.store.lastIndex + this.acl.revision;
  }

  /** The Raft state (catalog, KV, config entries, indexes) and ACL policies and tokens as plain data. */
  exportSnapshot(): ConsulSnapshot {
    return { state: saveConsulState(this.store.state, this.store.lastIndex), acl: this.acl.exportAcl() };
  }

  /** Replaces the state with a saved one, as a server restarting from its data directory; call before serving. */
  importSnapshot(snapshot: ConsulSnapshot): void {
    this.store.restore(loadConsulState(snapshot.state), snapshot.state.index);
    this.acl.importAcl(snapshot.acl);
  }

  /**
   * The servers that held the state are gone and new ones formed a quorum: a new datacenter starts with empty data
   * directories. Catalog, KV, config entries, ACL policies and tokens, peerings are gone; what the servers' configuration
   * carries (the initial management token) is there again; the Raft index starts over.
   */
  private bootstrapNewDatacenter(): void {
    this.revisionBase += this.store.lastIndex + 1;
    this.store.reset();
    this.acl.reset();
    this.peering.reset();
  }

  /**
   * What the servers' gRPC side answers a consul-dataplane logging in with `secret` for proxy `proxyId` on `node`
   * (dataplane-access.ts): the local cloud's dataplane stand-in waits on it before its Envoy counts as ready.
   */
  dataplaneAccess(secret: string, node: string, proxyId: string): DataplaneAccess {
    return dataplaneAccess(this.acl, this.store.state, secret, node, proxyId);
  }

  /** A read-only copy of everything the emulator holds, for assertions in tests. */
  catalog(): CatalogSnapshot {
    return buildSnapshot(this.store);
  }

  /** Answer held blocking queries, drop every connection and stop listening. */
  async close(): Promise<void> {
    this.peering.close();
    this.store.close();
    // Let the woken queries write their answers before connections go.
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise<void>((resolve) => {
      if (!this.http.listening) return resolve();
      this.http.close(() => resolve());
      this.http.closeAllConnections();
    });
  }

  private isDown(): boolean {
    return this.options.faults?.consulDown() ?? false;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.isDown()) {
      req.socket.resetAndDestroy();
      return;
    }
    const abort = new AbortController();
    res.on('close', () => {
      if (!res.writableEnded) abort.abort();
    });
    const rawUrl = req.url ?? '/';
    const cut = rawUrl.indexOf('?');
    const query = new URLSearchParams(cut === -1 ? '' : rawUrl.slice(cut + 1));
    try {
      let path: string;
      try {
        path = decodeURIComponent(cut === -1 ? rawUrl : rawUrl.slice(0, cut));
      } catch {
        throw badRequest('invalid URL escape');
      }
      const match = matchRoute(path);
      if (!match) return writeEmpty(res, 404);
      if ('redirect' in match) return writeEmpty(res, 301, { Location: match.redirect });
      const { route, rest } = match;
      if (req.method === 'OPTIONS') return writeEmpty(res, 200, { Allow: ['OPTIONS', ...route.methods].join(',') });
      if (!route.methods.includes(req.method ?? '')) throw methodNotAllowed(req.method ?? '', route.methods);
      const response = await this.dispatch(req, route, path, rest, query, abort.signal);
      if (response === undefined || abort.signal.aborted) return;
      // A write or a held query that finishes while the agent is down never reaches the client.
      if (this.isDown()) {
        req.socket.resetAndDestroy();
        return;
      }
      const raft = this.leadership.view();
      const stale = query.has('stale');
      writeResponse(
        res,
        response,
        { knownLeader: raft.leader !== undefined, consistency: stale ? 'stale' : 'leader' },
        query.has('pretty'),
      );
    } catch (err) {
      if (res.headersSent || abort.signal.aborted) return;
      // Anything unexpected is answered as Consul answers untyped errors: 500 with the message.
      writeError(res, err instanceof ConsulHttpError ? err : serverError((err as Error).message));
    }
  }

  private async dispatch(
    req: IncomingMessage,
    route: Route,
    path: string,
    rest: string,
    query: URLSearchParams,
    signal: AbortSignal,
  ): Promise<EndpointResponse | undefined> {
    const dc = query.get('dc');
    if (route.leader !== 'none' && dc && dc !== this.agent.datacenter) throw serverError('No path to datacenter');
    const stale = query.has('stale');
    if (stale && query.has('consistent')) {
      throw badRequest('Cannot specify ?stale with ?consistent, conflicting semantics.');
    }
    const blocking = parseBlockingParams(query);
    const raft = this.leadership.view();
    const isWrite = req.method !== 'GET';
    const needsLeader = route.leader === 'write' || (route.leader === 'read' && (isWrite || !stale));
    // Without a quorum nothing can be committed, and default-consistency reads are refused too.
    if (needsLeader && raft.leader === undefined) throw serverError('No cluster leader');
    const secret = requestToken(req, query);
    const authz = route.acl === false ? UNRESTRICTED : this.acl.resolve(secret);
    let body: Promise<Buffer> | undefined;
    const ctx: EndpointContext = {
      method: req.method ?? 'GET',
      path,
      rest,
      query,
      store: this.store,
      authz,
      acl: this.acl,
      secret,
      agent: this.agent,
      raft,
      keyring: this.keyring,
      peering: this.peering,
      blocking,
      stale,
      signal,
      body: () => (body ??= readBody(req)),
      has: (name) => query.has(name),
    };
    return route.handler(ctx);
  }
}

/** Create and start an emulator; the usual entry point. */
export async function startConsulServer(options: ConsulServerOptions = {}): Promise<ConsulServer> {
  return new ConsulServer(options).listen();
}
