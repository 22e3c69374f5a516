import type { DeploymentView } from '../api';

/**
 * A deployment as a graph of its stages (state-machines/deploy-mesh.asl.json): plan → images → configuration →
 * servers → mesh gateway → peering → one node per service cluster, in parallel → ingress → removals → summary. Pure: the view lays it out
 * (model/layout.ts) and draws it; a plan (POST /plans) is shown with the same graph (planGraph).
 */
export interface StageNode {
  id: string;
  label: string;
  /** A StageState (pending, running, done, failed, cancelled, skipped). */
  state: string;
  /** Short lines under the label: what it waits for, counts, retries, timing, the cause of a failure. */
  lines: string[];
}

export interface StageGraph {
  nodes: StageNode[];
  edges: Array<{ from: string; to: string }>;
}

const LABELS: Record<string, string> = {
  plan: 'Plan',
  images: 'Images',
  config: 'Configuration',
  servers: 'Consul servers',
  'mesh-gateway': 'Mesh gateway',
  peering: 'Cluster peering',
  services: 'Service clusters',
  ingress: 'Ingress gateway',
  removals: 'Removals',
  summary: 'Summary',
};

type Stage = DeploymentView['stages'][number];

/** The graph of a deployment as GET /deployments/{id} reports it. */
export function deploymentGraph(view: DeploymentView, now: number = Date.now()): StageGraph {
  const stages = view.stages as Stage[];
  const nodes: StageNode[] = [];
  const edges: StageGraph['edges'] = [];
  let previous: string[] = [];
  for (const stage of stages) {
    const ids: string[] = [];
    if (stage.name === 'services') {
      const clusters = [...new Set(view.services.filter((s) => s.stage === 'services').map((s) => s.cluster))];
      for (const cluster of clusters.length > 0 ? clusters : [undefined]) {
        const services = view.services.filter((s) => s.stage === 'services' && (cluster === undefined || s.cluster === cluster));
        const id = cluster === undefined ? 'services' : `services:${cluster}`;
        nodes.push({
          id,
          label: cluster ?? LABELS.services,
          state: clusterState(stage, cluster, services),
          lines: [...services.map(serviceLine), ...stageLines(stage, now, cluster)],
        });
        ids.push(id);
      }
    } else {
      const lines: string[] = [];
      if (stage.name === 'images') for (const image of view.images) lines.push(`${image.name}: ${image.status.toLowerCase()}${image.phase ? ` (${image.phase})` : ''}`);
      if (stage.name === 'servers' || stage.name === 'mesh-gateway' || stage.name === 'ingress') for (const s of view.services.filter((x) => x.stage === stage.name)) lines.push(serviceLine(s));
      if (stage.name === 'servers' && view.consul?.leader) lines.push(`leader ${view.consul.leader}`);
      if (stage.name === 'peering') for (const peer of view.peerings ?? []) lines.push(peeringLine(peer));
      nodes.push({ id: stage.name, label: LABELS[stage.name] ?? stage.name, state: stage.state, lines: [...lines, ...stageLines(stage, now)] });
      ids.push(stage.name);
    }
    for (const from of previous) for (const to of ids) edges.push({ from, to });
    previous = ids;
  }
  return { nodes, edges };
}

function serviceLine(s: DeploymentView['services'][number]): string {
  const counts = s.runningCount === undefined ? `${s.desiredCount} desired` : `${s.runningCount}/${s.desiredCount} running`;
  const consul = s.registeredPassing === undefined ? '' : `, ${s.registeredPassing} passing`;
  return `${s.name}: ${counts}${consul}`;
}

function peeringLine(peer: NonNullable<DeploymentView['peerings']>[number]): string {
  return `${peer.name} (${peer.role}): ${[peer.action, peer.state].filter(Boolean).join(', ') || 'pending'}`;
}

/** A service cluster's own state: the stage's, except that a cluster whose services are all up is done. */
function clusterState(stage: Stage, cluster: string | undefined, services: DeploymentView['services']): string {
  if (stage.state !== 'running' && stage.state !== 'failed') return stage.state;
  const ready = services.length > 0 && services.every((s) => s.runningCount === s.desiredCount && (s.registeredPassing ?? 0) >= s.desiredCount);
  const waiting = cluster !== undefined && stage.waitingFor?.[cluster] !== undefined;
  if (ready && !waiting) return 'done';
  return stage.state;
}

function stageLines(stage: Stage, now: number, cluster?: string): string[] {
  const lines: string[] = [];
  const waiting = cluster !== undefined ? stage.waitingFor?.[cluster] : Object.values(stage.waitingFor ?? {})[0];
  if (stage.state === 'running' && waiting) lines.push(`waiting for ${waiting}`);
  if (stage.state === 'running' && stage.round !== undefined) lines.push(`check ${stage.round}`);
  if (stage.iterations && cluster === undefined) lines.push(`${stage.iterations.succeeded}/${stage.iterations.total} done${stage.iterations.failed ? `, ${stage.iterations.failed} failed` : ''}`);
  if (stage.failedAttempts) lines.push(`${stage.failedAttempts} failed ${stage.failedAttempts === 1 ? 'attempt' : 'attempts'}${stage.state === 'failed' ? '' : ' (retried)'}`);
  if (stage.lastTaskError && stage.state === 'running') lines.push(`retrying after ${stage.lastTaskError.error}`);
  if (stage.startedAt) {
    const end = stage.endedAt ? Date.parse(stage.endedAt) : now;
    lines.push(`${stage.endedAt ? 'took' : 'for'} ${formatSeconds(end - Date.parse(stage.startedAt))}`);
  }
  if (stage.error) lines.push(`${stage.error.error}${stage.error.cause ? `: ${stage.error.cause}` : ''}`);
  return lines;
}

function formatSeconds(ms: number): string {
  return ms < 1000 ? `${Math.max(0, Math.round(ms))} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** What a plan's change set does, drawn on the stages a deployment of it would run. */
export function planGraph(changes: Array<{ kind: string; id: string; action: string; cluster?: string; role?: string }>): StageGraph {
  const byStage = new Map<string, string[]>();
  const add = (stage: string, line: string) => byStage.set(stage, [...(byStage.get(stage) ?? []), line]);
  const symbol: Record<string, string> = { create: '+', update: '~', replace: '±', remove: '−' };
  const clusters: string[] = [];
  for (const c of changes) {
    if (c.action === 'unchanged') continue;
    const line = `${symbol[c.action] ?? c.action} ${c.kind} ${c.id}`;
    if (c.kind === 'peering') add('peering', line);
    else if (c.action === 'remove' && (c.kind === 'service' || c.kind === 'cluster' || c.kind === 'task-definition' || c.kind === 'config-entry' || c.kind === 'parameter')) add('removals', line);
    else if (c.kind === 'image') add('images', line);
    else if (c.kind === 'parameter' || c.kind === 'secret') add('config', line);
    else if (c.role === 'server' || c.kind === 'config-entry' || c.kind === 'acl') add('servers', line);
    else if (c.role === 'ingress-gateway') add('ingress', line);
    else if (c.role === 'mesh-gateway') add('mesh-gateway', line);
    else if (c.cluster) {
      if (!clusters.includes(c.cluster)) clusters.push(c.cluster);
      add(`services:${c.cluster}`, line);
    } else add('services', line);
  }
  const nodes: StageNode[] = [];
  const edges: StageGraph['edges'] = [];
  let previous: string[] = [];
  // The mesh gateway's and the peering's stages are drawn only when the plan changes them (most meshes have none).
  const stages = ['plan', 'images', 'config', 'servers', ...(byStage.has('mesh-gateway') ? ['mesh-gateway'] : []), ...(byStage.has('peering') ? ['peering'] : []), 'services', 'ingress', 'removals', 'summary'];
  for (const stage of stages) {
    const ids = stage === 'services' ? (clusters.length > 0 ? clusters.map((c) => `services:${c}`) : ['services']) : [stage];
    for (const id of ids) {
      const lines = byStage.get(id) ?? (stage === 'services' ? byStage.get('services') ?? [] : []);
      const planned = stage === 'plan' || stage === 'summary' || lines.length > 0;
      nodes.push({ id, label: id.startsWith('services:') ? id.slice('services:'.length) : LABELS[stage], state: planned ? 'pending' : 'unchanged', lines: lines.length > 0 ? lines : [planned ? '' : 'no change'].filter(Boolean) });
    }
    for (const from of previous) for (const to of ids) edges.push({ from, to });
    previous = ids;
  }
  return { nodes, edges };
}
