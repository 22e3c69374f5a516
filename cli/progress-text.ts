import type { DeploymentProgress, ImageProgress, ServiceProgress, StageProgress, StageState } from '../layers/executions/progress';

/**
 * Text renderings of deployment progress: the lines printed on each change when the output is not a terminal
 * (CI logs, pipes, tests), and the frame redrawn in place when it is.
 */

/**
 * One line for a service: `cluster/name  running/desired running, pending, passing in Consul (action)`; for one the
 * deployment removes, where its removal is: `to remove`, `draining, 2 task(s) left`, `deleted`.
 */
export function renderServiceLine(s: ServiceProgress): string {
  if (s.removal !== undefined) return `${s.cluster}/${s.name}  ${renderRemoval(s)} (remove)`;
  const counts = `${s.runningCount ?? '-'}/${s.desiredCount} running`;
  const pending = s.pendingCount ? `, ${s.pendingCount} pending` : '';
  const consul = s.registeredPassing !== undefined ? `, ${s.registeredPassing} passing in Consul` : '';
  const rollout = s.rolloutState && s.rolloutState !== 'COMPLETED' ? `, rollout ${s.rolloutState}` : '';
  const action = s.action ? ` (${s.action})` : '';
  return `${s.cluster}/${s.name}  ${counts}${pending}${consul}${rollout}${action}`;
}

function renderRemoval(s: ServiceProgress): string {
  switch (s.removal) {
    case 'pending':
      return 'to remove';
    case 'draining':
      return s.runningCount === undefined ? 'draining' : `draining, ${s.runningCount} task(s) left`;
    default:
      return 'deleted';
  }
}

/** One line for a peer of the peering stage: `west (dialer): established, ACTIVE`. */
export function renderPeeringLine(peer: NonNullable<DeploymentProgress['peerings']>[number]): string {
  return `${peer.name} (${peer.role}): ${[peer.action, peer.state].filter(Boolean).join(', ') || 'pending'}`;
}

export function renderImageLine(i: ImageProgress): string {
  switch (i.status) {
    case 'pending':
      return `${i.name}: waiting`;
    case 'READY':
      return `${i.name}: ready${i.imageUri ? ` (${i.imageUri})` : ''}`;
    case 'IN_PROGRESS':
      return `${i.name}: building${i.phase ? ` (${i.phase})` : ''}`;
    case 'SUCCEEDED':
      return `${i.name}: built${i.imageUri ? ` (${i.imageUri})` : ''}`;
    default:
      return `${i.name}: ${i.status}`;
  }
}

/** `running`, `done (5/5)`, `failed (StageTimedOut)`, with the check round and what it waits for while running. */
export function renderStageState(stage: StageProgress): string {
  const it = stage.iterations && stage.iterations.total > 0 ? ` (${stage.iterations.succeeded}/${stage.iterations.total})` : '';
  if (stage.state === 'failed') {
    // The error's name only: the cause is printed once, by the failure report that ends the output.
    return `failed${stage.error ? ` (${stage.error.error})` : ''}`;
  }
  if (stage.state === 'running') {
    const waiting = Object.entries(stage.waitingFor ?? {}).map(([cluster, what]) => `${cluster}: ${what}`);
    const round = stage.round !== undefined && stage.round > 0 ? `, round ${stage.round}` : '';
    const failedTask = stage.lastTaskError;
    const retry = failedTask ? `, retrying${failedTask.state ? ` ${failedTask.state}` : ''} after ${failedTask.error}` : '';
    return `running${it}${round}${waiting.length > 0 ? `, waiting for ${waiting.join('; ')}` : ''}${retry}`;
  }
  return `${stage.state}${it}`;
}

/**
 * The lines to print for what changed between two progress snapshots: one per stage transition, one per
 * service whose counts changed, one per image whose state changed. Nothing when nothing changed, so a log shows
 * each transition once however often the CLI polls.
 */
export function renderTransitions(before: DeploymentProgress, after: DeploymentProgress): string[] {
  const lines: string[] = [];
  for (const stage of after.stages) {
    const old = before.stages.find((s) => s.name === stage.name);
    const stageLine = old?.state !== stage.state ? `[${stage.name}] ${renderStageState(stage)}` : undefined;
    const details: string[] = [];
    if (stage.name === 'images') {
      for (const image of after.images) {
        const was = before.images.find((i) => i.name === image.name);
        if (image.status !== 'pending' && (was?.status !== image.status || was?.phase !== image.phase)) details.push(`[images] ${renderImageLine(image)}`);
      }
    }
    if (stage.name === 'peering') {
      for (const peer of after.peerings ?? []) {
        const was = before.peerings?.find((p) => p.name === peer.name);
        if (was?.action !== peer.action || was?.state !== peer.state) details.push(`[peering] ${renderPeeringLine(peer)}`);
      }
    }
    for (const service of after.services.filter((s) => s.stage === stage.name)) {
      const was = before.services.find((s) => s.cluster === service.cluster && s.name === service.name);
      // A service is printed once something has been seen of it: a count, or its removal under way.
      if (service.removal === undefined ? service.runningCount === undefined : service.removal === 'pending') continue;
      if (
        !was ||
        was.runningCount !== service.runningCount ||
        was.desiredCount !== service.desiredCount ||
        was.pendingCount !== service.pendingCount ||
        was.registeredPassing !== service.registeredPassing ||
        was.removal !== service.removal
      ) {
        details.push(`[${stage.name}] ${renderServiceLine(service)}`);
      }
    }
    // A stage that just ended reads best after its final counts; one that just started, before its first ones.
    const ended: StageState[] = ['done', 'failed', 'cancelled', 'skipped'];
    if (stageLine && ended.includes(stage.state)) lines.push(...details, stageLine);
    else lines.push(...(stageLine ? [stageLine] : []), ...details);
  }
  return lines;
}

const SYMBOL: Record<StageState, string> = { pending: '·', running: '▶', done: '✔', failed: '✖', cancelled: '■', skipped: '-' };

/** The frame of the live view: a header, then each stage with its images or services beneath it. */
export function renderProgressFrame(header: string, progress: DeploymentProgress): string[] {
  const lines = [header];
  const width = Math.max(...progress.stages.map((s) => s.name.length));
  for (const stage of progress.stages) {
    lines.push(`  ${SYMBOL[stage.state]} ${stage.name.padEnd(width)}  ${stage.state === 'pending' ? '' : renderStageState(stage)}`.trimEnd());
    if (stage.name === 'images' && stage.state === 'running') {
      for (const image of progress.images) lines.push(`      ${renderImageLine(image)}`);
    }
    if (stage.state !== 'skipped') {
      for (const service of progress.services.filter((s) => s.stage === stage.name)) lines.push(`      ${renderServiceLine(service)}`);
      if (stage.name === 'peering') for (const peer of progress.peerings ?? []) lines.push(`      ${renderPeeringLine(peer)}`);
    }
  }
  return lines;
}
