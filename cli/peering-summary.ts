import type { MeshView } from '../layers/api/mesh';
import { createApiBackend } from './backend-factory';
import type { CliDeps } from './cli-deps';
import { renderPeers } from './mesh';

/** One deployed mesh's HTTP API (each region's stack has its own). */
export interface MeshApiTarget {
  apiUrl: string;
  token: string;
}

type Peers = NonNullable<MeshView['peers']>;

/**
 * Whether what the meshes report about each other has settled: every peering ACTIVE, and each side importing what
 * the other side exports to it. The dialer's deployment ends once its side is ACTIVE; the acceptor's side and the
 * imports follow with the peering's stream (Consul replicates exported services once the stream is up).
 */
export function peeringSettled(views: ReadonlyArray<Pick<MeshView, 'mesh' | 'peers'>>): boolean {
  for (const view of views) {
    for (const peer of view.peers ?? []) {
      if (peer.state !== 'ACTIVE') return false;
      const other = views.find((v) => v.mesh === peer.mesh)?.peers?.find((p) => p.mesh === view.mesh);
      if (other && [...other.exportedServices].sort().join() !== [...peer.importedServices].sort().join()) return false;
    }
  }
  return true;
}

/**
 * The closing words of `npm start` with two specs: each mesh's peers (the rows of `meshctl mesh`), read from each
 * mesh's own API once the peering has settled (bounded by `timeoutMs`; what is there then is shown as it is). Empty
 * when no mesh has peers.
 */
export async function renderPeeringSummary(
  targets: readonly MeshApiTarget[],
  deps: Pick<CliDeps, 'env' | 'fetch' | 'sleep'>,
  options: { timeoutMs?: number; intervalMs?: number; now?: () => number } = {},
): Promise<string[]> {
  const now = options.now ?? Date.now;
  const deadline = now() + (options.timeoutMs ?? 10_000);
  const read = () => Promise.all(targets.map((t) => createApiBackend({ apiUrl: t.apiUrl, token: t.token }, deps).getMesh()));
  let views = await read();
  if (views.every((v) => (v.peers ?? []).length === 0)) return [];
  while (!peeringSettled(views) && now() < deadline) {
    await deps.sleep(options.intervalMs ?? 250);
    views = await read();
  }
  const lines = [peeringSettled(views) ? 'Cluster peering: every peering ACTIVE, each mesh importing what its peer exports to it.' : 'Cluster peering: not settled yet (see the states below; meshctl mesh shows them again).'];
  for (const view of views) {
    const peers: Peers = view.peers ?? [];
    if (peers.length === 0) continue;
    lines.push('', `Mesh "${view.mesh}":`, ...renderPeers({ peers }).slice(0, -1).map((line) => `  ${line}`));
  }
  return lines;
}
