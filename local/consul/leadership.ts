/**
 * Who leads the emulated Raft cluster.
 *
 * Raft elects a leader only while a majority of the configured servers (`bootstrap_expect`) is up:
 * quorum = floor(expected / 2) + 1. Peers are the servers that run. A leader keeps its role while it stays up;
 * otherwise the first running server in address order takes over, so the answer is deterministic.
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

  constructor(private source?: QuorumSource) {}

  /** Replace the source (e.g. once the ECS simulation is wired in). */
  setSource(source: QuorumSource | undefined): void {
    this.source = source;
    this.currentLeader = undefined;
  }

  /** The leader and peers now. */
  view(): RaftView {
    if (!this.source) return { leader: STANDALONE_SERVER, peers: [STANDALONE_SERVER] };
    const { expected, serverAddresses } = this.source();
    const peers = [...new Set(serverAddresses.map(withPort))].sort(compareAddresses);
    const quorum = Math.floor(expected / 2) + 1;
    if (peers.length === 0 || peers.length < quorum) {
      this.currentLeader = undefined;
      return { leader: undefined, peers };
    }
    if (!this.currentLeader || !peers.includes(this.currentLeader)) this.currentLeader = peers[0];
    return { leader: this.currentLeader, peers };
  }
}
