import { randomUUID } from 'node:crypto';
import type { Authorizer } from '../acl';
import { badRequest, formatMultiError, serverError } from '../errors';
import type { RaftView } from '../leadership';
import { configKey, type ConsulState, type ServiceRecord } from '../store/types';
import { checksForInstance, renderNode, renderService, renderServiceNode } from '../views';
import { PeeringNetwork } from './network';
import { decodePeeringToken, encodePeeringToken } from './token';

/**
 * One datacenter's side of Consul cluster peering (Consul 1.14+): the peerings its servers keep, the token an
 * acceptor generates, the secret exchange a dialer makes with it, and the services each side exports to the other.
 *
 * What Consul's servers do over their gRPC peering stream the {@link PeeringNetwork} does for every pair of peered
 * datacenters in this process: it connects the two ends while both sides can reach each other, replicates exported
 * services and their health, and carries the termination of a deleted peering.
 */

export type PeeringState = 'PENDING' | 'ESTABLISHING' | 'ACTIVE' | 'FAILING' | 'DELETING' | 'TERMINATED';

/** The gRPC TLS port Consul servers accept peering on (`ports.grpc_tls`, 8503 by default since 1.14). */
export const PEERING_GRPC_TLS_PORT = 8503;

/** An instance of a service the peer exports, as replicated (`structs.CheckServiceNode` with `PeerName`). */
export interface ImportedInstance {
  readonly node: Record<string, unknown>;
  readonly service: Record<string, unknown>;
  readonly serviceNode: Record<string, unknown>;
  /** The exporter's checks flattened into one, as Consul's replication sends them. */
  readonly status: string;
  readonly serviceId: string;
  /** The service name of the flattened check (the synthetic proxy's own name for a connect endpoint). */
  readonly serviceName: string;
}

/** A peering as a server stores it (`pbpeering.Peering`) plus the stream's status (`peerstream.Tracker`). */
export interface PeeringRecord {
  readonly ID: string;
  readonly Name: string;
  /** acceptor: created by generate-token, dialed by the peer; dialer: created by establish. */
  readonly role: 'acceptor' | 'dialer';
  State: PeeringState;
  Meta?: Record<string, string>;
  PeerID?: string;
  PeerServerName?: string;
  PeerServerAddresses?: string[];
  Remote: { Partition: string; Datacenter: string };
  DeletedAt?: string;
  /** The acceptor's pending establishment secret (one per generated token). */
  establishmentSecret?: string;
  /** The long-lived stream secret both sides hold after the exchange. */
  streamSecret?: string;
  everConnected: boolean;
  connected: boolean;
  lastHeartbeat?: string;
  lastReceive?: string;
  lastSend?: string;
  imported: ReadonlyMap<string, readonly ImportedInstance[]>;
  /** Per imported service, the synthetic sidecar proxies that lead to it through the peer's mesh gateways. */
  importedConnect: ReadonlyMap<string, readonly ImportedInstance[]>;
  exported: readonly string[];
  CreateIndex: number;
  ModifyIndex: number;
}

/**
 * The peerings as a Raft snapshot holds them (Consul's FSM persists the peering, peering-secrets and trust-bundle
 * tables, and the CA configuration that names the cluster's trust domain): every record with its secrets and what it
 * imported (the imported services are catalog entries with a `PeerName` in Consul), but not the stream's state.
 */
export interface SavedPeerings {
  readonly clusterId: string;
  readonly externalAddresses: readonly string[];
  readonly records: ReadonlyArray<
    Omit<PeeringRecord, 'imported' | 'importedConnect' | 'connected' | 'lastHeartbeat' | 'lastReceive' | 'lastSend'> & {
      readonly imported: Array<[string, readonly ImportedInstance[]]>;
      readonly importedConnect: Array<[string, readonly ImportedInstance[]]>;
    }
  >;
}

/** What the peering side needs from its Consul server. */
export interface PeeringHost {
  readonly datacenter: string;
  state(): ConsulState;
  raft(): RaftView;
  /** The agent is down (fault injection): it neither dials nor answers. */
  down(): boolean;
  /** One Raft write touching `keys` (blocking queries on them wake); returns its index. */
  commit(keys: readonly string[]): number;
}

/** Go's dns.ValidateLabel: a DNS hostname label. */
const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;

function validatePeerName(name: string): void {
  if (!DNS_LABEL.test(name)) {
    throw serverError(`${name} is not a valid peer name: a valid DNS label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character`);
  }
}

function readStringMap(value: unknown, field: string): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value) || Object.values(value).some((v) => typeof v !== 'string')) {
    throw badRequest(`Body decoding failed: json: cannot unmarshal value into Go struct field .${field} of type map[string]string`);
  }
  return value as Record<string, string>;
}

function readString(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw badRequest(`Body decoding failed: json: cannot unmarshal ${typeof value} into Go struct field .${field} of type string`);
  return value;
}

/** Consul's worst-status order for flattened checks: maintenance, critical, warning, passing. */
const STATUS_SCORE: Readonly<Record<string, number>> = { maintenance: 1, critical: 2, warning: 3, passing: 4 };

export class PeeringService {
  private readonly peerings = new Map<string, PeeringRecord>();
  /** The cluster's trust domain id, part of the server name peers verify (`server.<dc>.peering.<id>.consul`). */
  private clusterId: string = randomUUID();
  /** `ServerExternalAddresses` handed out in tokens: load balancers or IPs the operator routes to these servers. */
  private readonly externalAddresses = new Set<string>();

  constructor(
    private readonly host: PeeringHost,
    readonly network: PeeringNetwork = new PeeringNetwork(),
  ) {
    network.join(this);
  }

  get datacenter(): string {
    return this.host.datacenter;
  }

  /** The SNI peers verify (`tlsConfigurator.ServerSNI(dc, "")` with the peering suffix). */
  get serverName(): string {
    return `server.${this.host.datacenter}.peering.${this.clusterId}.consul`;
  }

  close(): void {
    this.network.leave(this);
  }

  /**
   * A new, empty datacenter (every server that held the state was lost): peerings live in the servers' Raft state,
   * so they and what they imported are gone, and the new cluster has a new trust domain. The other side keeps its
   * half, which can no longer connect: the operator (or the orchestrator's recovery) peers again.
   */
  reset(): void {
    this.peerings.clear();
    this.externalAddresses.clear();
    this.clusterId = randomUUID();
  }

  /** The peerings as a snapshot archive carries them (`GET /v1/snapshot`). */
  exportPeerings(): SavedPeerings {
    return structuredClone({
      clusterId: this.clusterId,
      externalAddresses: [...this.externalAddresses],
      records: this.records().map(({ imported, importedConnect, connected: _c, lastHeartbeat: _h, lastReceive: _r, lastSend: _s, ...record }) => ({
        ...record,
        imported: [...imported.entries()],
        importedConnect: [...importedConnect.entries()],
      })),
    });
  }

  /**
   * Replaces the peerings with a snapshot's (`PUT /v1/snapshot`). Raft keeps a peering's state as the stream last
   * wrote it: FAILING is the stream tracker's view, not stored, so a restored peering that had connected is ACTIVE
   * until its stream (restored secrets, the other side's as they are now) connects or fails.
   */
  importPeerings(saved: SavedPeerings): void {
    this.peerings.clear();
    this.externalAddresses.clear();
    for (const address of saved.externalAddresses) this.externalAddresses.add(address);
    this.clusterId = saved.clusterId;
    for (const { imported, importedConnect, ...record } of structuredClone(saved.records)) {
      this.peerings.set(record.Name.toLowerCase(), {
        ...record,
        State: record.State === 'FAILING' ? 'ACTIVE' : record.State,
        connected: false,
        imported: new Map(imported),
        importedConnect: new Map(importedConnect),
      });
    }
    this.host.commit(['peering', ...this.records().map((r) => `peering:${r.Name.toLowerCase()}`)]);
  }

  record(name: string): PeeringRecord | undefined {
    return this.peerings.get(name.toLowerCase());
  }

  recordById(id: string): PeeringRecord | undefined {
    return [...this.peerings.values()].find((p) => p.ID === id);
  }

  records(): PeeringRecord[] {
    return [...this.peerings.values()].sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));
  }

  /** `POST /v1/peering/token`: create (or re-key) the acceptor side and hand out a token for the dialer. */
  generateToken(body: Record<string, unknown>, authz: Authorizer): { PeeringToken: string } {
    const name = readString(body, 'PeerName');
    if (name === '') throw badRequest('PeerName is required in the payload when generating a new peering token.');
    const meta = readStringMap(body.Meta, 'Meta');
    const external = body.ServerExternalAddresses;
    if (external !== undefined && external !== null && (!Array.isArray(external) || external.some((a) => typeof a !== 'string'))) {
      throw badRequest('Body decoding failed: json: cannot unmarshal value into Go struct field .ServerExternalAddresses of type []string');
    }
    validatePeerName(name);
    authz.require('peering', 'write');
    const existing = this.record(name);
    // validatePeer: a name is either an acceptor or a dialer, never both.
    if (existing && existing.role === 'dialer') throw serverError(`cannot create peering with name: ${JSON.stringify(existing.Name)}; there is already an established peering`);
    if (existing?.State === 'DELETING') throw serverError(`failed to write peering: cannot write to peering that is marked for deletion`);
    const addresses = Array.isArray(external) && external.length > 0 ? (external as string[]) : this.peeringAddresses();
    if (Array.isArray(external)) for (const address of external as string[]) this.externalAddresses.add(address);
    if (addresses.length === 0) {
      throw serverError(this.peersThroughMeshGateways() ? 'configured to peer through mesh gateways but no mesh gateways are registered' : 'a grpc bind port must be specified in the configuration for all servers');
    }
    // A new establishment secret on every call: a token generated earlier and not used yet stops working.
    const secret = randomUUID();
    const index = this.host.commit(['peering', `peering:${name.toLowerCase()}`]);
    const record: PeeringRecord = existing ?? {
      ID: randomUUID(),
      Name: name,
      role: 'acceptor',
      State: 'PENDING',
      Remote: { Partition: '', Datacenter: '' },
      everConnected: false,
      connected: false,
      imported: new Map(),
      importedConnect: new Map(),
      exported: [],
      CreateIndex: index,
      ModifyIndex: index,
    };
    record.establishmentSecret = secret;
    record.ModifyIndex = index;
    if (meta) record.Meta = meta;
    this.peerings.set(name.toLowerCase(), record);
    return {
      PeeringToken: encodePeeringToken({
        CA: [],
        ServerAddresses: addresses,
        ServerName: this.serverName,
        PeerID: record.ID,
        EstablishmentSecret: secret,
        Remote: { Partition: 'default', Datacenter: this.host.datacenter },
      }),
    };
  }

  /** `POST /v1/peering/establish`: the dialer exchanges the token's secret with the acceptor and starts dialing. */
  establish(body: Record<string, unknown>, authz: Authorizer): Record<string, never> {
    const name = readString(body, 'PeerName');
    const tokenText = readString(body, 'PeeringToken');
    const meta = readStringMap(body.Meta, 'Meta');
    if (name === '') throw badRequest('PeerName is required in the payload when establishing a peering.');
    if (tokenText === '') throw badRequest('PeeringToken is required in the payload when establishing a peering.');
    validatePeerName(name);
    const token = decodePeeringToken(tokenText);
    authz.require('peering', 'write');
    const existing = this.record(name);
    // validatePeeringLocality: a token of this very cluster cannot be used here.
    const own = this.recordById(token.PeerID);
    if (token.ServerName === this.serverName && own === undefined) {
      throw serverError(`conflict - peering token's server name matches the current cluster's server name, ${JSON.stringify(this.serverName)}, but there is no record in the database`);
    }
    if (own !== undefined) throw serverError('cannot create a peering within the same partition (ENT) or cluster (OSS)');
    if (existing && existing.role === 'acceptor') {
      throw serverError(`cannot create peering with name: ${JSON.stringify(existing.Name)}; there is an existing peering expecting to be dialed`);
    }
    if (existing?.State === 'DELETING') throw serverError('failed to write peering: cannot write to peering that is marked for deletion');
    const addresses = [...(token.ManualServerAddresses ?? []), ...(token.ServerAddresses ?? [])];
    // The secret exchange goes to the addresses of the token, through this side's mesh gateways when it peers
    // through them: each address that cannot be reached is one error of the multierror Consul answers.
    const errors: string[] = [];
    let streamSecret: string | undefined;
    for (const address of addresses) {
      const acceptor = this.reachable() ? this.network.resolve(address, token.PeerID) : undefined;
      if (!acceptor || !acceptor.reachable()) {
        errors.push(`failed to exchange peering secret with ${JSON.stringify(address)}: rpc error: code = Unavailable desc = failed to dial peer: context deadline exceeded`);
        continue;
      }
      const exchanged = acceptor.exchangeSecret(token.PeerID, token.EstablishmentSecret);
      if ('error' in exchanged) {
        errors.push(`failed to exchange peering secret with ${JSON.stringify(address)}: ${exchanged.error}`);
        continue;
      }
      streamSecret = exchanged.streamSecret;
      break;
    }
    if (streamSecret === undefined) throw serverError(formatMultiError(errors));
    const index = this.host.commit(['peering', `peering:${name.toLowerCase()}`]);
    const record: PeeringRecord = {
      ID: existing?.ID ?? randomUUID(),
      Name: name,
      role: 'dialer',
      State: 'ESTABLISHING',
      ...(meta ? { Meta: meta } : {}),
      PeerID: token.PeerID,
      PeerServerName: token.ServerName,
      PeerServerAddresses: addresses,
      Remote: { Partition: token.Remote.Partition, Datacenter: token.Remote.Datacenter },
      streamSecret,
      everConnected: false,
      connected: false,
      imported: existing?.imported ?? new Map(),
      importedConnect: existing?.importedConnect ?? new Map(),
      exported: [],
      CreateIndex: existing?.CreateIndex ?? index,
      ModifyIndex: index,
    };
    this.peerings.set(name.toLowerCase(), record);
    return {};
  }

  /** The acceptor's half of the exchange (`ExchangeSecret` of the peer-stream service). */
  exchangeSecret(peerId: string, secret: string): { streamSecret: string } | { error: string } {
    const record = this.recordById(peerId);
    if (!record) return { error: `rpc error: code = NotFound desc = peering not found for ${JSON.stringify(peerId)}` };
    if (record.State === 'DELETING' || record.State === 'TERMINATED') return { error: 'rpc error: code = NotFound desc = peering is marked for deletion' };
    if (record.establishmentSecret === undefined || record.establishmentSecret !== secret) {
      return { error: 'rpc error: code = PermissionDenied desc = invalid peering establishment secret' };
    }
    // The establishment secret is spent: the same token cannot establish a second time.
    record.establishmentSecret = undefined;
    record.streamSecret = randomUUID();
    record.ModifyIndex = this.host.commit(['peering', `peering:${record.Name.toLowerCase()}`]);
    return { streamSecret: record.streamSecret };
  }

  /** `DELETE /v1/peering/:name`: marks the peering DELETING; the leader removes it (and its imports) next. */
  delete(name: string, authz: Authorizer): void {
    authz.require('peering', 'write');
    const record = this.record(name);
    // Consul answers 200 for a peering that does not exist or is already being deleted.
    if (!record || record.State === 'DELETING') return;
    record.State = 'DELETING';
    record.DeletedAt = new Date().toISOString();
    record.ModifyIndex = this.host.commit(['peering', `peering:${record.Name.toLowerCase()}`]);
  }

  /** Removes a record once its deletion is done (the leader's deferred deletion), with its imported services. */
  remove(record: PeeringRecord): void {
    this.peerings.delete(record.Name.toLowerCase());
    this.host.commit(['peering', `peering:${record.Name.toLowerCase()}`, ...[...record.imported.keys()].map((s) => `service:${s}`)]);
  }

  /** Records a change of a record made by the network (state, stream status, imports). */
  touch(record: PeeringRecord, services: readonly string[] = []): void {
    record.ModifyIndex = this.host.commit(['peering', `peering:${record.Name.toLowerCase()}`, ...services.map((s) => `service:${s}`)]);
  }

  /** `api.Peering` as `/v1/peering/:name` and `/v1/peerings` answer it (omitempty fields left out). */
  render(record: PeeringRecord): Record<string, unknown> {
    return {
      ID: record.ID,
      Name: record.Name,
      ...(record.DeletedAt ? { DeletedAt: record.DeletedAt } : {}),
      ...(record.Meta && Object.keys(record.Meta).length > 0 ? { Meta: record.Meta } : {}),
      State: record.State,
      ...(record.PeerID ? { PeerID: record.PeerID } : {}),
      ...(record.PeerServerName ? { PeerServerName: record.PeerServerName } : {}),
      ...(record.PeerServerAddresses && record.PeerServerAddresses.length > 0 ? { PeerServerAddresses: record.PeerServerAddresses } : {}),
      StreamStatus: {
        ImportedServices: record.imported.size > 0 ? [...record.imported.keys()].sort() : null,
        ExportedServices: record.exported.length > 0 ? [...record.exported] : null,
        LastHeartbeat: record.lastHeartbeat ?? null,
        LastReceive: record.lastReceive ?? null,
        LastSend: record.lastSend ?? null,
      },
      CreateIndex: record.CreateIndex,
      ModifyIndex: record.ModifyIndex,
      Remote: record.Remote,
    };
  }

  /** The instances of `service` imported from the peer named `peer` (empty for an unknown peer, as Consul). */
  imported(peer: string, service: string): readonly ImportedInstance[] {
    return this.record(peer)?.imported.get(service) ?? [];
  }

  /** The connect endpoints of `service` imported from `peer`: the peer's mesh gateways, as synthetic proxies. */
  importedConnect(peer: string, service: string): readonly ImportedInstance[] {
    return this.record(peer)?.importedConnect.get(service) ?? [];
  }

  /**
   * Whether this side takes part in a peering stream now: a leader (peering runs on the leader), the agent up,
   * and — with the `mesh` config entry's `Peering.PeerThroughMeshGateways` — a passing local mesh gateway, since
   * the servers' peering traffic then leaves and enters through it.
   */
  reachable(): boolean {
    if (this.host.down() || this.host.raft().leader === undefined) return false;
    return !this.peersThroughMeshGateways() || this.passingMeshGateways().length > 0;
  }

  /** Whether this side answers on `address` (its servers' or, through mesh gateways, the gateways' WAN address). */
  answersOn(address: string): boolean {
    return this.peeringAddresses().includes(address) || this.serverAddresses().includes(address) || this.externalAddresses.has(address);
  }

  /**
   * The server addresses this acceptor's side of a live stream sends its dialer when it peers through mesh gateways:
   * the gateways' WAN addresses, as a token generated now would name them. Consul's peer-stream watches the
   * mesh-gateway instances and sends them as a `PeeringServerAddresses` message whenever they change
   * (`notifyServerMeshGatewayAddresses` in agent/grpc-external/services/peerstream/subscription_manager.go); the
   * dialer stores them as its peering's `PeerServerAddresses`, which it dials from then on. Undefined without
   * gateways (Consul then sends its ready servers' addresses, which the local servers do not model with ports) or
   * when none is registered (Consul sends nothing then).
   */
  streamServerAddresses(): string[] | undefined {
    if (!this.peersThroughMeshGateways()) return undefined;
    const addresses = this.peeringAddresses();
    return addresses.length > 0 ? addresses : undefined;
  }

  /** `mesh` config entry `Peering.PeerThroughMeshGateways`. */
  peersThroughMeshGateways(): boolean {
    const entry = this.host.state().configEntries.get(configKey('mesh', 'mesh'));
    const peering = entry?.Body.Peering as { PeerThroughMeshGateways?: unknown } | undefined;
    return peering?.PeerThroughMeshGateways === true;
  }

  /**
   * The services this side exports to the peer it knows as `peerName`: the default partition's
   * `exported-services` entry, each service whose `Consumers` name the peer (`*` exports every service), with its
   * instances and their health flattened into one check per instance, as the replication stream carries them.
   */
  exportsTo(peerName: string, localPeerName: string): { names: string[]; instances: Map<string, ImportedInstance[]>; connect: Map<string, ImportedInstance[]> } {
    const state = this.host.state();
    const entry = state.configEntries.get(configKey('exported-services', 'default'));
    const services = Array.isArray(entry?.Body.Services) ? (entry.Body.Services as Array<Record<string, unknown>>) : [];
    const catalogNames = new Set([...state.services.values()].filter((s) => s.Kind === '' && s.Service !== 'consul').map((s) => s.Service));
    const names = new Set<string>();
    for (const service of services) {
      const consumers = Array.isArray(service.Consumers) ? (service.Consumers as Array<Record<string, unknown>>) : [];
      if (!consumers.some((c) => typeof c.Peer === 'string' && c.Peer.toLowerCase() === peerName.toLowerCase())) continue;
      if (service.Name === '*') for (const name of catalogNames) names.add(name);
      else if (typeof service.Name === 'string') names.add(service.Name);
    }
    const instances = new Map<string, ImportedInstance[]>();
    for (const name of [...names].sort()) {
      const list = [...state.services.values()]
        .filter((s) => s.Service === name && s.Kind === '')
        .sort((a, b) => (a.Node === b.Node ? (a.ID < b.ID ? -1 : 1) : a.Node < b.Node ? -1 : 1))
        .map((s) => this.replicate(state, s, localPeerName));
      if (list.length > 0) instances.set(name, list);
    }
    const connect = new Map<string, ImportedInstance[]>();
    const gateways = this.meshGateways();
    for (const name of [...names].sort()) {
      if (gateways.length > 0) connect.set(name, gateways.map((gw, i) => this.syntheticProxy(state, name, gw, i, peerName, localPeerName)));
    }
    return { names: [...names].sort(), instances, connect };
  }

  /**
   * What Consul replicates for an exported service's discovery chain (`createDiscoChainHealth`): one synthetic
   * `connect-proxy` per exporting mesh gateway, `<service>-sidecar-proxy-instance-<i>`, at the gateway's addresses,
   * with the peered SNI and SPIFFE IDs a dialing Envoy verifies, and the gateway's checks flattened into one.
   */
  private syntheticProxy(state: ConsulState, name: string, gw: ServiceRecord, i: number, peerName: string, localPeerName: string): ImportedInstance {
    const trustDomain = `${this.clusterId}.consul`;
    const dc = this.host.datacenter;
    const proxyName = `${name}-sidecar-proxy`;
    const proxyId = `${proxyName}-instance-${i}`;
    const defaults = state.configEntries.get(configKey('service-defaults', name))?.Body.Protocol;
    const global = state.configEntries.get(configKey('proxy-defaults', 'global'))?.Body.Config as { protocol?: unknown } | undefined;
    const protocol = typeof defaults === 'string' ? defaults : typeof global?.protocol === 'string' ? global.protocol : 'tcp';
    const node = state.nodes.get(gw.Node);
    const flat = this.replicate(state, gw, localPeerName);
    const service = {
      Kind: 'connect-proxy',
      ID: proxyId,
      Service: proxyName,
      Tags: [],
      Address: gw.Address,
      ...(gw.TaggedAddresses ? { TaggedAddresses: gw.TaggedAddresses } : {}),
      Meta: {},
      Port: gw.Port,
      Weights: gw.Weights,
      EnableTagOverride: false,
      Proxy: { DestinationServiceName: name, DestinationServiceID: `${name}-instance-${i}` },
      Connect: {
        PeerMeta: {
          SNI: [`${name}.default.default.${peerName}.external.${trustDomain}`],
          SpiffeID: [`spiffe://${trustDomain}/ns/default/dc/${dc}/svc/${name}`, `spiffe://${trustDomain}/gateway/mesh/dc/${dc}`],
          Protocol: protocol,
        },
      },
      PeerName: localPeerName,
      CreateIndex: gw.CreateIndex,
      ModifyIndex: gw.ModifyIndex,
    };
    return {
      node: flat.node,
      service,
      serviceNode: node ? { ...renderServiceNode(node, gw), ServiceKind: 'connect-proxy', ServiceID: proxyId, ServiceName: proxyName, PeerName: localPeerName } : { ServiceID: proxyId, ServiceName: proxyName, PeerName: localPeerName },
      status: flat.status,
      serviceId: proxyId,
      serviceName: proxyName,
    };
  }

  private replicate(state: ConsulState, svc: ServiceRecord, peerName: string): ImportedInstance {
    const node = state.nodes.get(svc.Node);
    let status = 'passing';
    for (const check of checksForInstance(state, svc)) {
      if (check.CheckID === '_node_maintenance' || check.CheckID.startsWith('_service_maintenance:')) {
        status = 'maintenance';
        break;
      }
      if ((STATUS_SCORE[check.Status] ?? 0) < (STATUS_SCORE[status] ?? 0)) status = check.Status;
    }
    const renderedNode = node ? { ...renderNode(node), Datacenter: this.host.datacenter, PeerName: peerName } : { Node: svc.Node, PeerName: peerName };
    return {
      node: renderedNode,
      service: { ...renderService(svc), PeerName: peerName },
      serviceNode: node ? { ...renderServiceNode(node, svc), PeerName: peerName } : { ServiceID: svc.ID, ServiceName: svc.Service, PeerName: peerName },
      status,
      serviceId: svc.ID,
      serviceName: svc.Service,
    };
  }

  private meshGateways(): ServiceRecord[] {
    return [...this.host.state().services.values()].filter((s) => s.Kind === 'mesh-gateway').sort((a, b) => (a.ID < b.ID ? -1 : a.ID > b.ID ? 1 : 0));
  }

  private passingMeshGateways(): ServiceRecord[] {
    const state = this.host.state();
    return [...state.services.values()].filter(
      (s) => s.Kind === 'mesh-gateway' && checksForInstance(state, s).every((c) => c.Status === 'passing'),
    );
  }

  /** The running servers' peering addresses (`<ip>:8503`). */
  private serverAddresses(): string[] {
    return this.host.raft().peers.map((peer) => `${peer.split(':')[0]}:${PEERING_GRPC_TLS_PORT}`);
  }

  /** What a token names: the registered mesh gateways' WAN addresses when peering through them, else the servers'. */
  private peeringAddresses(): string[] {
    if (!this.peersThroughMeshGateways()) return this.serverAddresses();
    return this.meshGateways().map((gw) => {
      const wan = gw.TaggedAddresses?.wan;
      return wan ? `${wan.Address}:${wan.Port}` : `${gw.Address}:${gw.Port}`;
    });
  }
}

