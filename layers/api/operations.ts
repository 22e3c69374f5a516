import type { ExecutionListItem } from '@aws-sdk/client-sfn';
import { releaseLocksHeldBy } from '../deploy/release-ended';
import { destroyProgress } from '../deploy/teardown-progress';
import { operationIdTime, operationKindOf, operationOfExecution, type OperationKind } from '../executions/operations';
import { AlreadyEndedError, NotFoundError } from '../errors';
import { revisionName } from '../rollout/finish';
import { parseRolloutExecutionName } from '../rollout/naming';
import { rolloutProgress } from '../rollout/progress';
import { rotationProgress } from '../rotate/progress';
import type { CancelledOperation, OperationItem, OperationList } from './contract';
import type { ApiDeps } from './deps';
import { executionHistory } from './execution-history';
import { apiStatus } from './status';

/**
 * The mesh's long operations as one resource: deployments, rollouts, rotations and teardowns, each an execution of
 * one of the stack's state machines (layers/executions/operations.ts), listed while they run (`GET /operations`) and
 * cancelled by id whatever their kind (`POST /operations/{id}/cancel`).
 */

/** GET /operations: what runs now in the mesh, oldest first; the kind, the id to cancel it by, and what it works on. */
export async function listRunningOperations(deps: ApiDeps): Promise<OperationList> {
  const items: OperationItem[] = [];
  for (const listing of await deps.deployments.list({ mesh: deps.meshName, status: 'RUNNING', limit: 100 })) {
    if (!listing.deploymentId) continue;
    items.push({ kind: 'deployment', id: listing.deploymentId, status: 'RUNNING', mesh: deps.meshName, execution: listing.name, ...startedAt(listing.startedAt) });
  }
  for (const kind of ['rollout', 'rotation', 'teardown'] as const) {
    const machine = machineOf(kind, deps);
    if (!machine) continue;
    for (const execution of await runningExecutions(machine, deps)) {
      const ref = operationOfExecution(machineName(machine), execution.name ?? '');
      if (!ref || !execution.executionArn) continue;
      // The input says a rollout's whole service name (the execution name may cut it) and a rotation's secret.
      const input = kind === 'teardown' ? {} : await executionInput(execution.executionArn, deps);
      items.push({
        kind,
        id: ref.id,
        status: 'RUNNING',
        mesh: deps.meshName,
        execution: execution.name ?? ref.id,
        ...startedAt(execution.startDate),
        ...(kind === 'rollout' ? { service: typeof input.service === 'string' ? input.service : ref.service } : {}),
        ...(kind === 'rotation' && typeof input.request?.secret === 'string' ? { secret: input.request.secret } : {}),
      });
    }
  }
  return { items: items.sort((a, b) => (a.startedAt ?? '').localeCompare(b.startedAt ?? '')) };
}

/**
 * POST /operations/{id}/cancel: StopExecution, then release at once the locks the execution held (the mesh lock, a
 * rollout's service lock), as the execution-ended function would on the `ABORTED` status event, so the next operation
 * starts at once. Nothing is undone: what ECS was asked to do it goes on doing, and the answer's `note` says what that
 * leaves for this kind (a rollout's update converging or rolling back, a rotation's two valid secrets, a teardown's
 * half-removed mesh).
 *
 * @throws NotFoundError for an id of no operation of this mesh; AlreadyEndedError (409) when it has ended, naming how.
 */
export async function cancelOperation(id: string, deps: ApiDeps): Promise<CancelledOperation> {
  const kind = operationKindOf(id);
  if (!kind) throw new NotFoundError(`no operation ${id}: ids look like d-20250304050607-k3x9q0 (a deployment), r-... (a rollout), s-... (a rotation) or x-... (a teardown)`);
  const executionArn = await findExecution(kind, id, deps);
  const described = await describeExecution(kind, id, executionArn, deps);
  const input = parseObject(described.input);
  if (described.status !== 'RUNNING' && described.status !== 'PENDING_REDRIVE') {
    throw new AlreadyEndedError(`${kind} ${id} has already ended (${apiStatus(described.status, described.error)}): nothing to cancel`);
  }
  await deps.sfn.stopExecution(executionArn, { error: 'Cancelled', cause: `${kind} cancelled through the HTTP API` });
  const released = await releaseLocksHeldBy(executionArn, { ssm: deps.ssm, meshName: deps.meshName });
  const service = kind === 'rollout' && typeof input.service === 'string' ? input.service : undefined;
  const secret = kind === 'rotation' && typeof input.request?.secret === 'string' ? input.request.secret : undefined;
  return {
    id,
    kind,
    status: 'ABORTED',
    mesh: deps.meshName,
    execution: described.name ?? id,
    ...(service ? { service } : {}),
    ...(secret ? { secret } : {}),
    released,
    note: await noteFor(kind, executionArn, deps),
  };
}

/** What a cancelled operation leaves behind, read from its history (the steps it had reached). */
async function noteFor(kind: OperationKind, executionArn: string, deps: ApiDeps): Promise<string> {
  if (kind === 'deployment') return 'What ECS already started keeps going; the next deployment converges the mesh to its spec.';
  const history = await executionHistory(deps.sfn, executionArn);
  if (kind === 'rollout') {
    const progress = rolloutProgress(history);
    const reached = (name: string) => ['running', 'done', 'failed'].includes(progress.steps.find((s) => s.name === name)?.state ?? 'pending');
    const service = progress.prepared ? `service ${progress.prepared.service} (cluster ${progress.prepared.cluster})` : 'the service';
    const previous = progress.prepared ? revisionName(progress.prepared.previousTaskDefinitionArn) : 'the previous revision';
    if (reached('rollback')) return `ECS goes on rolling ${service} back to ${previous} as it was asked; nothing waits for it now.`;
    if (reached('update')) {
      const next = progress.revision ? revisionName(progress.revision.taskDefinitionArn) : 'the new revision';
      return (
        `ECS goes on with the rolling update it was given: ${service} converges to ${next} (or its circuit breaker rolls it back), ` +
        `but nothing verifies it in Consul or rolls it back on failure now. Roll out again, or deploy the spec to bring its image back.`
      );
    }
    return `The service was not updated: it still runs ${previous}${reached('build') ? ' (an image build already started may still finish; nothing uses it)' : ''}.`;
  }
  if (kind === 'rotation') {
    const progress = rotationProgress(history);
    const reached = (name: string) => progress.steps.find((s) => s.name === name)?.state !== 'pending';
    if (progress.stored) {
      return `Version ${progress.stored.version} of ${progress.prepared?.parameter ?? 'the secret'} is stored and live in Consul next to the old one, which still works; tasks ECS was replacing start with it. Rotate again to finish.`;
    }
    if (reached('activate')) {
      return `The old secret still works; the new one may already be live in Consul, staged in ${progress.prepared?.stagingParameter ?? 'the staging parameter'} (read by no task). Rotate again to finish.`;
    }
    return 'Nothing was changed in Consul or SSM.';
  }
  const stages = destroyProgress(history);
  const done = stages.filter((s) => s.state === 'done').map((s) => s.name);
  const cut = stages.find((s) => s.state === 'cancelled' || s.state === 'running')?.name;
  return (
    `What the teardown removed stays removed${done.length > 0 ? ` (done: ${done.join(', ')})` : ''}` +
    `${cut ? `; it was cancelled in ${cut}, and ECS goes on stopping the tasks of services it had scaled to 0` : ''}. ` +
    'Destroy again to finish, or deploy the spec to bring the mesh back.'
  );
}

/** The execution ARN of an operation id: named by the id (rotation, teardown), found by it (deployment, rollout). */
async function findExecution(kind: OperationKind, id: string, deps: ApiDeps): Promise<string> {
  if (kind === 'deployment') {
    try {
      return await deps.deployments.resolveId(id);
    } catch (error) {
      if (error instanceof NotFoundError) throw new NotFoundError(`no deployment ${id}`);
      throw error;
    }
  }
  const machine = machineOf(kind, deps);
  if (!machine) throw new NotFoundError(`no ${kind} ${id}: this orchestrator runs none`);
  if (kind !== 'rollout') return `${machine.replace(':stateMachine:', ':execution:')}:${id}`;
  // A rollout's execution is named by its service and the id's suffix: the running ones first (a cancel is for
  // those), then the newest, down to the id's own time (ListExecutions answers newest first).
  const matches = (e: ExecutionListItem) => parseRolloutExecutionName(e.name ?? '')?.rolloutId === id;
  const running = (await runningExecutions(machine, deps)).find(matches);
  if (running?.executionArn) return running.executionArn;
  const since = (operationIdTime(id)?.getTime() ?? 0) - 60_000;
  for await (const page of deps.sfn.executionPages({ stateMachineArn: machine, maxResults: 100 })) {
    const found = page.find(matches);
    if (found?.executionArn) return found.executionArn;
    if (page.some((e) => (e.startDate?.getTime() ?? Infinity) < since)) break;
  }
  throw new NotFoundError(`no rollout ${id}`);
}

/** Status, error, name and input of the operation's execution; deployments through the API's deployment store. */
async function describeExecution(kind: OperationKind, id: string, executionArn: string, deps: ApiDeps): Promise<{ status?: string; error?: string; name?: string; input?: string }> {
  try {
    if (kind === 'deployment') return await deps.deployments.describe(executionArn);
    return await deps.sfn.describeExecution(executionArn);
  } catch (error) {
    if ((error as Error).name === 'ExecutionDoesNotExist') throw new NotFoundError(`no ${kind} ${id}`);
    throw error;
  }
}

async function runningExecutions(stateMachineArn: string, deps: ApiDeps): Promise<ExecutionListItem[]> {
  const found: ExecutionListItem[] = [];
  for await (const page of deps.sfn.executionPages({ stateMachineArn, statusFilter: 'RUNNING', maxResults: 100 })) found.push(...page);
  return found;
}

function machineOf(kind: OperationKind, deps: ApiDeps): string | undefined {
  return { deployment: deps.deployStateMachineArn, rollout: deps.rolloutStateMachineArn, rotation: deps.rotateStateMachineArn, teardown: deps.destroyStateMachineArn }[kind];
}

/** `arn:...:stateMachine:<name>` → `<name>`. */
function machineName(arn: string): string {
  return arn.slice(arn.lastIndexOf(':') + 1);
}

async function executionInput(executionArn: string, deps: ApiDeps): Promise<ExecutionInput> {
  return parseObject((await deps.sfn.describeExecution(executionArn)).input);
}

interface ExecutionInput {
  service?: unknown;
  request?: { secret?: unknown };
}

function parseObject(text: string | undefined): ExecutionInput {
  try {
    const parsed: unknown = JSON.parse(text ?? '');
    return typeof parsed === 'object' && parsed !== null ? (parsed as ExecutionInput) : {};
  } catch {
    return {};
  }
}

function startedAt(date: Date | undefined): { startedAt?: string } {
  return date ? { startedAt: date.toISOString() } : {};
}
