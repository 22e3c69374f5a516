/**
 * Peerings after a Consul datacenter loss, on either side (DESIGN.md section 9; issue 13 with issue 16's recovery).
 *
 * A peering lives in the servers' Raft state. When every server of one side is lost, that side's new datacenter has
 * no peering (or, restored from a Raft snapshot, the peering as it was then: Consul's snapshots carry peerings and
 * their secrets), and the other side's peering is FAILING with nobody to reconnect to. Each side's recovery tick (the
 * `recoverDatacenter` function, every `reconcileRate`) repairs its own half from what it can see: its own peering
 * (`/v1/peering/<name>`), its own SSM, and across regions the one parameter the other side keeps about this peering.
 *
 * **Acceptor** (generates the token, keeps it at `/consul-mesh/<acceptor>/peering/<dialer>/token`). A snapshot that
 * restored its peering restored its secrets too: the dialer reconnects by itself and nothing is done, except:
 * - its peering is gone (its datacenter was lost, no snapshot had it): a new token, which overwrites the stored one;
 *   no live peering uses the old one any more. The new token names a new peering ID.
 * - its peering is PENDING right after a restore (a snapshot older than the establishment): a new token too
 *   (Consul keeps the peering and its ID, with a new establishment secret): the stored token named a secret the
 *   restored datacenter may not hold, and a dialer that established after the snapshot is unknown to it. Only the
 *   restoring tick knows of the restore, and right after it the token may not be generated yet (no mesh gateway
 *   registered: "configured to peer through mesh gateways but no mesh gateways are registered"). So that tick first
 *   records the re-key as owed (`rekeyParameter`: the token Version it replaces), and later ticks re-key a peering
 *   still PENDING while that Version is the stored one; once a new token is stored the record is spent.
 * - restored from a snapshot older than the stored token (the token parameter changed after the snapshot was
 *   taken): a new token, same peering; a dialer that established with the newer token fails against the restored
 *   secrets and re-establishes (its recorded Version is older). Only the restoring tick knows the snapshot's age, so
 *   it records the re-key as owed first too (`<Version>:older-snapshot`), and later ticks re-key while that Version
 *   is the stored one, FAILING, PENDING or ACTIVE: Consul keeps a restored peering's state as Raft stored it (ACTIVE)
 *   while it refuses the dialer's unknown stream secret, and a new token keeps a live stream's secret.
 * - its peering is not ACTIVE and the dialer has asked for a new token (below): a new token, same peering.
 * - ACTIVE, or FAILING without a request: left alone (gateways or the dialer's servers down reconnect by themselves).
 *
 * **Dialer** (establishes; records in the peering's `Meta` the token parameter's Version it used):
 * - ACTIVE, ESTABLISHING, PENDING, DELETING: left alone.
 * - FAILING or TERMINATED: it reads the acceptor's token (cross-region). If the token names another peering ID than
 *   the one it dials (the acceptor lost its peering and generated a new one), or a newer Version than the one it
 *   established with, it deletes its peering and establishes with the new token. Otherwise it is left to reconnect.
 * - gone (its own datacenter was lost, no snapshot had it): it establishes with the acceptor's token. Consul takes an
 *   establishment secret once: a token it used before the loss is refused ("invalid peering establishment secret").
 *   Then it asks the acceptor for a new one: it writes the spent Version to its own
 *   `/consul-mesh/<dialer>/peering/<acceptor>/token-request`, which the acceptor's tick reads across regions. It does
 *   not try a Version it already reported spent.
 *
 * Never flaps: nothing is written while every peering is ACTIVE with its stream heard from, and a FAILING peering
 * whose token is unchanged is never touched. Every write happens under the mesh lock (a deployment's peering stage does
 * the same work).
 */
import type { SsmApi } from '../adapters/ssm';
import type { ChurnLogger, ChurnMetrics } from '../churn/ports';
import { acquireLock, RECOVERY_LOCK_HOLDER, releaseLock, type HolderStatus, type LockDeps } from '../deploy/lock';
import {
  peeringTokenParameter,
  peeringMark,
  peeringTokenPeerId,
  putPeeringToken,
  readTokenParameter,
  rekeyParameter,
  TOKEN_VERSION_META,
  tokenRequestParameter,
  type Peering,
  type PeeringApi,
  type PeeringState,
} from '../deploy/peering';
import { configParameterNames } from '../domain/naming';
import type { MeshSpec, PeerSpec } from '../domain/spec/schema';
import { ConcurrentOperationError } from '../errors';
import { snapshotTakenAt } from './snapshots';

/** How long the dialer waits for its deleted peering to be gone before establishing again (Consul deletes it async). */
const DELETE_WAIT_MS = 10_000;
const DELETE_POLL_MS = 200;

/** Consul's answer to an establishment secret that was already exchanged (peer-stream's ExchangeSecret). */
const SPENT_SECRET = 'invalid peering establishment secret';

/** Where the recovery keeps its requests and records (layers/deploy/peering.ts names them: a peer's removal deletes them). */
export { rekeyParameter, tokenRequestParameter };

export interface PeeringRecoveryDeps {
  /** With the orchestrator's token (`peering = "write"` while the spec has peers). */
  peering: PeeringApi;
  ssm: {
    /** This mesh's region: its token parameters (acceptor), its token requests (dialer), the mesh lock. */
    home: Pick<SsmApi, 'getParameter' | 'putParameter' | 'deleteParameter'>;
    /** Reads in the peer's region: the acceptor's token (dialer), the dialer's token request (acceptor). */
    inRegion(region: string): Pick<SsmApi, 'getParameter'>;
  };
  root?: string;
  holders?: HolderStatus;
  logger: ChurnLogger;
  metrics: ChurnMetrics;
  /** Injectable for tests. */
  sleep?: (ms: number) => Promise<void>;
}

export type PeerRecoveryAction =
  /** Nothing to do: ACTIVE, reconnecting by itself, or waiting for the other side. */
  | 'kept'
  | 'token-generated'
  | 're-established'
  | 'established'
  /** The dialer's token was spent: it asked the acceptor for a new one. */
  | 'token-requested';

export interface PeerRecoveryOutcome {
  name: string;
  role: PeerSpec['role'];
  action: PeerRecoveryAction;
  state: PeeringState;
  reason?: string;
}

/** What the datacenter half of the tick did: whether it restored, and when the snapshot it restored was taken. */
export interface RestoreFacts {
  restored?: boolean;
  /** Epoch ms; only when a snapshot was restored. */
  snapshotTakenAt?: number;
}

export interface PeeringRecoveryResult {
  status: 'checked' | 'deferred';
  peers: PeerRecoveryOutcome[];
}

/**
 * One recovery tick for the spec's peerings (see the file's comment for the rules). `restored`: this run restored the
 * datacenter (a PENDING acceptor peering then gets a new token). Idempotent; writes nothing while every peering is
 * ACTIVE.
 */
export async function recoverPeerings(spec: MeshSpec, deps: PeeringRecoveryDeps, options: RestoreFacts = {}): Promise<PeeringRecoveryResult> {
  if (spec.peers.length === 0) return { status: 'checked', peers: [] };
  const current = new Map<string, Peering | undefined>();
  for (const peer of spec.peers) current.set(peer.name, await deps.peering.read(peer.name));
  // The quiet path: every peering ACTIVE costs one read each, nothing else (and an SSM read or two for an acceptor's
  // peering whose ACTIVE no stream backs yet: the state a restore from a snapshot left, see rekeyDue).
  if (!options.restored && spec.peers.every((peer) => current.get(peer.name)?.State === 'ACTIVE') && !(await anyRekeyDue(spec, current, deps))) {
    return { status: 'checked', peers: spec.peers.map((peer) => ({ name: peer.name, role: peer.role, action: 'kept' as const, state: 'ACTIVE' as const })) };
  }

  const lockName = configParameterNames(spec, deps.root).lock;
  const lockDeps: LockDeps = { ssm: deps.ssm.home, holders: deps.holders };
  try {
    await acquireLock(lockName, RECOVERY_LOCK_HOLDER, lockDeps, 5 * 60 * 1000);
  } catch (error) {
    if (!(error instanceof ConcurrentOperationError)) throw error;
    // A deployment (whose peering stage converges the same peerings), rollout, rotation or teardown runs: next tick.
    deps.logger.info('peerings not checked: the mesh lock is held', { mesh: spec.name, errorMessage: error.message });
    return { status: 'deferred', peers: [] };
  }
  const outcomes: PeerRecoveryOutcome[] = [];
  try {
    for (const peer of spec.peers) {
      // Read again under the lock: a deployment may have changed it since.
      const peering = await deps.peering.read(peer.name);
      const outcome = peer.role === 'acceptor' ? await recoverAcceptor(spec, peer, peering, deps, options) : await recoverDialer(spec, peer, peering, deps);
      outcomes.push(outcome);
      if (outcome.action !== 'kept') {
        deps.logger.warn('peering recovered', { mesh: spec.name, peer: peer.name, role: peer.role, action: outcome.action, reason: outcome.reason });
        deps.metrics.addMetric('PeeringRecovered', 'Count', 1);
      }
    }
  } finally {
    await releaseLock(lockName, RECOVERY_LOCK_HOLDER, lockDeps);
  }
  return { status: 'checked', peers: outcomes };
}

async function recoverAcceptor(spec: MeshSpec, peer: PeerSpec, peering: Peering | undefined, deps: PeeringRecoveryDeps, restore: RestoreFacts): Promise<PeerRecoveryOutcome> {
  const parameter = peeringTokenParameter(spec.name, peer.mesh, deps.root);
  const kept = (state: PeeringState, reason: string): PeerRecoveryOutcome => ({ name: peer.name, role: 'acceptor', action: 'kept', state, reason });
  let reason: string;
  const owed = rekeyParameter(spec.name, peer.mesh, deps.root);
  // The stored token, read once whichever rules below need it.
  let storedRead: ReturnType<typeof readTokenParameter> | undefined;
  const stored = () => (storedRead ??= readTokenParameter(deps.ssm.home, parameter));
  const storedVersion = async () => (await stored())?.Version ?? 0;
  // Recorded before the attempt: a token that cannot be generated or stored now is retried by the next ticks.
  const recordOwed = async (since: RekeyOwed['since']) => {
    await deps.ssm.home.putParameter({ Name: owed, Value: renderRekeyOwed({ version: await storedVersion(), since }), Type: 'String', Overwrite: true, Tier: 'Standard' });
  };
  let owedNow: RekeyOwed | undefined;
  if (!peering) {
    reason = 'the peering is gone (a new datacenter): a new token for a new peering';
  } else if (peering.State === 'DELETING' || peering.State === 'TERMINATED') {
    // TERMINATED: the dialer deleted its side on purpose (its spec dropped the peer); its deployment decides.
    return kept(peering.State, 'not recovered in this state');
  } else if (peering.State === 'PENDING' && restore.restored) {
    reason = 'PENDING after a restore: the stored token may name a secret this datacenter does not hold';
    await recordOwed('pending');
  } else if (restore.snapshotTakenAt !== undefined && ((await stored())?.LastModifiedDate?.getTime() ?? 0) > restore.snapshotTakenAt) {
    // Restored from a snapshot older than the stored token: a dialer may have established with that token since,
    // and its stream secret is not in this datacenter. A new token for the same peering (a working stream keeps its
    // secret) lets a dialer that fails re-establish: its recorded Version no longer matches.
    reason = 'restored from a snapshot older than the stored token';
    await recordOwed('older-snapshot');
  } else if ((owedNow = await readRekeyOwed(deps.ssm.home, owed, storedVersion)) !== undefined && rekeyDue(owedNow, peering)) {
    reason = owedNow.since === 'pending'
      ? 'PENDING with a re-key owed since a restore (its token could not be generated then)'
      : `${peering.State} with a re-key owed since a restore from a snapshot older than its token (it could not be made then)`;
  } else if (peering.State === 'ACTIVE') {
    if (owedNow?.since === 'older-snapshot' && streamHeardFrom(peering)) {
      // A stream authenticated against the restored secrets: the dialer's is here after all, and the re-key is moot.
      // Dropped, so that a later FAILING (gateways down) does not re-key a peering whose dialer holds a working secret.
      await deps.ssm.home.deleteParameter(owed);
      return kept(peering.State, 'ACTIVE with its stream heard from: the re-key owed since the restore is dropped');
    }
    return kept(peering.State, 'ACTIVE');
  } else {
    // FAILING (or PENDING): the dialer's servers or gateways may simply be down. Only the dialer can say that its
    // side has no peering any more and the token was spent: its request names the spent Version.
    const version = (await stored())?.Version;
    const request = await readRequest(deps.ssm.inRegion(peer.region), tokenRequestParameter(peer.mesh, spec.name, deps.root));
    if (version === undefined || request !== version) return kept(peering.State, 'no request for a new token: left to reconnect');
    reason = `the dialer reported token version ${request} spent and has no peering`;
  }
  const token = await deps.peering.generateToken(peer.name, peeringMark(spec.name, peer));
  // The overwrite is safe here: no live peering uses the stored token (it is gone, spent, or never reached Consul).
  // It also spends a re-key record: the parameter's Version moves past the one recorded.
  await putPeeringToken(deps.ssm.home, spec, peer, token, { overwrite: true, root: deps.root });
  return { name: peer.name, role: 'acceptor', action: 'token-generated', state: peering?.State ?? 'PENDING', reason };
}

/**
 * A re-key the acceptor owes since a restore (`rekeyParameter`): the Version of the token parameter it replaces, and
 * why. Its value is `<Version>` for a peering PENDING after the restore (as the first records were written) or
 * `<Version>:older-snapshot` for a restore from a snapshot older than the stored token.
 */
export interface RekeyOwed {
  version: number;
  since: 'pending' | 'older-snapshot';
}

export function renderRekeyOwed(owed: RekeyOwed): string {
  return owed.since === 'pending' ? String(owed.version) : `${owed.version}:${owed.since}`;
}

export function parseRekeyOwed(value: string | undefined): RekeyOwed | undefined {
  const match = value === undefined ? null : /^(\d+)(?::(older-snapshot))?$/.exec(value);
  return match ? { version: Number(match[1]), since: match[2] === 'older-snapshot' ? 'older-snapshot' : 'pending' } : undefined;
}

/**
 * The re-key record if it is still owed: its Version is the stored token's (a new token moves it on: never twice).
 * `storedVersion` reads the token's Version (0 when there is none), only when there is a record.
 */
async function readRekeyOwed(ssm: Pick<SsmApi, 'getParameter'>, owedName: string, storedVersion: () => Promise<number>): Promise<RekeyOwed | undefined> {
  const owed = parseRekeyOwed((await readTokenParameter(ssm, owedName))?.Value);
  if (!owed) return undefined;
  return owed.version === (await storedVersion()) ? owed : undefined;
}

/**
 * Whether an owed re-key is made in the peering's current state:
 * - since a PENDING restore: only while PENDING. A peering that left PENDING has had a dialer connect with a secret
 *   this datacenter holds; a new token would have that dialer re-establish on its next FAILING for nothing.
 * - since a restore from an older snapshot: PENDING, FAILING, or ACTIVE with no stream heard from. Consul keeps a
 *   peering's state as Raft stored it and reports FAILING only for a stream its tracker knows; a dialer whose stream
 *   secret is not in the restored datacenter is refused before it is tracked ("invalid peering stream secret"), so
 *   that peering reads ACTIVE while its dialer is FAILING. Re-keying it is safe: Consul's GenerateToken for an
 *   existing peering replaces only the establishment secret and keeps the stream secrets, so a stream that does work
 *   is not cut (Consul's `peeringSecretsWriteTxn`, agent/consul/state/peering.go: "Merge in existing stream secrets
 *   when persisting a new establishment secret"). ACTIVE with a heartbeat is a stream that authenticated: nothing to re-key (recoverAcceptor drops it).
 */
function rekeyDue(owed: RekeyOwed, peering: Peering): boolean {
  if (owed.since === 'pending') return peering.State === 'PENDING';
  return peering.State === 'PENDING' || peering.State === 'FAILING' || (peering.State === 'ACTIVE' && !streamHeardFrom(peering));
}

/**
 * Whether Consul's stream tracker has heard from this peering's peer (`StreamStatus.LastHeartbeat`, Consul 1.15+; a
 * Consul without it reads as never heard from, which costs the quiet path a record read, nothing more).
 */
function streamHeardFrom(peering: Peering): boolean {
  return Boolean(peering.StreamStatus?.LastHeartbeat);
}

/**
 * Whether the quiet path must give way: an acceptor's peering ACTIVE with no stream heard from whose re-key is still
 * owed (see rekeyDue). Peerings with a live stream cost nothing more than their read.
 */
async function anyRekeyDue(spec: MeshSpec, current: Map<string, Peering | undefined>, deps: PeeringRecoveryDeps): Promise<boolean> {
  for (const peer of spec.peers) {
    const peering = current.get(peer.name);
    if (peer.role !== 'acceptor' || !peering || streamHeardFrom(peering)) continue;
    const token = peeringTokenParameter(spec.name, peer.mesh, deps.root);
    const owed = await readRekeyOwed(deps.ssm.home, rekeyParameter(spec.name, peer.mesh, deps.root), async () => (await readTokenParameter(deps.ssm.home, token))?.Version ?? 0);
    if (owed && rekeyDue(owed, peering)) return true;
  }
  return false;
}

async function recoverDialer(spec: MeshSpec, peer: PeerSpec, peering: Peering | undefined, deps: PeeringRecoveryDeps): Promise<PeerRecoveryOutcome> {
  const outcome = (action: PeerRecoveryAction, state: PeeringState, reason: string): PeerRecoveryOutcome => ({ name: peer.name, role: 'dialer', action, state, reason });
  if (peering && peering.State !== 'FAILING' && peering.State !== 'TERMINATED') return outcome('kept', peering.State, 'not recovered in this state');
  const stored = await readTokenParameter(deps.ssm.inRegion(peer.region), peeringTokenParameter(peer.mesh, spec.name, deps.root));
  if (stored?.Value === undefined || stored.Version === undefined) {
    return outcome('kept', peering?.State ?? 'UNDEFINED', `mesh "${peer.mesh}" in ${peer.region} keeps no token for this mesh`);
  }
  let action: PeerRecoveryAction = 'established';
  if (peering) {
    const changed = tokenChanged(peering, stored.Value, stored.Version);
    if (!changed) return outcome('kept', peering.State, 'the acceptor\'s token is unchanged: left to reconnect');
    await deps.peering.delete(peer.name);
    if (!(await gone(peer.name, deps))) return outcome('kept', 'DELETING', `${changed}; deleted, establishing on the next tick`);
    action = 're-established';
  }
  const requestName = tokenRequestParameter(spec.name, peer.mesh, deps.root);
  if (!peering && (await readRequest(deps.ssm.home, requestName)) === stored.Version) {
    return outcome('kept', 'UNDEFINED', `token version ${stored.Version} is spent: waiting for the acceptor's new token`);
  }
  try {
    await deps.peering.establish(peer.name, stored.Value, { ...peeringMark(spec.name, peer), [TOKEN_VERSION_META]: String(stored.Version) });
  } catch (error) {
    if (!(error as Error).message.includes(SPENT_SECRET)) throw error;
    // Used before this datacenter was lost: only the acceptor can make a new one. Ask it (its tick reads this).
    await deps.ssm.home.putParameter({ Name: requestName, Value: String(stored.Version), Type: 'String', Overwrite: true, Tier: 'Standard' });
    return outcome('token-requested', 'UNDEFINED', `token version ${stored.Version} was spent: asked mesh "${peer.mesh}" for a new one`);
  }
  return outcome(action, 'ESTABLISHING', `established with token version ${stored.Version}`);
}

/**
 * Why a dialer's failing peering needs the acceptor's new token, or undefined when the token is the one it dials
 * with: another peering ID (the acceptor's peering was lost and made anew), or a newer Version than the one recorded
 * in its `Meta` when it established (the acceptor re-keyed the same peering).
 */
function tokenChanged(peering: Peering, token: string, version: number): string | undefined {
  const peerId = peeringTokenPeerId(token);
  if (peerId !== undefined && peering.PeerID !== undefined && peerId !== peering.PeerID) return 'the acceptor\'s token names another peering';
  const recorded = peering.Meta?.[TOKEN_VERSION_META];
  if (recorded !== undefined && recorded !== String(version)) return `the acceptor's token moved from version ${recorded} to ${version}`;
  return undefined;
}

async function gone(name: string, deps: PeeringRecoveryDeps): Promise<boolean> {
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const deadline = Date.now() + DELETE_WAIT_MS;
  for (;;) {
    if ((await deps.peering.read(name)) === undefined) return true;
    if (Date.now() > deadline) return false;
    await sleep(DELETE_POLL_MS);
  }
}

async function readRequest(ssm: Pick<SsmApi, 'getParameter'>, name: string): Promise<number | undefined> {
  const value = (await readTokenParameter(ssm, name))?.Value;
  return value === undefined || !/^\d+$/.test(value) ? undefined : Number(value);
}

/** What a recovery tick needs to check peerings: the deployed spec and the peering wiring, both on first use. */
export interface PeeringTickDeps {
  /** The deployed spec (Consul KV, as the reconcile reads it); undefined for a mesh never deployed. */
  spec(): Promise<MeshSpec | undefined>;
  peerings(): Promise<PeeringRecoveryDeps>;
  logger: ChurnLogger;
}

/**
 * The peering half of a recovery tick, after the datacenter half: only when the datacenter is whole (intact, or
 * restored in this run), and only for a spec with peers. A failure is logged and left to the next tick: it never
 * fails the tick, whose restore is done.
 */
export async function recoverPeeringsAfter(datacenter: { status: string; snapshot?: string }, deps: PeeringTickDeps): Promise<PeeringRecoveryResult | { status: 'failed'; error: string } | undefined> {
  if (datacenter.status !== 'intact' && datacenter.status !== 'restored') return undefined;
  try {
    const spec = await deps.spec();
    if (!spec || spec.peers.length === 0) return undefined;
    const snapshot = datacenter.status === 'restored' && datacenter.snapshot ? snapshotTakenAt(datacenter.snapshot) : undefined;
    return await recoverPeerings(spec, await deps.peerings(), { restored: datacenter.status === 'restored', ...(snapshot === undefined ? {} : { snapshotTakenAt: snapshot }) });
  } catch (error) {
    deps.logger.error('peerings not recovered: retried on the next tick', { error });
    return { status: 'failed', error: `${(error as Error).name}: ${(error as Error).message}` };
  }
}
