import type { MeshView } from '../../../layers/api/mesh';
import { findDrift, type Drift } from '../../../layers/api/drift';
import { importedNodeId } from './peers';

/**
 * The mesh as a graph: services (grouped by cluster) and the edges between them: each upstream a service's sidecar
 * binds, each intention (allow or deny) and the ingress gateway's routes. An upstream that names a peer reaches that
 * peer's exported service (Consul's `DestinationPeer`), drawn as an "imported" node of its own. Drift comes from the
 * same check as `meshctl mesh --check` (layers/api/drift.ts). Pure.
 */
export interface TopologyNode {
  id: string;
  cluster: string;
  role: string;
  label: string;
  /** running/desired and Consul's view, in words. */
  lines: string[];
  /** Worst state of its instances: passing, critical, or a drift kind. */
  state: string;
}

export interface TopologyEdge {
  from: string;
  to: string;
  kind: 'upstream' | 'allow' | 'deny' | 'route';
  label: string;
}

export interface Topology {
  nodes: TopologyNode[];
  edges: TopologyEdge[];
  drift: Drift[];
  /** Drift per task id and per stale instance id, for the task tables. */
  driftByInstance: Map<string, Drift[]>;
}

export function buildTopology(view: MeshView): Topology {
  const drift = findDrift(view);
  const nodes: TopologyNode[] = [];
  const services = new Set<string>();
  for (const cluster of view.clusters) {
    for (const service of cluster.services) {
      services.add(service.name);
      const mine = drift.filter((d) => d.cluster === cluster.name && d.service === service.name);
      const passing = service.tasks.filter((t) => t.consul?.passing).length;
      nodes.push({
        id: service.name,
        cluster: cluster.name,
        role: service.role,
        label: service.name,
        lines: [
          `${cluster.name} · ${service.runningCount}/${service.desiredCount} running`,
          service.role === 'server' ? `leader ${view.consul.leader || '(none)'}` : `${passing} passing in Consul`,
          ...(mine.length > 0 ? [`${mine.length} drift`] : []),
        ],
        state: mine[0]?.kind ?? (service.role === 'server' ? 'server' : service.tasks.length > 0 && passing < service.tasks.length ? 'critical' : 'passing'),
      });
    }
  }
  const edges: TopologyEdge[] = [];
  for (const cluster of view.clusters) {
    for (const service of cluster.services) {
      for (const up of service.upstreams ?? []) {
        if (up.peer) {
          const id = importedNodeId(up.peer, up.service);
          if (!nodes.some((n) => n.id === id)) nodes.push(importedNode(view, up.peer, up.service));
          edges.push({ from: service.name, to: id, kind: 'upstream', label: `upstream :${up.localBindPort}` });
        } else if (services.has(up.service)) edges.push({ from: service.name, to: up.service, kind: 'upstream', label: `upstream :${up.localBindPort}` });
      }
    }
  }
  for (const intention of view.intentions ?? []) {
    if (intention.source === '*' || !services.has(intention.source) || !services.has(intention.destination)) continue;
    edges.push({ from: intention.source, to: intention.destination, kind: intention.action, label: `intention ${intention.action}` });
  }
  if (view.ingress && services.has(view.ingress.name)) {
    for (const listener of view.ingress.listeners) {
      const targets = listener.services.includes('*') ? [...services].filter((s) => nodes.find((n) => n.id === s)?.role === 'service') : listener.services;
      for (const target of targets) {
        if (services.has(target) && !edges.some((e) => e.from === view.ingress?.name && e.to === target && e.kind === 'route')) {
          edges.push({ from: view.ingress.name, to: target, kind: 'route', label: `:${listener.port} ${listener.protocol}` });
        }
      }
    }
  }
  const driftByInstance = new Map<string, Drift[]>();
  for (const cluster of view.clusters) {
    for (const service of cluster.services) {
      for (const task of service.tasks) {
        const mine = drift.filter((d) => d.cluster === cluster.name && d.service === service.name && (d.detail.includes(task.taskId) || (task.consul && d.detail.includes(task.consul.id))));
        if (mine.length > 0) driftByInstance.set(task.taskId, mine);
      }
      for (const stale of service.stale ?? []) {
        driftByInstance.set(stale.id, drift.filter((d) => d.kind === 'stale' && d.detail.startsWith(`${stale.id} `)));
      }
    }
  }
  return { nodes, edges, drift, driftByInstance };
}

/**
 * A peer's service that an upstream of this mesh calls: its state is the peering's, or `not-imported` while the
 * peering is ACTIVE but the peer does not export that service to this mesh (the upstream then has no endpoints).
 */
function importedNode(view: MeshView, peerName: string, service: string): TopologyNode {
  const peer = view.peers?.find((p) => p.name === peerName);
  const state = !peer ? 'UNDEFINED' : peer.state === 'ACTIVE' && !peer.importedServices.includes(service) ? 'not-imported' : peer.state;
  return {
    id: importedNodeId(peerName, service),
    cluster: `peer:${peerName}`,
    role: 'imported',
    label: `${service} (${peerName})`,
    lines: [`imported from peer ${peerName}`, ...(peer ? [`${peer.mesh} · ${peer.region}`] : []), ...(state === 'not-imported' ? [`not exported by ${peerName}`] : [])],
    state,
  };
}

/** The revision of a task-definition ARN: `...:task-definition/users:7` → 7. */
export function revisionOf(arn: string | undefined): string {
  const match = arn?.match(/:(\d+)$/);
  return match ? match[1] : '-';
}
