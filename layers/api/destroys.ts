import { executionHistory } from './execution-history';
import * as z from 'zod/mini';
import { executionHolders } from '../adapters/execution-status';
import { describeLockHolder, lockState, readLock } from '../deploy/lock';
import { destroyProgress } from '../deploy/teardown-progress';
import type { DestroyInput } from '../deploy/teardown';
import { newOperationId } from '../executions/execution-name';
import { configParameterNames } from '../domain/naming';
import { DNS_LABEL } from '../domain/spec/names';
import { ConcurrentOperationError, ConfigError, InvalidInputError, NotFoundError } from '../errors';
import type { DestroyView, Started } from './contract';
import type { ApiDeps } from './deps';
import { parseJsonBody, parseWith, requireMediaType, type RequestBody } from './request';
import { runningRollouts } from './rollouts';
import { apiStatus } from './status';

/**
 * The teardown routes. A teardown is one execution of the destroy state machine, named by its id
 * (`x-<yyyymmddHHMMss>-<6 base36>`), so the id gives its ARN; its progress is read back from the execution history.
 */

/** `DELETE /mesh` takes the mesh (required) and `purge` in a JSON body or in the query string (a DELETE body is optional in HTTP). */
const DestroyRequestSchema = z.strictObject({
  mesh: z.optional(z.string().check(z.regex(DNS_LABEL, 'must be a mesh name'))),
  purge: z.optional(z.boolean()),
  /** The mesh's spec, if the caller has it: its clusters are searched for the mesh's services too. */
  spec: z.optional(z.looseObject({})),
});
const boolParam = z.pipe(z.enum(['true', 'false']), z.transform((v) => v === 'true'));
const intParam = (min: number, max: number) =>
  z.pipe(z.pipe(z.string().check(z.regex(/^\d{1,6}$/, 'must be a whole number')), z.transform(Number)), z.number().check(z.minimum(min), z.maximum(max)));
const DestroyQuerySchema = z.strictObject({
  mesh: z.optional(z.string().check(z.regex(DNS_LABEL, 'must be a mesh name'))),
  purge: z.optional(boolParam),
  pollSeconds: z.optional(intParam(0, 300)),
  maxRounds: z.optional(intParam(1, 1000)),
});

const DESTROY_ID = /^x-\d{14}-[0-9a-z]{6}$/;

/**
 * DELETE /mesh: start the teardown of this orchestrator's mesh. Refused (409, naming the holder) while a deployment
 * or another teardown holds the mesh lock, or a rollout runs; the state machine checks the same again when it takes
 * the lock, so a race between two requests still lets only one through.
 */
export async function startDestroy(body: RequestBody, query: unknown, deps: ApiDeps): Promise<Started & { purge: boolean }> {
  const q = parseWith(DestroyQuerySchema, query, 'query');
  const request = body.text.trim() === '' ? {} : parseWith(DestroyRequestSchema, (requireMediaType(body, ['json']), parseJsonBody(body.text)));
  // The mesh must be named, so that a bare `DELETE /mesh` (a slip, a replayed request) destroys nothing.
  const mesh = request.mesh ?? q.mesh;
  if (mesh === undefined) throw new InvalidInputError('name the mesh to destroy', [{ path: 'mesh', message: `is required (in the body or the query): "${deps.meshName}"` }]);
  if (mesh !== deps.meshName) throw new InvalidInputError('the request names another mesh', [{ path: 'mesh', message: `must be "${deps.meshName}": this orchestrator manages that mesh` }]);
  if (request.spec && request.spec.name !== mesh) throw new InvalidInputError('the spec names another mesh', [{ path: 'spec.name', message: `must be "${mesh}"` }]);
  const purge = request.purge ?? q.purge ?? false;
  const stateMachineArn = deps.destroyStateMachineArn ?? missingStateMachine();

  const lockName = configParameterNames({ name: mesh }).lock;
  const lock = await readLock(lockName, { ssm: deps.ssm });
  if (lock && (await lockState(lock, { holders: executionHolders(deps.sfn) })) === 'live') {
    throw new ConcurrentOperationError(`another operation of mesh "${mesh}" holds its lock: ${describeLockHolder(lockName, lock)}`);
  }
  const [rolling] = await runningRollouts(deps);
  if (rolling) throw new ConcurrentOperationError(`a rollout of service "${rolling.service}" is running (${rolling.rolloutId}): destroy once it has ended, or cancel it: meshctl cancel ${rolling.rolloutId}`);

  const destroyId = newOperationId('x', deps.now(), deps.randomSuffix);
  const input: DestroyInput = {
    destroyId,
    mesh,
    purge,
    spec: request.spec ?? null,
    settings: { pollSeconds: q.pollSeconds ?? deps.defaults.pollSeconds, maxRounds: q.maxRounds ?? deps.defaults.maxRounds },
  };
  await deps.sfn.startExecution({ stateMachineArn, name: destroyId, input: JSON.stringify(input) });
  return { id: destroyId, status: 'RUNNING', mesh, execution: destroyId, purge };
}

/** GET /mesh/destroys/{id}: status, per-stage progress, the summary (what was removed and kept) or the cause. */
export async function getDestroy(id: string, deps: ApiDeps): Promise<DestroyView> {
  if (!DESTROY_ID.test(id)) throw new NotFoundError(`no teardown ${id}: ids look like x-20250304050607-k3x9q0`);
  const stateMachineArn = deps.destroyStateMachineArn ?? missingStateMachine();
  const executionArn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${id}`;
  let described;
  try {
    described = await deps.sfn.describeExecution(executionArn);
  } catch (error) {
    if ((error as Error).name === 'ExecutionDoesNotExist') throw new NotFoundError(`no teardown ${id}`);
    throw error;
  }
  const history = await executionHistory(deps.sfn, executionArn, false);
  const input = parseInput(described.input);
  const status = apiStatus(described.status);
  const stages = destroyProgress(history);
  return {
    id,
    mesh: input.mesh ?? deps.meshName,
    purge: input.purge ?? false,
    status,
    executionStatus: described.status ?? 'UNKNOWN',
    execution: described.name ?? id,
    ...(described.startDate ? { startedAt: described.startDate.toISOString() } : {}),
    ...(described.stopDate ? { stoppedAt: described.stopDate.toISOString() } : {}),
    stages,
    ...(status === 'SUCCEEDED' && described.output ? { summary: JSON.parse(described.output) as DestroyView['summary'] } : {}),
    ...(status === 'FAILED' || status === 'ABORTED'
      ? { failure: { stage: stages.find((s) => s.state === 'failed' || s.state === 'cancelled')?.name, error: described.error, message: described.cause } }
      : {}),
  };
}

function parseInput(text: string | undefined): { mesh?: string; purge?: boolean } {
  try {
    return JSON.parse(text ?? '{}') as { mesh?: string; purge?: boolean };
  } catch {
    return {};
  }
}

function missingStateMachine(): never {
  throw new ConfigError('environment variable DESTROY_STATE_MACHINE_ARN is required for the teardown routes');
}
