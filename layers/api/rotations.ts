import { executionHistory } from './execution-history';
import { loadDeployedSpec } from '../churn/deployed-spec';
import { ConcurrentOperationError, NotFoundError } from '../errors';
import { planRotation } from '../rotate/plan';
import { newRotationId } from '../rotate/prepare';
import { rotationProgress } from '../rotate/progress';
import { RotationIdSchema, RotationRequestSchema } from '../rotate/request';
import type { RotationInput } from '../rotate/schemas';
import type { ApiDeps } from './deps';
import { parseJsonBody, parseWith, requireMediaType, type RequestBody } from './request';
import { StartQuerySchema } from './schemas';
import { apiStatus } from './status';

/**
 * The rotation routes. A rotation is one execution of the rotation state machine, named by its id
 * (`s-<yyyymmddHHMMss>-<6 base36>`); its state is read back from Step Functions.
 */

/**
 * POST /rotations `{"secret": "gossip-key" | "acl-token/<role>" | "ca"}`: checks the secret against the deployed spec
 * first (404 for one the mesh does not have, 400 RotationNotSupported for the tokens it does not rotate),
 * refuses while a deployment runs (409), then starts the rotation (202). The state machine checks again, under the
 * mesh lock.
 */
export async function startRotation(body: RequestBody, query: unknown, deps: ApiDeps): Promise<{ id: string; status: 'RUNNING'; mesh: string; secret: string; steps: string[] }> {
  const settings = parseWith(StartQuerySchema, query, 'query');
  requireMediaType(body, ['json']);
  const request = parseWith(RotationRequestSchema, parseJsonBody(body.text));
  const spec = await loadDeployedSpec(await deps.consul(), deps.meshName, { maxAgeMs: 0 });
  if (!spec) throw new NotFoundError(`mesh "${deps.meshName}" has not been deployed: deploy it before rotating its secrets`);
  const plan = planRotation(spec, request.secret);
  const [deploying] = await deps.deployments.list({ mesh: deps.meshName, status: 'RUNNING', limit: 1 });
  if (deploying) throw new ConcurrentOperationError(`a deployment of mesh "${deps.meshName}" is running (${deploying.deploymentId ?? deploying.name}): rotate once it has ended, or cancel it: meshctl cancel ${deploying.deploymentId ?? deploying.name}`);

  const rotationId = newRotationId(deps.now(), deps.randomSuffix);
  const input: RotationInput = {
    rotationId,
    request,
    settings: { pollSeconds: settings.pollSeconds ?? deps.defaults.pollSeconds, maxRounds: settings.maxRounds ?? deps.defaults.maxRounds },
  };
  await deps.sfn.startExecution({ stateMachineArn: stateMachine(deps), name: rotationId, input: JSON.stringify(input) });
  return { id: rotationId, status: 'RUNNING', mesh: deps.meshName, secret: request.secret, steps: plan.steps };
}

/** GET /rotations/{id}: status, steps, the SSM versions, what was replaced and retired, the cause when it failed. */
export async function getRotation(id: string, deps: ApiDeps): Promise<Record<string, unknown>> {
  if (!RotationIdSchema.safeParse(id).success) throw new NotFoundError(`no rotation ${id}`);
  const executionArn = `${stateMachine(deps).replace(':stateMachine:', ':execution:')}:${id}`;
  let described;
  try {
    described = await deps.sfn.describeExecution(executionArn);
  } catch (error) {
    if ((error as Error).name === 'ExecutionDoesNotExist') throw new NotFoundError(`no rotation ${id}`);
    throw error;
  }
  const progress = rotationProgress(await executionHistory(deps.sfn, executionArn));
  const input = parseInput(described.input);
  return {
    id,
    status: apiStatus(described.status, described.error),
    executionStatus: described.status ?? 'RUNNING',
    ...(input ? { secret: input.request.secret } : {}),
    ...(described.startDate ? { startedAt: described.startDate.toISOString() } : {}),
    ...(described.stopDate ? { stoppedAt: described.stopDate.toISOString() } : {}),
    steps: progress.steps,
    ...(progress.prepared ? { parameter: progress.prepared.parameter, plan: progress.prepared.steps, targets: progress.prepared.targets } : {}),
    ...(progress.stored ? { previousVersion: progress.stored.previousVersion, version: progress.stored.version } : {}),
    ...(progress.check ? { check: progress.check } : {}),
    ...(progress.result ? { result: progress.result } : {}),
    ...(progress.lastTaskError && !described.stopDate ? { lastTaskError: progress.lastTaskError } : {}),
    ...(described.error ? { error: described.error } : {}),
    ...(described.cause ? { cause: described.cause } : {}),
  };
}

function stateMachine(deps: ApiDeps): string {
  // A stack without the rotation machine has no route either; this only guards a misconfigured function.
  if (!deps.rotateStateMachineArn) throw new NotFoundError('this orchestrator has no rotation state machine (ROTATE_STATE_MACHINE_ARN)');
  return deps.rotateStateMachineArn;
}

function parseInput(text: string | undefined): RotationInput | undefined {
  try {
    const parsed = JSON.parse(text ?? '') as RotationInput;
    return typeof parsed?.request?.secret === 'string' ? parsed : undefined;
  } catch {
    return undefined;
  }
}
