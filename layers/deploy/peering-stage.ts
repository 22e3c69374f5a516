import * as z from 'zod/mini';
import type { MeshSpec, PeerSpec } from '../domain/spec/schema';
import { PeerSchema } from '../domain/spec/schema';
import { ensurePeerings, markedPeers, removePeerings, type PeerOutcome, type PeeringDeps, type PeeringState } from './peering';
import type { PeeringPlan, PeeringStatus } from './schemas';

/**
 * The peering stage of a deployment (state-machines/deploy-mesh.asl.json: after the mesh gateway stage, before the
 * service clusters). It runs after ApplyConfigEntries, which wrote the `mesh` entry with
 * `Peering.PeerThroughMeshGateways`: a token generated before it would carry the servers' addresses instead of the
 * gateway's WAN address. The ensure step deletes the peerings the deployed spec had and the spec no longer has,
 * then converges the spec's (peering.ts); the check step is one round of the wait for the dialer's peerings to be
 * ACTIVE, bounded by the plan's rounds as the ECS stages are.
 */

/** Whether a peer of the deployed spec is kept by `spec`: the same name, role and other mesh (removePeerings' rule). */
const samePeer = (a: PeerSpec, b: PeerSpec) => a.name === b.name && a.role === b.role && a.mesh === b.mesh;

type RemovedPeer = Pick<PeerSpec, 'name' | 'mesh' | 'region' | 'role'>;

/**
 * The peers that `spec` drops (or changes: a peer renamed, or whose role or mesh changed, is deleted and made anew):
 * those of the deployed spec (what the last deployment stored in Consul KV, read loosely: a peer entry that does not
 * parse is not one this product wrote), and those of the peerings Consul lists with this mesh's mark (`marked`,
 * peering.ts's markedPeers). The marks cover a deployment that stored its spec and stopped before its peering stage:
 * the deployed spec no longer names the peers it dropped, Consul still has their peerings.
 */
export function removedPeers(spec: Pick<MeshSpec, 'peers'>, deployedSpec: unknown, marked: readonly RemovedPeer[] = []): RemovedPeer[] {
  const previous = (deployedSpec as { peers?: unknown } | undefined)?.peers;
  const peers: RemovedPeer[] = (Array.isArray(previous) ? previous : []).flatMap((p) => {
    const parsed = z.safeParse(PeerSchema, p);
    return parsed.success ? [parsed.data] : [];
  });
  for (const peer of marked) if (!peers.some((p) => p.name === peer.name)) peers.push(peer);
  return peers.filter((p) => !spec.peers.some((kept) => samePeer(kept, p)));
}

/**
 * The ensure step: deletes the removed peerings (and an acceptor's token parameter), then generates and stores the
 * acceptor's tokens and establishes the dialer's peerings. Ready at once when no dialer waits for ACTIVE.
 *
 * @throws PeeringTokenMissing when a dialer's acceptor has not stored its token (deploy that mesh first); the state
 *   machine does not retry it. Nothing is half-created then: the removals before it are what the spec asks anyway.
 */
export async function ensurePeeringStage(spec: MeshSpec, plan: Pick<PeeringPlan, 'removed'>, deps: PeeringDeps): Promise<PeeringStatus> {
  // What the plan saw, and what Consul lists now with this mesh's mark (a peering made since the plan, or one the
  // plan could not list): both converge on the spec.
  const marked = removedPeers(spec, undefined, markedPeers(spec.name, await deps.peering.list())).filter((p) => !plan.removed.some((r) => r.name === p.name));
  const toRemove = [...plan.removed, ...marked];
  const removed = toRemove.length > 0 ? await removePeerings(spec, { name: spec.name, peers: toRemove }, deps) : [];
  const ensured = await ensurePeerings(spec, deps);
  return statusOf([...removed, ...ensured], 0);
}

/** One round of the wait: reads each dialer peering's state; ready once every one is ACTIVE. */
export async function checkPeeringStage(spec: MeshSpec, previous: PeeringStatus, deps: Pick<PeeringDeps, 'peering'>): Promise<PeeringStatus> {
  const peers: PeeringStatus['peers'] = [];
  for (const peer of previous.peers) {
    if (peer.role !== 'dialer' || peer.action === 'deleted' || !spec.peers.some((p) => p.name === peer.name)) {
      peers.push(peer);
      continue;
    }
    peers.push({ ...peer, state: (await deps.peering.read(peer.name))?.State ?? 'UNDEFINED' });
  }
  return statusOf(peers, previous.round + 1);
}

function statusOf(peers: Array<PeerOutcome | PeeringStatus['peers'][number]>, round: number): PeeringStatus {
  const waiting = peers.filter((p) => p.role === 'dialer' && p.action !== 'deleted' && (p.state as PeeringState | undefined) !== 'ACTIVE');
  return {
    ready: waiting.length === 0,
    round,
    waitingFor: waiting.map((p) => `peering "${p.name}" ${p.state ?? 'UNDEFINED'}`).join(', '),
    peers: peers.map((p) => ({ name: p.name, role: p.role, ...(p.action ? { action: p.action } : {}), ...(p.state ? { state: p.state } : {}) })),
  };
}

/** Whether the stage changed anything (a token generated, a peering established or deleted): the summary's noChange. */
export function peeringChanged(status: Pick<PeeringStatus, 'peers'> | undefined): boolean {
  return (status?.peers ?? []).some((p) => p.action === 'token-generated' || p.action === 'established' || p.action === 'deleted');
}
