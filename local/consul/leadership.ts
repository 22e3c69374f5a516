import { createHash } from 'node:crypto';

/**
 * Who leads the emulated Raft cluster, and whether its state survives the servers that hold it.
 *
 * Raft elects a leader only while a majority of the configured servers (`bootstrap_expect`) is up:
 * quorum = floor(expected / 2) + 1. Peers are the servers that run. A leader keeps its role while it stays up;
 * otherwise the first running server in address order takes over, so the answer is deterministic.
 *
 * Durability: a datacenter's state lives in its servers' data directories (a Fargate task's storage lives as long as
 * the task). A server that joins while a leader exists replicates the log and becomes one of the *members* that hold
 * the state; a server that stops takes its copy with it. The state survives only while a quorum of members runs:
 * once fewer remain, the datacenter is gone, and the next quorum of running servers bootstraps a new, empty one
 * (`onNewDatacenter`), with a fresh Raft index. (Real Consul is harsher in one case: when a minority of the old
 * servers still runs, no leader is elected until an operator recovers the cluster with `peers.json`; here that
 * minority joins the new datacenter.) The first quorum after the emulator starts adopts the state it started with
 * (empty, or restored from the local cloud's data directory, which stands for the servers' disks).
 *
 * Catching up: a server that joins an existing datacenter replicates the leader's log (or a snapshot of it) and is
 * promoted to a voter by autopilot once it has been healthy for `server_stabilization_time` (10 s by default). Until
 * then it holds no copy of the state that counts and no vote: it is not a member. `catchUpMs` models that delay
 * (0: at once); autopilot's server health (`/v1/operator/autopilot/health`) reports it (`servers` of the view). A
 * server that stops before it caught up never held the state; a quorum lost meanwhile is lost. The servers of a new
 * datacenter bootstrap together (`bootstrap_expect`): they are voters from the start.
 */

/**
 * Supplies the cluster as the ECS simulation sees it: how many servers are expected and which ones run, and the node
 * ID (Raft ID) of each by its address, when known (autopilot lists servers by it).
 */
export type QuorumSource = () => { expected: number; serverAddresses: string[]; serverIds?: Readonly<Record<string, string>> };

/** The Raft RPC port servers listen on. */
export const SERVER_RPC_PORT = 8300;

/** The standalone emulator acts as one healthy server on loopback. */
export const STANDALONE_SERVER = `127.0.0.1:${SERVER_RPC_PORT}`;

export interface RaftView {
  /** `ip:8300` of the leader, or undefined when there is no quorum. */
  readonly leader: string | undefined;
  /** `ip:8300` of every running server, in address order. */
  readonly peers: readonly string[];
  /** Each running server as autopilot sees it, in the order of `peers`. */
  readonly servers?: readonly RaftServer[];
  /** The Raft term: grows with every change of leader. */
  readonly term?: number;
}

/** One running server: a member holds the state and votes; one that is not is still catching up (or waits for a quorum). */
export interface RaftServer {
  /** `ip:8300`. */
  readonly address: string;
  /** The node ID (Raft ID), from the source, else derived from the address. */
  readonly id: string;
  readonly member: boolean;
  /** Since when it is in its current state (member, or catching up / waiting), epoch ms. */
  readonly since: number;
  /** How far it has caught up with the leader's log, 0 to 1 (1 for members). */
  readonly progress: number;
}

/** A stable UUID-shaped ID for a server known only by its address. */
function derivedServerId(address: string): string {
  const hex = createHash('sha1').update(`server/${address}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

function withPort(address: string): string {
  return address.includes(':') ? address : `${address}:${SERVER_RPC_PORT}`;
}

/** Numeric IPv4 order (10.0.0.9 before 10.0.0.10), falling back to text order for anything else. */
function compareAddresses(a: string, b: string): number {
  const pa = a.split(':')[0].split('.').map(Number);
  const pb = b.split(':')[0].split('.').map(Number);
  if (pa.length === 4 && pb.length === 4 && [...pa, ...pb].every((n) => Number.isInteger(n))) {
    for (let i = 0; i < 4; i++) if (pa[i] !== pb[i]) return pa[i] - pb[i];
    return 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

export class Leadership {
  private currentLeader: string | undefined;
  /** Running servers that hold the datacenter's state (`ip:8300`). */
  private readonly members = new Set<string>();
  /** True until the first quorum forms: it adopts the state the emulator holds. */
  private adoptable = true;
  /** Datacenters bootstrapped after the first (each one a full loss of the state). */
  private losses = 0;
  /** Running servers catching up with the leader: when each started to (epoch ms). */
  private readonly joining = new Map<string, number>();
  /** When each member became one (epoch ms). */
  private readonly memberSince = new Map<string, number>();
  private term = 0;

  /**
   * @param onNewDatacenter called when a new quorum forms after the previous datacenter lost its quorum of members:
   *   the store must start empty.
   * @param catchUpMs how long a server joining an existing datacenter takes to become a caught-up voter (0: at once).
   */
  constructor(
    private source?: QuorumSource,
    private readonly onNewDatacenter?: () => void,
    private readonly catchUpMs = 0,
  ) {}

  /** Replace the source (e.g. once the ECS simulation is wired in). */
  setSource(source: QuorumSource | undefined): void {
    this.source = source;
    this.currentLeader = undefined;
    this.members.clear();
    this.joining.clear();
    this.memberSince.clear();
    this.adoptable = true;
  }

  /** How many times every server holding the state was lost (a new datacenter was bootstrapped). */
  get datacentersLost(): number {
    return this.losses;
  }

  /**
   * Looks at the running servers and updates who holds the state. Call it on every change of a server task (the
   * local cloud does, from the ECS simulation), so that a roll of servers between two requests is seen step by step;
   * {@link view} calls it too.
   */
  observe(): RaftView {
    if (!this.source) return { leader: STANDALONE_SERVER, peers: [STANDALONE_SERVER] };
    const { expected, serverAddresses, serverIds } = this.source();
    const now = Date.now();
    const peers = [...new Set(serverAddresses.map(withPort))].sort(compareAddresses);
    const quorum = Math.floor(expected / 2) + 1;
    // A server whose catch-up ended before this look is a member: had the quorum been lost meanwhile, the look that
    // saw it (every server task change is one) would have forgotten who was joining.
    for (const [peer, since] of [...this.joining]) {
      if (!peers.includes(peer)) this.joining.delete(peer);
      else if (now - since >= this.catchUpMs && this.members.size >= quorum) this.admit(peer, now);
    }
    for (const member of [...this.members]) if (!peers.includes(member)) this.forget(member);
    const quorate = peers.length > 0 && peers.length >= quorum;
    if (this.adoptable) {
      if (quorate) {
        this.adoptable = false;
        for (const peer of peers) this.admit(peer, now);
      }
    } else if (this.members.size < quorum || this.members.size === 0) {
      // Fewer members than a quorum: no log entry can be committed any more, the state is lost with them.
      for (const member of [...this.members]) this.forget(member);
      this.joining.clear();
      if (quorate) {
        this.losses += 1;
        this.onNewDatacenter?.();
        // A new datacenter: its servers bootstrap together, voters from the start.
        for (const peer of peers) this.admit(peer, now);
      }
    } else {
      // A leader exists: every running server replicates its log, and holds the state once it caught up.
      for (const peer of peers) {
        if (this.members.has(peer)) continue;
        if (this.catchUpMs <= 0) this.admit(peer, now);
        else if (!this.joining.has(peer)) this.joining.set(peer, now);
      }
    }
    const servers = peers.map((address): RaftServer => {
      const member = this.members.has(address);
      const since = (member ? this.memberSince.get(address) : this.joining.get(address)) ?? now;
      const progress = member ? 1 : this.joining.has(address) && this.catchUpMs > 0 ? Math.min(1, (now - since) / this.catchUpMs) : 0;
      return { address, id: serverIds?.[address.split(':')[0]] ?? derivedServerId(address), member, since, progress };
    });
    if (this.members.size === 0 || this.members.size < quorum) {
      this.currentLeader = undefined;
      return { leader: undefined, peers, servers, term: this.term };
    }
    if (!this.currentLeader || !this.members.has(this.currentLeader)) {
      this.currentLeader = peers.find((peer) => this.members.has(peer));
      this.term += 1;
    }
    return { leader: this.currentLeader, peers, servers, term: this.term };
  }

  private admit(peer: string, now: number): void {
    this.joining.delete(peer);
    if (this.members.has(peer)) return;
    this.members.add(peer);
    this.memberSince.set(peer, now);
  }

  private forget(member: string): void {
    this.members.delete(member);
    this.memberSince.delete(member);
  }

  /** The leader and peers now. */
  view(): RaftView {
    return this.observe();
  }
}
