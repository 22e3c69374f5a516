/**
 * Cluster peering between two deployed meshes (Consul 1.14+; DESIGN.md section 9), one side per deployment:
 *
 * - The **acceptor**'s deployment generates the peering token (`POST /v1/peering/token`, `PeerName` = its name for
 *   the peer) unless a live peering of that name exists, and keeps it as an SSM SecureString in its own region at
 *   `peeringTokenParameter(...)`: created once, never overwritten while it is valid (its peering PENDING or live).
 * - The **dialer**'s deployment reads that parameter from the acceptor's region (a cross-region `GetParameter` with
 *   decryption: both stacks are in one account), establishes (`POST /v1/peering/establish`), and its check step waits
 *   until the peering is ACTIVE. No token yet: `PeeringTokenMissing`, "deploy mesh X in region Y first".
 *
 * The parameter's path names both meshes, `/consul-mesh/<acceptor mesh>/peering/<dialer mesh>/token`, because each
 * side names the peering as it likes (`PeerName` is local to a cluster): the mesh names are what both specs know.
 * A cross-account peering would need the token to travel between the two HTTP APIs instead (`meshctl peer`): not built.
 */
import type { SsmApi } from '../adapters/ssm';
import type { ConsulCall } from '../adapters/consul';
import { PeeringNotActiveError, PeeringTokenMissingError } from '../errors';
import type { MeshSpec, PeerSpec } from '../domain/spec/schema';

/** Consul's peering states (`/v1/peering/<name>`). */
export type PeeringState = 'PENDING' | 'ESTABLISHING' | 'ACTIVE' | 'FAILING' | 'DELETING' | 'TERMINATED' | 'UNDEFINED';

export interface Peering {
  Name: string;
  State: PeeringState;
  /** This side's peering ID; an acceptor's is the `PeerID` of the token it generates. */
  ID?: string;
  /** A dialer's: the acceptor's peering ID (from the token it established with). */
  PeerID?: string;
  Meta?: Record<string, string> | null;
  StreamStatus?: { ImportedServices?: string[] | null; ExportedServices?: string[] | null; LastHeartbeat?: string | null };
}

/** The few peering calls the deployment makes (Consul's `/v1/peering` HTTP API). */
export interface PeeringApi {
  read(name: string): Promise<Peering | undefined>;
  /** Every peering of the datacenter (`GET /v1/peerings`; peering:read), with its `Meta`. */
  list(): Promise<Peering[]>;
  /** `meta` is kept with the acceptor's peering (`Meta`): the mark of the mesh that made it (peeringMark). */
  generateToken(peerName: string, meta?: Record<string, string>): Promise<string>;
  /** `meta` is kept with the peering (`Meta`): the dialer records the token parameter's version there. */
  establish(peerName: string, token: string, meta?: Record<string, string>): Promise<void>;
  delete(name: string): Promise<void>;
  /**
   * The `ServerAddresses` a token generated now would carry, when this side peers through mesh gateways: the WAN
   * addresses of the registered instances of `gateway` (the mesh's one mesh gateway service), or undefined when
   * that cannot be told (the `mesh` entry does not set `Peering.PeerThroughMeshGateways`: the token then names the
   * servers' gRPC addresses, which the HTTP API does not list with their ports).
   */
  tokenAddresses?(gateway: string): Promise<string[] | undefined>;
}

/** The SSM calls of the peering: the token parameter in this mesh's region, and reads from a peer's region. */
export interface PeeringSsm {
  /** This mesh's region. */
  readonly home: Pick<SsmApi, 'getParameter' | 'putParameter' | 'deleteParameter'>;
  /** A client of another region (the acceptor's, for a dialer). */
  inRegion(region: string): Pick<SsmApi, 'getParameter'>;
}

export interface PeeringDeps {
  peering: PeeringApi;
  ssm: PeeringSsm;
  /** The SSM root of every mesh (`SSM_PREFIX`, `/consul-mesh`). */
  root?: string;
}

/** What a deployment did for one peer. */
export interface PeerOutcome {
  name: string;
  role: PeerSpec['role'];
  /** `token-generated`, `token-kept`, `established`, `kept` (already live), `deleted`. */
  action: 'token-generated' | 'token-kept' | 'established' | 'kept' | 'deleted';
  state?: PeeringState;
}

/** A peer with its peering as Consul reports it: what `GET /mesh` and a deployment's summary list. */
export interface PeerView {
  name: string;
  mesh: string;
  region: string;
  role: PeerSpec['role'];
  /** Consul's state, `UNDEFINED` when there is no peering (an acceptor not dialled yet, a dialer not established). */
  state: string;
  importedServices: string[];
  exportedServices: string[];
}

/** Each peer with its peering's state and the services imported from and exported to it (`/v1/peering/<name>`). */
export async function peerViews(
  peers: ReadonlyArray<Pick<PeerSpec, 'name' | 'mesh' | 'region' | 'role'>>,
  read: (name: string) => Promise<{ State: string; StreamStatus?: Peering['StreamStatus'] } | undefined>,
): Promise<PeerView[]> {
  return Promise.all(
    peers.map(async (peer) => {
      const status = await read(peer.name);
      return {
        name: peer.name,
        mesh: peer.mesh,
        region: peer.region,
        role: peer.role,
        state: status?.State ?? 'UNDEFINED',
        importedServices: [...(status?.StreamStatus?.ImportedServices ?? [])].sort(),
        exportedServices: [...(status?.StreamStatus?.ExportedServices ?? [])].sort(),
      };
    }),
  );
}

/** States in which a peering of that name lives on: its token was used, or is waiting to be. */
const LIVE: ReadonlySet<PeeringState> = new Set(['PENDING', 'ESTABLISHING', 'ACTIVE', 'FAILING']);

/**
 * The dialer's peering `Meta` key that records the Version of the acceptor's token parameter it established with:
 * the dialer's recovery (layers/recovery/peerings.ts) re-establishes a failing peering only when the parameter moved on.
 */
export const TOKEN_VERSION_META = 'consul-mesh-token-version';

/**
 * The mark a deployment puts on every peering it creates (Consul keeps a peering's `Meta`, given to
 * `POST /v1/peering/token` on the acceptor and `POST /v1/peering/establish` on the dialer): the mesh that owns it and
 * the peer it stands for. With it, removal converges on what Consul lists (`GET /v1/peerings`), not only on the
 * previously deployed spec: a deployment that stored its spec and stopped before its peering stage leaves peerings
 * that no spec names any more, and the next one still finds and deletes them. A peering without the mark is never
 * touched (someone else made it).
 */
export const MESH_META = 'consul-mesh:mesh';
const PEER_MESH_META = 'consul-mesh:peer-mesh';
const PEER_REGION_META = 'consul-mesh:peer-region';
const ROLE_META = 'consul-mesh:role';

/** The `Meta` a peering of `mesh` for `peer` carries. */
export function peeringMark(mesh: string, peer: Pick<PeerSpec, 'mesh' | 'region' | 'role'>): Record<string, string> {
  return { [MESH_META]: mesh, [PEER_MESH_META]: peer.mesh, [PEER_REGION_META]: peer.region, [ROLE_META]: peer.role };
}

/** The peers that Consul's peerings marked as `mesh`'s stand for (peeringMark); unmarked or foreign ones are left out. */
export function markedPeers(mesh: string, peerings: ReadonlyArray<{ Name: string; State: string; Meta?: Record<string, string> | null }>): Array<Pick<PeerSpec, 'name' | 'mesh' | 'region' | 'role'>> {
  return peerings.flatMap((p) => {
    const meta = p.Meta ?? {};
    const role = meta[ROLE_META];
    // A DELETING peering is on its way out already; deleting it again changes nothing.
    if (meta[MESH_META] !== mesh || p.State === 'DELETING' || (role !== 'acceptor' && role !== 'dialer') || !meta[PEER_MESH_META] || !meta[PEER_REGION_META]) return [];
    return [{ name: p.Name, mesh: meta[PEER_MESH_META], region: meta[PEER_REGION_META], role }];
  });
}

/** Where the acceptor keeps the token for one dialer: in the acceptor's region, named by both meshes. */
export function peeringTokenParameter(acceptorMesh: string, dialerMesh: string, root = '/consul-mesh'): string {
  return `${root}/${acceptorMesh}/peering/${dialerMesh}/token`;
}

/** The dialer's request for a new token, in its own region, named by both meshes: the Version it found spent. */
export function tokenRequestParameter(dialerMesh: string, acceptorMesh: string, root = '/consul-mesh'): string {
  return `${root}/${dialerMesh}/peering/${acceptorMesh}/token-request`;
}

/**
 * The acceptor's record of a re-key it owes since a restore, in its own region: the Version of the token parameter
 * the new token replaces. Spent once the parameter's Version moves past it.
 */
export function rekeyParameter(acceptorMesh: string, dialerMesh: string, root = '/consul-mesh'): string {
  return `${root}/${acceptorMesh}/peering/${dialerMesh}/rekey`;
}

/** The peering client over a Consul call (the orchestrator's token needs `peering:write`, acl-policies.ts). */
export function createPeeringApi(call: ConsulCall): PeeringApi {
  return {
    async read(name) {
      const response = await call('GET', `/v1/peering/${encodeURIComponent(name)}`, undefined, [404]);
      return response.status === 404 ? undefined : ((await response.json()) as Peering);
    },
    async list() {
      const response = await call('GET', '/v1/peerings');
      return ((await response.json()) as Peering[] | null) ?? [];
    },
    async generateToken(peerName, meta) {
      const response = await call('POST', '/v1/peering/token', { PeerName: peerName, ...(meta ? { Meta: meta } : {}) });
      return ((await response.json()) as { PeeringToken: string }).PeeringToken;
    },
    async establish(peerName, token, meta) {
      await call('POST', '/v1/peering/establish', { PeerName: peerName, PeeringToken: token, ...(meta ? { Meta: meta } : {}) });
    },
    async delete(name) {
      // Deleting a peering that is already gone is success (idempotent).
      await call('DELETE', `/v1/peering/${encodeURIComponent(name)}`, undefined, [404]);
    },
    async tokenAddresses(gateway) {
      const mesh = await call('GET', '/v1/config/mesh/mesh', undefined, [404]);
      const entry = mesh.status === 404 ? undefined : ((await mesh.json()) as { Peering?: { PeerThroughMeshGateways?: boolean } | null });
      if (entry?.Peering?.PeerThroughMeshGateways !== true) return undefined;
      const response = await call('GET', `/v1/catalog/service/${encodeURIComponent(gateway)}`);
      return meshGatewayWanAddresses(((await response.json()) as CatalogGatewayEntry[] | null) ?? []);
    },
  };
}

/** The fields of a `/v1/catalog/service/<name>` entry (`structs.ServiceNode`) a gateway's WAN address comes from. */
export interface CatalogGatewayEntry {
  Address?: string;
  TaggedAddresses?: Record<string, string> | null;
  ServiceKind?: string;
  ServiceAddress?: string;
  ServicePort?: number;
  ServiceTaggedAddresses?: Record<string, { Address?: string; Port?: number }> | null;
}

/**
 * The addresses Consul puts in a peering token when it peers through mesh gateways: for each registered mesh gateway
 * instance, healthy or not, `BestAddress(wan=true)` — the service's `wan` tagged address (its port, else the
 * service's), else the service address, else the node's `wan` tagged address, else the node address — as
 * `<address>:<port>`. Consul's GenerateToken takes them from the peering backend's `GetLocalServerAddresses`
 * (agent/consul/peering_backend.go: `meshGatewayAdresses(store, nil, true)` over `ServiceDump(kind=mesh-gateway)`),
 * and the peer-stream's `notifyServerMeshGatewayAddresses`
 * (agent/grpc-external/services/peerstream/subscription_manager.go) sends the same list to the dialer whenever the
 * gateways change. Sorted and without repeats: several gateway tasks behind one NLB share its address.
 */
export function meshGatewayWanAddresses(entries: readonly CatalogGatewayEntry[]): string[] {
  const addresses = new Set<string>();
  for (const entry of entries) {
    if (entry.ServiceKind !== undefined && entry.ServiceKind !== 'mesh-gateway') continue;
    const wan = entry.ServiceTaggedAddresses?.wan;
    const port = wan?.Address && wan.Port ? wan.Port : entry.ServicePort;
    const address = wan?.Address || entry.ServiceAddress || entry.TaggedAddresses?.wan || entry.Address;
    if (address && port) addresses.add(`${address}:${port}`);
  }
  return [...addresses].sort();
}

/** A token's `ServerAddresses` (Consul's base64 JSON `PeeringToken`), sorted; undefined when it does not decode. */
export function peeringTokenAddresses(token: string): string[] | undefined {
  try {
    const decoded = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { ServerAddresses?: unknown };
    if (!Array.isArray(decoded.ServerAddresses) || !decoded.ServerAddresses.every((a) => typeof a === 'string')) return undefined;
    return [...new Set(decoded.ServerAddresses as string[])].sort();
  } catch {
    return undefined;
  }
}

/**
 * Whether a stored token names other addresses than the ones a token generated now would (`current`, from
 * {@link PeeringApi.tokenAddresses}): the acceptor's mesh gateways moved (`meshGateway.wan` switched between
 * `private` and `nlb`, the NLB's address or port changed, or, in `private` mode, the gateway tasks were replaced and
 * have new private IPs). False whenever it cannot be told (no current addresses: Consul would refuse to generate a
 * token; a stored value that does not decode as a token): the token is then left as it is.
 */
export function tokenAddressesStale(stored: string, current: readonly string[] | undefined): boolean {
  if (current === undefined || current.length === 0) return false;
  const named = peeringTokenAddresses(stored);
  if (named === undefined) return false;
  const wanted = [...new Set(current)].sort();
  return named.length !== wanted.length || named.some((address, i) => address !== wanted[i]);
}

/**
 * Converges the spec's peerings, one side each: generates and stores the acceptor's tokens, establishes the dialer's
 * peerings. Idempotent: a no-change deployment generates, writes and establishes nothing.
 *
 * @throws PeeringTokenMissing when a dialer's acceptor has not stored its token yet (deploy the acceptor first).
 */
export async function ensurePeerings(spec: MeshSpec, deps: PeeringDeps): Promise<PeerOutcome[]> {
  const outcomes: PeerOutcome[] = [];
  for (const peer of spec.peers) outcomes.push(peer.role === 'acceptor' ? await ensureAcceptor(spec, peer, deps) : await ensureDialer(spec, peer, deps));
  return outcomes;
}

async function ensureAcceptor(spec: MeshSpec, peer: PeerSpec, deps: PeeringDeps): Promise<PeerOutcome> {
  const parameter = peeringTokenParameter(spec.name, peer.mesh, deps.root);
  const current = await deps.peering.read(peer.name);
  const stored = await readParameter(deps.ssm.home, parameter);
  // A live peering's token stays as it is (DESIGN.md section 9: secrets are created once); a PENDING one whose
  // parameter was lost gets a new token, which Consul lets replace the unused one.
  if (current && LIVE.has(current.State) && (stored !== undefined || current.State !== 'PENDING')) {
    // ...unless the stored token names addresses the acceptor no longer answers on (its mesh gateways' WAN addresses
    // changed since it was generated): a dialer that establishes with it later (deployed after this, or
    // re-establishing after a loss through its recovery tick) would dial the old address and fail. A new token for
    // the same peering is harmless in any live state: Consul's GenerateToken writes a new establishment secret and
    // keeps the peering's stream secrets ("Merge in existing stream secrets when persisting a new establishment
    // secret. This is to avoid invalidating stream secrets when a new peering token is generated",
    // peeringSecretsWriteTxn in agent/consul/state/peering.go), so a working stream goes on. An ACTIVE dialer needs
    // nothing: the acceptor's peer-stream sends it the gateways' new addresses over the stream
    // (subscription_manager.go's notifyServerMeshGatewayAddresses, a `PeeringServerAddresses` message; the dialer
    // writes them to its peering's `PeerServerAddresses`); the stored token is renewed for the dialers to come, and
    // for the dialer itself should it lose its peering later (it establishes again with the stored token). The cost:
    // a dialer whose peering goes FAILING later sees a newer token Version and re-establishes with it
    // (layers/recovery/peerings.ts) where it would have reconnected by itself; once, and with a token nobody used.
    // Two reads more (the mesh entry, the gateway's instances) and no write when nothing changed: a no-change
    // deployment leaves the parameter's Version.
    if (stored === undefined || !tokenAddressesStale(stored, await deps.peering.tokenAddresses?.(gatewayOf(spec)))) {
      return { name: peer.name, role: 'acceptor', action: 'token-kept', state: current.State };
    }
    const token = await deps.peering.generateToken(peer.name, peeringMark(spec.name, peer));
    await putPeeringToken(deps.ssm.home, spec, peer, token, { overwrite: true, root: deps.root });
    return { name: peer.name, role: 'acceptor', action: 'token-generated', state: current.State };
  }
  // A TERMINATED peering (the dialer deleted its side) cannot be dialed again: Consul keeps its state through a new
  // token and refuses the secret exchange ("peering is marked for deletion", as `Peering.IsActive()` is false). So it
  // is deleted first, and the token made for a new peering of that name.
  if (current?.State === 'TERMINATED') await deleteAndWait(peer.name, deps);
  const token = await deps.peering.generateToken(peer.name, peeringMark(spec.name, peer));
  // Overwrite only here: no live peering uses the stored token (it was deleted, terminated, or never generated).
  await putPeeringToken(deps.ssm.home, spec, peer, token, { overwrite: stored !== undefined, root: deps.root });
  return { name: peer.name, role: 'acceptor', action: 'token-generated', state: 'PENDING' };
}

/** The mesh gateway service whose WAN addresses a token names (the spec requires one when it has peers). */
function gatewayOf(spec: MeshSpec): string {
  return spec.meshGateway?.name ?? 'mesh-gateway';
}

/** Rounds of the wait for a deleted peering to be gone (DELETING, then removed by the leader in the background). */
const DELETE_ROUNDS = 50;
const DELETE_PAUSE_MS = 100;

/**
 * Deletes a peering and waits (bounded: a few seconds) until Consul has removed it.
 * @throws PeeringNotActive when it is still there: the step's retry comes back to it.
 */
async function deleteAndWait(name: string, deps: PeeringDeps): Promise<void> {
  await deps.peering.delete(name);
  for (let round = 0; round < DELETE_ROUNDS; round += 1) {
    const left = await deps.peering.read(name);
    if (!left) return;
    await new Promise((resolve) => setTimeout(resolve, DELETE_PAUSE_MS));
  }
  throw new PeeringNotActiveError(`peering "${name}" was deleted to be made anew, and Consul still has it`);
}

async function ensureDialer(spec: MeshSpec, peer: PeerSpec, deps: PeeringDeps): Promise<PeerOutcome> {
  const current = await deps.peering.read(peer.name);
  if (current && LIVE.has(current.State)) return { name: peer.name, role: 'dialer', action: 'kept', state: current.State };
  const parameter = peeringTokenParameter(peer.mesh, spec.name, deps.root);
  const stored = await readTokenParameter(deps.ssm.inRegion(peer.region), parameter);
  const token = stored?.Value;
  if (token === undefined) {
    throw new PeeringTokenMissingError(
      `mesh "${peer.mesh}" in ${peer.region} has not generated the peering token for mesh "${spec.name}" yet (${parameter}): deploy mesh "${peer.mesh}" in region ${peer.region} first, its spec naming mesh "${spec.name}" (${spec.region}) in its peers with its own role, role: acceptor`,
    );
  }
  try {
    await deps.peering.establish(peer.name, token, {
      ...peeringMark(spec.name, peer),
      ...(stored?.Version === undefined ? {} : { [TOKEN_VERSION_META]: String(stored.Version) }),
    });
  } catch (error) {
    const refusal = tokenRefusal(error);
    if (refusal === undefined) throw error;
    // Retrying cannot help (the token stays what it is until the acceptor's deployment makes a new one), and Consul's
    // 500 would otherwise read as ConsulUnavailable: say which mesh to deploy again, as for a token not made yet.
    throw new PeeringTokenMissingError(
      `mesh "${peer.mesh}" in ${peer.region} refused the peering token it keeps for mesh "${spec.name}" (${parameter}${stored?.Version === undefined ? '' : `, version ${stored.Version}`}): ${refusal}; ` +
        `its side of the peering was TERMINATED or deleted after the token was made (this mesh was torn down or dropped the peer), or the token was already used: ` +
        `deploy mesh "${peer.mesh}" in region ${peer.region} again first (its deployment replaces a TERMINATED peering with a new token), then this mesh`,
      { cause: error },
    );
  }
  return { name: peer.name, role: 'dialer', action: 'established', state: 'ESTABLISHING' };
}

/**
 * The acceptor's refusal of the token's secret exchange in a failed `POST /v1/peering/establish`, or undefined for
 * any other failure (an acceptor not reachable yet is retried as ConsulUnavailable). Consul's peer-stream
 * `ExchangeSecret` answers "invalid peering establishment secret" when the acceptor has no such secret: the token was
 * used, or the peering it names was TERMINATED or deleted (Consul deletes a peering's secrets then); the local cloud
 * words the last two "peering is marked for deletion" and "peering not found for".
 */
function tokenRefusal(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const refusal = ['invalid peering establishment secret', 'peering is marked for deletion', 'peering not found for'].find((text) => error.message.includes(text));
  return refusal === undefined ? undefined : `Consul: ${refusal}`;
}

/**
 * One check of the wait for the dialer's peerings: resolves when every one is ACTIVE.
 * @throws PeeringNotActive naming each peering and its state (the state machine's wait loop retries it).
 */
export async function checkPeeringsActive(spec: MeshSpec, deps: Pick<PeeringDeps, 'peering'>): Promise<Array<{ name: string; state: PeeringState }>> {
  const states = [];
  for (const peer of spec.peers.filter((p) => p.role === 'dialer')) states.push({ name: peer.name, state: (await deps.peering.read(peer.name))?.State ?? 'UNDEFINED' });
  const waiting = states.filter((s) => s.state !== 'ACTIVE');
  if (waiting.length > 0) throw new PeeringNotActiveError(`waiting for peering ${waiting.map((s) => `"${s.name}" (${s.state})`).join(', ')} to be ACTIVE`);
  return states;
}

/**
 * Deletes the peerings of `previous` that `spec` no longer has (`DELETE /v1/peering/<name>`; Consul then removes
 * what it imported, and the other side's peering becomes TERMINATED), and the parameters this side keeps about it.
 * Teardown passes no `spec`: every peering goes, first.
 */
export async function removePeerings(spec: Pick<MeshSpec, 'peers'> | undefined, previous: Pick<MeshSpec, 'name' | 'peers'>, deps: PeeringDeps): Promise<PeerOutcome[]> {
  const kept = new Set((spec?.peers ?? []).map((peer) => `${peer.name}\u0000${peer.role}\u0000${peer.mesh}`));
  const outcomes: PeerOutcome[] = [];
  for (const peer of previous.peers) {
    if (kept.has(`${peer.name}\u0000${peer.role}\u0000${peer.mesh}`)) continue;
    // A peer made anew under the same name (its role or mesh changed): Consul refuses a token or an establishment
    // for a peering marked for deletion, so the ensure step that follows needs it gone (retried while it is not).
    // Only what exists counts as deleted, so the summary and the plan agree (a dialer whose deployment failed before
    // it established has nothing to delete).
    const existed = (await deps.peering.read(peer.name)) !== undefined;
    if (spec?.peers.some((p) => p.name === peer.name)) await deleteAndWait(peer.name, deps);
    else await deps.peering.delete(peer.name);
    // What this side keeps about the peering in its own region goes with it: an acceptor's token and its recovery's
    // re-key record, a dialer's request for a new token (layers/recovery/peerings.ts).
    const parameters =
      peer.role === 'acceptor'
        ? [peeringTokenParameter(previous.name, peer.mesh, deps.root), rekeyParameter(previous.name, peer.mesh, deps.root)]
        : [tokenRequestParameter(previous.name, peer.mesh, deps.root)];
    let stored = false;
    for (const name of parameters) stored = (await deleteParameter(deps.ssm.home, name)) || stored;
    if (existed || stored) outcomes.push({ name: peer.name, role: peer.role, action: 'deleted' });
  }
  return outcomes;
}

/**
 * Stores an acceptor's peering token as a SecureString at `peeringTokenParameter(...)`, the one writer of that
 * parameter (the deployment's and the recovery's). The caller decides that no live peering uses the stored token.
 * SSM refuses tags together with `Overwrite`: a new parameter is tagged, an overwritten one keeps its tags.
 */
export async function putPeeringToken(
  ssm: Pick<SsmApi, 'putParameter'>,
  spec: Pick<MeshSpec, 'name'>,
  peer: Pick<PeerSpec, 'mesh' | 'region'>,
  token: string,
  options: { overwrite: boolean; root?: string },
): Promise<void> {
  await ssm.putParameter({
    Name: peeringTokenParameter(spec.name, peer.mesh, options.root),
    Value: token,
    Type: 'SecureString',
    // Consul's tokens are a few hundred bytes; Advanced only if one grows past Standard's 4 KB.
    Tier: Buffer.byteLength(token) > 4096 ? 'Advanced' : 'Standard',
    Overwrite: options.overwrite,
    Description: `Consul peering token of mesh ${spec.name} for mesh ${peer.mesh} (${peer.region}), read by its deployment`,
    ...(options.overwrite ? {} : { Tags: [{ Key: 'consul-mesh:mesh', Value: spec.name }] }),
  });
}

async function readParameter(ssm: Pick<SsmApi, 'getParameter'>, name: string): Promise<string | undefined> {
  return (await readTokenParameter(ssm, name))?.Value;
}

/** A token parameter's value and Version (decrypted), or undefined when it does not exist. */
export async function readTokenParameter(ssm: Pick<SsmApi, 'getParameter'>, name: string): Promise<{ Value?: string; Version?: number; LastModifiedDate?: Date } | undefined> {
  try {
    return await ssm.getParameter(name, { decrypt: true });
  } catch (error) {
    if ((error as Error).name === 'ParameterNotFound') return undefined;
    throw error;
  }
}

/**
 * The acceptor's peering ID a token names (`PeerID` of Consul's base64 JSON `PeeringToken`), or undefined for a
 * token that does not decode. A dialer whose peering names another ID dials a peering the acceptor no longer has.
 */
export function peeringTokenPeerId(token: string): string | undefined {
  try {
    const decoded = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { PeerID?: unknown };
    return typeof decoded.PeerID === 'string' && decoded.PeerID !== '' ? decoded.PeerID : undefined;
  } catch {
    return undefined;
  }
}

/** Deletes a parameter if it exists; true when it did. */
async function deleteParameter(ssm: Pick<SsmApi, 'deleteParameter'>, name: string): Promise<boolean> {
  try {
    await ssm.deleteParameter(name);
    return true;
  } catch (error) {
    if ((error as Error).name !== 'ParameterNotFound') throw error;
    return false;
  }
}
