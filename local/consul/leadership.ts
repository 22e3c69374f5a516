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
 */

/** Supplies the cluster as the ECS simulation sees it: how many servers are expected and which ones run. */
export type QuorumSource = () => { expected: number; serverAddresses: string[] };

/** The Raft RPC port servers listen on. */
export const SERVER_RPC_PORT = 8300;

/** The standalone emulator acts as one healthy server on loopback. */
export const STANDALONE_SERVER = `127.0.0.1:${SERVER_RPC_PORT}`;

export interface RaftView {
  /** `ip:8300` of the leader, or undefined when there is no quorum. */
  readonly leader: string | undefined;
  /** `ip:8300` of every running server, in address order. */
  readonly peers: readonly string[];
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

  /**
   * @param onNewDatacenter called when a new quorum forms after the previous datacenter lost its quorum of members:
   *   the store must start empty.
   */
  constructor(
    private source?: QuorumSource,
    private readonly onNewDatacenter?: () => void,
  ) {}

  /** Replace the source (e.g. once the ECS simulation is wired in). */
  setSource(source: QuorumSource | undefined): void {
    this.source = source;
    this.currentLeader = undefined;
    this.members.clear();
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
    const { expected, serverAddresses } = this.source();
    const peers = [...new Set(serverAddresses.map(withPort))].sort(compareAddresses);
    const quorum = Math.floor(expected / 2) + 1;
    for (const member of [...this.members]) if (!peers.includes(member)) this.members.delete(member);
    const quorate = peers.length > 0 && peers.length >= quorum;
    if (this.adoptable) {
      if (quorate) {
        this.adoptable = false;
        for (const peer of peers) this.members.add(peer);
      }
    } else if (this.members.size < quorum || this.members.size === 0) {
      // Fewer members than a quorum: no log entry can be committed any more, the state is lost with them.
      this.members.clear();
      if (quorate) {
        this.losses += 1;
        this.onNewDatacenter?.();
        for (const peer of peers) this.members.add(peer);
      }
    } else {
      // A leader exists: every running server replicates its log (catching up is immediate here).
      for (const peer of peers) this.members.add(peer);
    }
    if (this.members.size === 0 || this.members.size < quorum) {
      this.currentLeader = undefined;
      return { leader: undefined, peers };
    }
    if (!this.currentLeader || !this.members.has(this.currentLeader)) this.currentLeader = peers.find((peer) => this.members.has(peer));
    return { leader: this.currentLeader, peers };
  }

  /** The leader and peers now. */
  view(): RaftView {
    return this.observe();
  }
}
