import { executionHistory } from './execution-history';
import { requireBuildContexts } from '../deploy/build-source';
import { loadDeployedSpec } from '../churn/deployed-spec';
import { servicesWithCluster } from '../domain/naming';
import { NotFoundError, ConcurrentOperationError } from '../errors';
import { revisionName } from '../rollout/finish';
import { isRolloutId, nameMatchesService, newRolloutId, parseRolloutExecutionName, rolloutExecutionName } from '../rollout/naming';
import { rolloutProgress } from '../rollout/progress';
import { RolloutRequestSchema } from '../rollout/request';
import type { RolloutInput } from '../rollout/types';
import type { RolloutView, Started } from './contract';
import type { ApiDeps } from './deps';
import { parseJsonBody, parseWith, requireMediaType, type RequestBody } from './request';
import { isServiceName, StartQuerySchema } from './schemas';
import { apiStatus } from './status';

/**
 * The rollout routes. A rollout is one execution of the rollout state machine, named `<service>-<id suffix>`, so
 * the service and the id give its ARN directly; its state is read back from Step Functions.
 */

/**
 * POST /services/{service}/rollouts: `{"image": "<repository:tag>"}` or `{"build": {context, contentHash}}`, and
 * optionally `desiredCount` and `bakeSeconds`. The body is checked first; then the service must be one of the
 * deployed mesh (404), and neither a rollout of it nor a deployment of the mesh may be running (409).
 */
export async function startRollout(service: string, body: RequestBody, query: unknown, deps: ApiDeps): Promise<Started> {
  const settings = parseWith(StartQuerySchema, query, 'query');
  requireMediaType(body, ['json']);
  const request = parseWith(RolloutRequestSchema, parseJsonBody(body.text));
  if (request.build) await requireBuildContexts([{ path: 'build.contentHash', contentHash: request.build.contentHash }], deps.buildSources);
  await requireDeployedService(service, deps);
  await refuseWhileBusy(service, deps);

  const rolloutId = newRolloutId(deps.now(), deps.randomSuffix);
  const name = rolloutExecutionName(service, rolloutId);
  const input: RolloutInput = {
    rolloutId,
    service,
    request,
    settings: { pollSeconds: settings.pollSeconds ?? deps.defaults.pollSeconds, maxRounds: settings.maxRounds ?? deps.defaults.maxRounds },
  };
  await deps.sfn.startExecution({ stateMachineArn: deps.rolloutStateMachineArn, name, input: JSON.stringify(input) });
  return { id: rolloutId, status: 'RUNNING', service, mesh: deps.meshName, execution: name };
}

/** GET /services/{service}/rollouts/{id}: status, steps, the revisions involved, the cause when it failed. */
export async function getRollout(service: string, id: string, deps: ApiDeps): Promise<RolloutView> {
  if (!isServiceName(service) || !isRolloutId(id)) throw notFound(service, id);
  const name = rolloutExecutionName(service, id);
  const executionArn = `${deps.rolloutStateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
  let described;
  try {
    described = await deps.sfn.describeExecution(executionArn);
  } catch (error) {
    if ((error as Error).name === 'ExecutionDoesNotExist') throw notFound(service, id);
    throw error;
  }
  const input = parseInput(described.input);
  // A cut service name is shared by every service with that prefix: the input says whose rollout it is.
  if (input?.service !== service) throw notFound(service, id);
  const progress = rolloutProgress(await executionHistory(deps.sfn, executionArn));
  const status = apiStatus(described.status, described.error);
  const live =
    status === 'SUCCEEDED'
      ? progress.result?.liveTaskDefinitionArn
      : (progress.failure?.liveTaskDefinitionArn ?? progress.prepared?.previousTaskDefinitionArn);
  return {
    id,
    service,
    status,
    execution: name,
    executionStatus: described.status ?? 'RUNNING',
    ...(described.startDate ? { startedAt: described.startDate.toISOString() } : {}),
    ...(described.stopDate ? { stoppedAt: described.stopDate.toISOString() } : {}),
    request: { ...input.request },
    steps: progress.steps,
    ...(progress.prepared ? { cluster: progress.prepared.cluster, previousTaskDefinitionArn: progress.prepared.previousTaskDefinitionArn, bakeRounds: progress.prepared.bakeRounds } : {}),
    ...(progress.revision ? { newTaskDefinitionArn: progress.revision.taskDefinitionArn } : {}),
    ...(live ? { liveTaskDefinitionArn: live, liveRevision: revisionName(live) } : {}),
    ...(progress.check ? { check: { ...progress.check } } : {}),
    ...(progress.rollback ? { rollback: { ...progress.rollback } } : {}),
    ...(progress.build ? { build: { ...progress.build } } : {}),
    ...(progress.lastTaskError && status === 'RUNNING' ? { lastTaskError: { ...progress.lastTaskError } } : {}),
    ...(progress.failure ? { failure: { ...progress.failure } } : {}),
    ...(described.error ? { error: described.error } : {}),
    ...(described.cause ? { cause: described.cause } : {}),
  };
}

async function requireDeployedService(service: string, deps: ApiDeps): Promise<void> {
  if (!isServiceName(service)) throw new NotFoundError(`no service "${service}" in mesh "${deps.meshName}"`);
  const spec = await loadDeployedSpec(await deps.consul(), deps.meshName, { maxAgeMs: 0 });
  if (!spec) throw new NotFoundError(`mesh "${deps.meshName}" has not been deployed: deploy it before rolling out a service`);
  if (!servicesWithCluster(spec).some((s) => s.service.name === service)) throw new NotFoundError(`no service "${service}" in mesh "${deps.meshName}"`);
}

/** One rollout per service, none while the mesh is being deployed (the state machine checks again, under locks). */
async function refuseWhileBusy(service: string, deps: ApiDeps): Promise<void> {
  const [deploying] = await deps.deployments.list({ mesh: deps.meshName, status: 'RUNNING', limit: 1 });
  if (deploying) throw new ConcurrentOperationError(`a deployment of mesh "${deps.meshName}" is running (${deploying.deploymentId ?? deploying.name}): roll out once it has ended, or cancel it: meshctl cancel ${deploying.deploymentId ?? deploying.name}`);
  const [running] = await runningRollouts(deps, service);
  if (running) throw new ConcurrentOperationError(`a rollout of service "${service}" is running (${running.rolloutId}): wait for it to end, or cancel it: meshctl cancel ${running.rolloutId}`);
}

/**
 * The running rollouts, of one service when `service` is given (a name cut to fit the execution name is
 * confirmed by the execution's input). A deployment of the mesh is refused while any runs: it would update the
 * same services under the rollout.
 */
export async function runningRollouts(deps: ApiDeps, service?: string): Promise<Array<{ service: string; rolloutId: string }>> {
  const found: Array<{ service: string; rolloutId: string }> = [];
  for await (const page of deps.sfn.executionPages({ stateMachineArn: deps.rolloutStateMachineArn, statusFilter: 'RUNNING', maxResults: 100 })) {
    for (const execution of page) {
      const parsed = execution.name ? parseRolloutExecutionName(execution.name) : undefined;
      if (!parsed || !execution.executionArn || (service !== undefined && !nameMatchesService(execution.name ?? '', service))) continue;
      if (service === undefined) {
        found.push({ service: parsed.servicePart, rolloutId: parsed.rolloutId });
        continue;
      }
      const described = await deps.sfn.describeExecution(execution.executionArn);
      if (parseInput(described.input)?.service === service) found.push({ service, rolloutId: parsed.rolloutId });
    }
  }
  return found;
}

function parseInput(text: string | undefined): Pick<RolloutInput, 'service' | 'request'> | undefined {
  try {
    const parsed: unknown = JSON.parse(text ?? '');
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const { service, request } = parsed as { service?: unknown; request?: unknown };
    return typeof service === 'string' && typeof request === 'object' && request !== null ? { service, request: request as RolloutInput['request'] } : undefined;
  } catch {
    return undefined;
  }
}

function notFound(service: string, id: string): NotFoundError {
  return new NotFoundError(`no rollout ${id} of service "${service}"`);
}
