import type { RolloutView } from '../../../layers/api/contract';
import type { StageGraph, StageNode } from './stage-graph';

const LABELS: Record<string, string> = {
  prepare: 'Prepare',
  build: 'Build image',
  register: 'Register revision',
  update: 'Update service',
  stabilize: 'Stable & registered',
  bake: 'Bake',
  rollback: 'Roll back',
};

/**
 * A rollout's steps (state-machines/rollout-service.asl.json) as a graph: the forward path in a line, and the
 * rollback as a branch off the step that failed (off `update` while nothing failed yet). Pure.
 */
export function rolloutGraph(view: RolloutView): StageGraph {
  const nodes: StageNode[] = [];
  const edges: StageGraph['edges'] = [];
  const forward = view.steps.filter((s) => s.name !== 'rollback');
  let previous: string | undefined;
  for (const step of forward) {
    const lines: string[] = [];
    if (step.name === 'build' && view.build) lines.push(`${view.build.status.toLowerCase()}${view.build.phase ? ` (${view.build.phase})` : ''}`);
    if (step.name === 'register' && view.newTaskDefinitionArn) lines.push(`revision ${view.newTaskDefinitionArn.split('/').pop()}`);
    if ((step.name === 'stabilize' || step.name === 'bake') && view.check && step.state === 'running') {
      lines.push(`${view.check.runningCount}/${view.check.desiredCount} running${view.check.registeredPassing !== undefined ? `, ${view.check.registeredPassing} passing` : ''}`);
      if (view.check.waitingFor) lines.push(`waiting for ${view.check.waitingFor}`);
      if (step.name === 'bake' && view.bakeRounds) lines.push(`bake ${view.check.bakeRound}/${view.bakeRounds}`);
    }
    if (step.state === 'failed' && view.failure?.step === step.name) lines.push(`${view.failure.error}: ${view.failure.message}`);
    if (step.state === 'running' && view.lastTaskError) lines.push(`retrying after ${view.lastTaskError.error}`);
    nodes.push({ id: step.name, label: LABELS[step.name] ?? step.name, state: step.state, lines });
    if (previous) edges.push({ from: previous, to: step.name });
    previous = step.name;
  }
  const rollback = view.steps.find((s) => s.name === 'rollback');
  if (rollback) {
    const lines: string[] = [];
    if (view.rollback) lines.push(`${view.rollback.runningCount}/${view.rollback.desiredCount} running${view.rollback.waitingFor ? `, waiting for ${view.rollback.waitingFor}` : ''}`);
    if (view.previousTaskDefinitionArn && rollback.state !== 'pending' && rollback.state !== 'skipped') lines.push(`to ${view.previousTaskDefinitionArn.split('/').pop()}`);
    nodes.push({ id: 'rollback', label: LABELS.rollback, state: rollback.state, lines });
    const from = forward.find((s) => s.state === 'failed')?.name ?? 'update';
    edges.push({ from, to: 'rollback' });
  }
  return { nodes, edges };
}
