import type { RolloutView } from '../layers/api/contract';
import { revisionName } from '../layers/rollout/finish';

/**
 * Text renderings of a rollout's progress (GET /services/{service}/rollouts/{id}): one line per change when the
 * output is not a terminal, a frame redrawn in place when it is, and the closing words.
 */

type Step = RolloutView['steps'][number];

const SYMBOL: Record<string, string> = { pending: '·', running: '▶', done: '✔', failed: '✖', skipped: '-' };

/** `running, round 3, waiting for Consul registrations: 1/2 passing`, `done`, `failed`. */
export function renderStep(step: Step, view: RolloutView): string {
  if (step.state !== 'running') return step.state;
  const check = view.check;
  switch (step.name) {
    case 'build':
      return `running${view.build?.phase ? ` (${view.build.phase})` : ''}`;
    case 'stabilize':
      return check ? `running, round ${check.round}${check.waitingFor ? `, waiting for ${check.waitingFor}` : ''}` : 'running';
    case 'bake':
      return check ? `running, ${check.bakeRound}/${view.bakeRounds ?? '?'} checks passed, ${check.registeredPassing ?? 0}/${check.desiredCount} passing in Consul` : 'running';
    case 'rollback':
      return view.rollback ? `running, round ${view.rollback.round}${view.rollback.waitingFor ? `, waiting for ${view.rollback.waitingFor}` : ''}` : 'running';
    default:
      return 'running';
  }
}

/** The frame of the live view: a header, then each step with its state. */
export function renderRolloutFrame(view: RolloutView): string[] {
  const width = Math.max(...view.steps.map((s) => s.name.length));
  return [
    rolloutHeader(view),
    ...view.steps.map((s) => `  ${SYMBOL[s.state] ?? '?'} ${s.name.padEnd(width)}  ${s.state === 'pending' ? '' : renderStep(s, view)}`.trimEnd()),
  ];
}

/** The lines for what changed between two polls: step transitions, and a running step's new detail. */
export function renderRolloutTransitions(before: RolloutView | undefined, after: RolloutView): string[] {
  const lines: string[] = [];
  for (const step of after.steps) {
    const was = before?.steps.find((s) => s.name === step.name);
    const line = renderStep(step, after);
    if (step.state === 'pending') continue;
    if (!was || was.state !== step.state || (before && renderStep(was, before) !== line)) lines.push(`[${step.name}] ${line}`);
  }
  return lines;
}

export function rolloutHeader(view: RolloutView): string {
  const what = typeof view.request.image === 'string' ? `image ${view.request.image}` : isRecord(view.request.build) ? `build of ${String(view.request.build.context)}` : 'rollout';
  return `Rollout ${view.id} of ${view.service} (${what}): ${view.status}`;
}

/** The closing lines: what is live now, or the step, error and cause of the failure. */
export function renderRolloutOutcome(view: RolloutView): { out: string[]; err: string[] } {
  const live = view.liveTaskDefinitionArn ? revisionName(view.liveTaskDefinitionArn) : undefined;
  if (view.status === 'SUCCEEDED') {
    const previous = view.previousTaskDefinitionArn ? revisionName(view.previousTaskDefinitionArn) : undefined;
    const passing = view.check ? `, ${view.check.registeredPassing ?? 0}/${view.check.desiredCount} passing in Consul` : '';
    const was = previous && previous !== live ? ` (was ${previous})` : ' (unchanged)';
    return { out: [`Rolled out ${view.service}: ${live ?? 'the new revision'} is live${was}${passing}`], err: [] };
  }
  if (view.status === 'RUNNING') return { out: [`Rollout ${view.id} of ${view.service} is running`], err: [] };
  const failure = view.failure;
  const err = [`Rollout ${view.id} of ${view.service} ${view.status}${failure ? ` in step ${failure.step}` : ''}`];
  err.push(`  error:   ${failure?.error ?? view.error ?? '(none given)'}`);
  err.push(`  cause:   ${failure?.message ?? view.cause ?? '(none given)'}`);
  if (typeof failure?.detail === 'string') err.push(`  detail:  ${failure.detail}`);
  if (live) err.push(`  live:    ${live}${failure?.rolledBack ? ' (rolled back)' : ''}`);
  return { out: [], err };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
