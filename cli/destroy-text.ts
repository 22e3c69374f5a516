import type { DestroyView } from '../layers/api/contract';

/** Text of `meshctl destroy`: one line per stage, and the outcome (what was removed, what was kept, or the cause). */

const MARK: Record<string, string> = { pending: ' ', running: '…', done: '✓', failed: '✗', cancelled: '-' };
const LABEL: Record<string, string> = {
  // RemovePeerings runs in this stage (teardown-progress.ts): the peerings go first, while the mesh gateways run.
  prepare: 'take the mesh lock, find what the mesh has, delete its cluster peerings',
  ingress: 'ingress gateway: scale to 0, drain, delete',
  services: 'service clusters: scale to 0, drain, delete',
  consul: 'Consul: stopped registrations, config entries, KV',
  servers: 'Consul servers: scale to 0, drain, delete',
  cleanup: 'clusters, task definitions, parameters',
  summary: 'release the lock, summary',
};

type Stage = DestroyView['stages'][number];

export function renderDestroyStage(stage: Stage): string {
  const remaining = stage.state === 'running' && stage.remaining?.length ? ` (stopping: ${stage.remaining.map((r) => `${r.id} ${r.tasks}`).join(', ')})` : '';
  return `${MARK[stage.state] ?? '?'} ${stage.name.padEnd(8)} ${LABEL[stage.name] ?? ''}${remaining}`;
}

export function renderDestroyFrame(view: DestroyView): string[] {
  return [`Destroying mesh "${view.mesh}"${view.purge ? ' (purge)' : ''} as ${view.id}: ${view.status}`, ...view.stages.map(renderDestroyStage)];
}

/** The lines that changed between two polls: a stage's state, or the tasks still stopping. */
export function renderDestroyTransitions(before: DestroyView | undefined, after: DestroyView): string[] {
  const lines: string[] = [];
  for (const stage of after.stages) {
    const old = before?.stages.find((s) => s.name === stage.name);
    if (stage.state === 'pending') continue;
    if (!old || old.state !== stage.state || JSON.stringify(old.remaining ?? []) !== JSON.stringify(stage.remaining ?? [])) lines.push(renderDestroyStage(stage));
  }
  return lines;
}

export function renderDestroyOutcome(view: DestroyView): { out: string[]; err: string[] } {
  if (view.status !== 'SUCCEEDED' || !view.summary) {
    const f = view.failure;
    return { out: [], err: [`Teardown ${view.id} of mesh "${view.mesh}" ${view.status}${f?.stage ? ` in ${f.stage}` : ''}: ${f?.error ?? ''}${f?.message ? `: ${f.message}` : ''}`] };
  }
  const s = view.summary;
  if (s.nothingToDo) {
    return { out: [`Nothing to do: mesh "${view.mesh}" has nothing left to remove${s.kept.parameters.length || s.kept.repositories.length ? ' (its kept secrets and images stay; --purge removes them)' : ''}.`], err: [] };
  }
  const r = s.removed;
  const out = [
    `Destroyed mesh "${view.mesh}":`,
    `  services         ${r.services.length ? r.services.join(', ') : '-'}`,
    `  clusters         ${r.clusters.length ? r.clusters.join(', ') : '-'}`,
    `  task definitions ${r.taskDefinitions} revisions deregistered`,
    `  Consul           ${r.configEntries.length} config entries, ${r.registrations} leftover registrations, ${r.kv} KV keys`,
    `  parameters       ${r.parameters} deleted`,
    ...(r.repositories.length ? [`  repositories     ${r.repositories.join(', ')}`] : []),
    // The peerings deleted (the spec's peers and any marked as this mesh's): each peer's side is TERMINATED now.
    ...(r.peerings?.length ? [`  peerings         ${r.peerings.join(', ')}`] : []),
  ];
  if (s.kept.parameters.length || s.kept.repositories.length) {
    out.push(`Kept (a redeployment reuses them; destroy --purge removes them): ${s.kept.parameters.length} secret parameters, ${s.kept.repositories.length} ECR repositories`);
  }
  return { out, err: [] };
}
