import type { DeploymentSummary } from '../layers/deploy/types';
import type { DeploymentDescription } from '../layers/executions/backend';
import { parseDeploymentFailure } from '../layers/executions/outcome';
import { FAILED_STAGE, type DeploymentProgress } from '../layers/executions/progress';
import { counted, renderTable } from './table';
import { renderPeers } from './mesh';

/**
 * The final words of `deploy` and `status`: the summary table of a deployed mesh, or the stage, error and cause
 * of a failed one.
 */

/** Task ids are 32 hex characters; 12 identify a task in a table, as short container ids do. */
const SHORT_TASK_ID = 12;

/**
 * The summary of a deployed mesh: one row per task (clusters, services, desired/running counts, task ids with
 * their IPs, ECS health and Consul registration), the Consul leader and servers, the images, and the mesh's cluster
 * peers (the table of `meshctl mesh`) when it has any.
 */
export function renderSummary(summary: DeploymentSummary, options: { peers?: boolean } = {}): string[] {
  const lines = [`Deployed mesh "${summary.mesh}" (${summary.deploymentId})${summary.noChange ? ': no changes, everything already matched the spec' : ''}`];
  // `peers` are the Consul servers' Raft peers (the leader's included), not the mesh's cluster peers: say servers.
  lines.push(`Consul leader: ${summary.leader || '(none)'}${summary.peers.length > 0 ? ` (${counted(summary.peers.length, 'server')}: ${summary.peers.join(', ')})` : ''}`);
  lines.push('');
  const rows: string[][] = [];
  for (const cluster of summary.clusters) {
    cluster.services.forEach((service, si) => {
      const head = [si === 0 ? cluster.cluster : '', service.name, cluster.role, service.action, `${service.runningCount}/${service.desiredCount}`];
      if (service.tasks.length === 0) rows.push([...head, '-', '-', '-', '-']);
      service.tasks.forEach((task, ti) => {
        const lead = ti === 0 ? head : ['', '', '', '', ''];
        rows.push([...lead, task.taskId.slice(0, SHORT_TASK_ID), task.ip || '-', task.health || '-', consulState(task)]);
      });
      if (service.tasksNotListed) rows.push(['', '', '', '', '', `+${service.tasksNotListed} more`, '', '', '']);
    });
  }
  lines.push(...renderTable(['CLUSTER', 'SERVICE', 'ROLE', 'ACTION', 'RUNNING/DESIRED', 'TASK', 'IP', 'HEALTH', 'CONSUL'], rows));
  if (summary.images.length > 0) {
    lines.push('');
    lines.push(...renderTable(['IMAGE', 'URI', 'BUILT'], summary.images.map((i) => [i.name, i.imageUri, i.built ? 'built' : 'reused'])));
  }
  // `meshctl status` leaves them out (`peers: false`) when it shows the peers as they are now instead.
  if (summary.peerings?.length && options.peers !== false) lines.push('', 'Peers (when the deployment ended):', ...renderPeers({ peers: summary.peerings }).slice(0, -1));
  return lines;
}

function consulState(task: DeploymentSummary['clusters'][number]['services'][number]['tasks'][number]): string {
  if (!task.registered) return 'not registered';
  return task.passing ? 'registered, passing' : 'registered, critical';
}

/**
 * The failure of a deployment: stage, error and cause. The cause is the DeploymentFailure recorded by the state
 * machine when there is one; otherwise the execution's raw error and cause (a timeout, an abort, or a failure
 * that could not be recorded), completed by the stage the history shows failing.
 */
export function renderFailure(description: Pick<DeploymentDescription, 'status' | 'deploymentId' | 'name' | 'mesh' | 'error' | 'cause'>, progress?: DeploymentProgress): string[] {
  const failure = parseDeploymentFailure(description.cause);
  const failedStage = progress?.stages.find((s) => s.state === 'failed' || s.state === 'cancelled');
  // The recorded failure names the ASL's stage (`build`); the progress lines name it as shown (`images`).
  const stage = (failure?.stage !== undefined ? (FAILED_STAGE[failure.stage] ?? failure.stage) : undefined) ?? failedStage?.name ?? 'unknown';
  const who = `${description.deploymentId ?? description.name}${description.mesh ? ` of mesh "${description.mesh}"` : ''}`;
  const lines = [`Deployment ${who} ${description.status} in stage ${stage}`];
  if (failure) {
    lines.push(`  error:   ${failure.error}`);
    lines.push(`  cause:   ${failure.message}`);
    if (failure.service) lines.push(`  service: ${failure.service}`);
    if (failure.detail) lines.push(`  detail:  ${failure.detail}`);
    lines.push(`  next:    ${nextStep(description)}`);
    return lines;
  }
  lines.push(`  error:   ${description.error ?? failedStage?.error?.error ?? progress?.executionError?.error ?? '(none given)'}`);
  lines.push(`  cause:   ${description.cause ?? progress?.executionError?.cause ?? '(none given)'}`);
  // RecordFailure did not run or failed: the error caught by the stage is the best account of what happened.
  const caught = failedStage?.error;
  if (caught && (caught.error !== description.error || caught.cause !== description.cause)) {
    lines.push(`  stage error: ${caught.error}${caught.cause ? `: ${caught.cause}` : ''}`);
  }
  lines.push(`  next:    ${nextStep(description)}`);
  return lines;
}

/**
 * What to do after a deployment ended badly. What ECS had already started keeps running either way, and a new
 * deployment converges the mesh to its spec.
 */
function nextStep(description: Pick<DeploymentDescription, 'status' | 'deploymentId' | 'name'>): string {
  const id = description.deploymentId ?? description.name;
  if (description.status === 'ABORTED') return `it was cancelled; deploy the spec again to bring the mesh to it (meshctl status ${id} shows how far it went)`;
  return `fix the cause above, then deploy the spec again (meshctl status ${id} shows every stage)`;
}
