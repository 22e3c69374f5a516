/**
 * Deployments started through the API only to be measured against, then cancelled: each is left to park in a
 * wait state (idle, so it competes with nothing that is measured) before anything else is done.
 */
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { performance } from 'node:perf_hooks';
import type { LocalCloud } from '@consul-mesh/local-cloud';
import { MESH } from './cloud';
import { executionArnOf, waitForExecutionEnd, waitUntilParked } from './execution';
import { expectAnswer, stringField, UnexpectedAnswer, type ApiClient, type JsonBody } from './http';
import { LIMITS, PARKED_POLL_SECONDS } from './settings';
import { clearDeploymentLabels } from './ssm-labels';

/** A deployment the API started, and how long its POST took. */
export type StartedDeployment = { ms: number; id: string; executionArn: string };

export class ParkedDeployments {
  /** Deployment labels removed from the configuration parameters so far (see `ssm-labels.ts`). */
  labelsRemoved = 0;

  constructor(
    private readonly cloud: LocalCloud,
    private readonly api: ApiClient,
    private readonly sfn: SFNClient,
    private readonly ssm: SSMClient,
  ) {}

  /**
   * POST /deployments of `spec` (timed); the answer must be a started deployment, not a joined one. The poll
   * interval is the query's maximum, so the deployment's first wait loop holds it idle (time scale 1).
   */
  async start(spec: JsonBody): Promise<StartedDeployment> {
    const begin = performance.now();
    const answer = await this.api.post(`/deployments?pollSeconds=${PARKED_POLL_SECONDS}&maxRounds=10`, spec);
    const ms = performance.now() - begin;
    const started = expectAnswer(answer, 202, 'POST /deployments (start)');
    if (started.attached !== false) throw new UnexpectedAnswer(`POST /deployments joined ${String(started.execution)} instead of starting a deployment`);
    const executionArn = executionArnOf(this.cloud.stateMachines.deployMesh, stringField(started, 'execution', 'POST /deployments'));
    return { ms, id: stringField(started, 'id', 'POST /deployments'), executionArn };
  }

  /** Waits (untimed) until the deployment sits in a wait state and the cloud has nothing else in flight. */
  async park(deployment: StartedDeployment): Promise<void> {
    await waitUntilParked(this.sfn, deployment.executionArn, { quietMs: LIMITS.parkQuietMs, timeoutMs: LIMITS.parkMs, intervalMs: LIMITS.pollIntervalMs });
    await this.cloud.settle();
  }

  /**
   * POST /deployments/{id}/cancel (timed: resolves with its milliseconds); then, untimed, waits for ABORTED, lets
   * the cloud settle and removes the deployment labels, so the next deployment starts from the same state.
   */
  async cancel(deployment: StartedDeployment): Promise<number> {
    const begin = performance.now();
    const answer = await this.api.post(`/deployments/${deployment.id}/cancel`);
    const ms = performance.now() - begin;
    const cancelled = expectAnswer(answer, 202, 'POST /deployments/{id}/cancel');
    if (cancelled.status !== 'ABORTED') throw new UnexpectedAnswer(`cancel answered status ${String(cancelled.status)}, expected ABORTED`);
    const end = await waitForExecutionEnd(this.sfn, deployment.executionArn, { timeoutMs: LIMITS.parkMs, intervalMs: LIMITS.pollIntervalMs });
    if (end.status !== 'ABORTED') throw new UnexpectedAnswer(`a cancelled deployment ended ${end.status}`);
    await this.cloud.settle();
    this.labelsRemoved += await clearDeploymentLabels(this.ssm, `/consul-mesh/${MESH}`);
    return ms;
  }
}
