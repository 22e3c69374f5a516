import type { MeshView } from '../../../layers/api/mesh';

type Peer = NonNullable<MeshView['peers']>[number];

/**
 * Peering states that need someone to act: Consul reports FAILING when the stream to the peer broke (mesh gateways
 * unreachable, heartbeats missed) and TERMINATED when the peer deleted the peering (a new token is needed).
 */
const PROBLEMS = new Set(['FAILING', 'TERMINATED']);

/** What each state of Consul's peering lifecycle means here, in a sentence. */
function explain(peer: Peer): string {
  switch (peer.state) {
    case 'PENDING':
      return 'token generated, waiting for the dialer';
    case 'ESTABLISHING':
      return 'dialling the peer';
    case 'ACTIVE':
      return 'connected';
    case 'FAILING':
      return 'the stream to the peer is failing: check both mesh gateways';
    case 'DELETING':
      return 'being deleted';
    case 'TERMINATED':
      return 'the peer deleted the peering: establish it again with a new token';
    case 'UNDEFINED':
      return peer.role === 'acceptor' ? 'no peering yet: not dialled' : 'no peering yet: the acceptor is not deployed';
    default:
      return '';
  }
}

export interface PeerRow extends Peer {
  problem: boolean;
  /** The state in a sentence. */
  note: string;
  /** This mesh's services whose upstreams reach the peer, as `users → todos`. */
  usedBy: string[];
}

/** The peers of the mesh view, each with whether its state is a problem and which local upstreams use it. Pure. */
export function peerRows(view: MeshView): PeerRow[] {
  const upstreams = view.clusters.flatMap((c) => c.services.flatMap((s) => (s.upstreams ?? []).filter((u) => u.peer).map((u) => ({ from: s.name, ...u }))));
  return (view.peers ?? []).map((peer) => ({
    ...peer,
    problem: PROBLEMS.has(peer.state),
    note: explain(peer),
    usedBy: upstreams.filter((u) => u.peer === peer.name).map((u) => `${u.from} → ${u.service}`),
  }));
}

/** The node id of a service imported from a peer (never a local service's id: those have no `/`). */
export function importedNodeId(peer: string, service: string): string {
  return `peer:${peer}/${service}`;
}
