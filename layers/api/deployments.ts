import { stackFitIssues, type StackLimits } from '../deploy/stack-fit';
import { buildContextRefs, requireBuildContexts } from '../deploy/build-source';
import { withDefaultDataplane } from '../build-context';
import { planImages } from '../deploy/images';
import type { DeploymentInput, DeploymentListing } from '../executions/backend';
import { isDeploymentId, newDeploymentId, parseExecutionName, specHashPrefix } from '../executions/execution-name';
import { parseDeploymentFailure } from '../executions/outcome';
import { initialProgress, reduceHistory } from '../executions/progress';
import { validateSpecObject } from '../domain/spec/validate';
import type { MeshSpec } from '../domain/spec/schema';
import { ConcurrentOperationError, InvalidInputError, NotFoundError, SpecInvalidError } from '../errors';
import type { CancelledOperation, DeploymentItem, DeploymentList, DeploymentView, Started } from './contract';
import { cancelOperation } from './operations';
import type { ApiDeps } from './deps';
import { PayloadTooLargeError } from '../errors';
import { MAX_BODY_BYTES, parseJsonBody, parseWith, requireMediaType, type RequestBody } from './request';
import { ListQuerySchema, StartQuerySchema } from './schemas';
import { runningRollouts } from './rollouts';
import { parseYamlBody } from './yaml-body';
import { apiStatus } from './status';

/**
 * The deployment routes. A deployment is one execution of the deploy state machine; its id is the deployment id
 * in the execution's name (`d-<yyyymmddHHMMss>-<6 base36>`), and its state is read back from Step Functions
 * (ListExecutions, DescribeExecution, GetExecutionHistory): no other store.
 */

/**
 * POST /deployments: a mesh spec as JSON or YAML. Everything is checked before anything starts: the size, the
 * media type, the spec (every problem with its path), that it is this orchestrator's mesh, that build contexts
 * carry their content hash and are in the build-source bucket. A running deployment of another spec of the mesh is a 409, and so is a running rollout;
 * a deployment of the very same spec is joined (`attached: true`), as StartExecution's idempotency would for an
 * identical request.
 */
/**
 * The spec of a POST /deployments or POST /plans body (JSON or YAML), checked as a deployment would check it: every
 * problem with its path, this orchestrator's mesh, a spec this stack can run (stack-fit.ts), build contexts that
 * carry their content hash (a context without one cannot be built: refused here rather than in the Plan step).
 */
export function readSubmittedSpec(body: RequestBody, deps: { meshName: string; stackLimits?: StackLimits }): { raw: unknown; spec: MeshSpec } {
  const kind = requireMediaType(body, ['json', 'yaml']);
  // The dataplane default `meshctl deploy` fills, so the API accepts what `meshctl validate` accepts.
  const raw = withDefaultDataplane(kind === 'json' ? parseJsonBody(body.text) : parseYamlBody(body.text));
  const result = validateSpecObject(raw);
  if (!result.ok) throw new SpecInvalidError(result.issues);
  const spec = result.spec;
  if (spec.name !== deps.meshName) {
    // One stack per mesh and region, each with its own API: a spec sent to the other region's API (two meshes joined by
    // peering) is named with its region, so the message says which API it was meant for.
    const here = deps.stackLimits?.region;
    const elsewhere = here && spec.region !== here ? ` ("${spec.name}" is for ${spec.region}: send it to the API of the stack in ${spec.region})` : '';
    throw new InvalidInputError('the spec names another mesh', [
      { path: 'name', message: `must be "${deps.meshName}": this orchestrator${here ? ` (${here})` : ''} deploys that mesh${elsewhere}` },
    ]);
  }
  const misfits = stackFitIssues(spec, deps.stackLimits ?? {});
  if (misfits.length > 0) throw new SpecInvalidError(misfits);
  planImages(spec);
  // The raw document travels as the execution's input (the Plan step validates it again); `spec` is the parsed one.
  return { raw, spec };
}

export async function startDeployment(body: RequestBody, query: unknown, deps: ApiDeps): Promise<Started> {
  const settings = parseWith(StartQuerySchema, query, 'query');
  const { raw, spec } = readSubmittedSpec(body, deps);
  // A build context whose files were not uploaded cannot be built either: its build would fail in DOWNLOAD_SOURCE.
  await requireBuildContexts(buildContextRefs(spec), deps.buildSources);

  const deploymentId = newDeploymentId(deps.now(), deps.randomSuffix);
  const input: DeploymentInput = {
    deploymentId,
    spec: raw,
    settings: { pollSeconds: settings.pollSeconds ?? deps.defaults.pollSeconds, maxRounds: settings.maxRounds ?? deps.defaults.maxRounds },
  };
  const size = Buffer.byteLength(JSON.stringify(input), 'utf8');
  if (size > MAX_BODY_BYTES) throw new PayloadTooLargeError(`the execution input would be ${size} bytes; Step Functions carries at most ${MAX_BODY_BYTES}`);
  // A deployment updates the very services a rollout is rolling: one at a time.
  const [rolling] = await runningRollouts(deps);
  if (rolling) throw new ConcurrentOperationError(`a rollout of service "${rolling.service}" is running (${rolling.rolloutId}): deploy once it has ended, or cancel it: meshctl cancel ${rolling.rolloutId}`);
  const started = await deps.deployments.start({ mesh: spec.name, deploymentId, specHash12: specHashPrefix(spec), input });
  return { id: started.deploymentId, status: 'RUNNING', mesh: spec.name, execution: started.name, attached: started.attached };
}

/** GET /deployments: newest first, `limit` per page, `nextToken` for the next. */
export async function listDeployments(query: unknown, deps: ApiDeps): Promise<DeploymentList> {
  const q = parseWith(ListQuerySchema, query, 'query');
  const token = q.nextToken === undefined ? undefined : decodeToken(q.nextToken);
  let page;
  try {
    page = await deps.deployments.listPage({ mesh: q.mesh, status: q.status, maxResults: q.limit, nextToken: token });
  } catch (error) {
    // A token Step Functions no longer accepts (expired, or from another state machine) is the caller's to drop.
    if ((error as Error).name === 'InvalidToken') throw badToken();
    throw error;
  }
  const items = page.items.filter((i) => i.deploymentId !== undefined).map(toItem);
  return { items, ...(page.nextToken ? { nextToken: encodeToken(page.nextToken) } : {}) };
}

/** GET /deployments/{id}: status, per-stage progress (from the history), the summary or the cause. */
export async function getDeployment(id: string, deps: ApiDeps): Promise<DeploymentView> {
  const arn = await resolve(id, deps);
  const description = await deps.deployments.describe(arn);
  const progress = reduceHistory(initialProgress(), await deps.deployments.history(arn, 0));
  const status = apiStatus(description.status);
  const parsed = parseExecutionName(description.name);
  const failed = status === 'FAILED' || status === 'ABORTED';
  return {
    id,
    ...(description.mesh ? { mesh: description.mesh } : {}),
    status,
    executionStatus: description.status,
    execution: description.name,
    ...(parsed ? { specHash: parsed.specHash12 } : {}),
    ...(description.startedAt ? { startedAt: description.startedAt.toISOString() } : {}),
    ...(description.stoppedAt ? { stoppedAt: description.stoppedAt.toISOString() } : {}),
    stages: progress.stages,
    services: progress.services,
    images: progress.images,
    ...(progress.consul ? { consul: progress.consul } : {}),
    ...(progress.peerings ? { peerings: progress.peerings } : {}),
    ...(status === 'SUCCEEDED' ? { summary: description.output ?? progress.output } : {}),
    ...(failed
      ? {
          failure: parseDeploymentFailure(description.cause) ?? {
            stage: progress.stages.find((s) => s.state === 'failed' || s.state === 'cancelled')?.name,
            error: description.error ?? progress.executionError?.error,
            message: description.cause ?? progress.executionError?.cause,
          },
        }
      : {}),
    ...(description.error ? { error: description.error } : {}),
    ...(description.cause ? { cause: description.cause } : {}),
  };
}

/**
 * POST /deployments/{id}/cancel: the deployment form of `POST /operations/{id}/cancel` (operations.ts): StopExecution,
 * then the mesh lock the execution held is released at once. What ECS had already started keeps going; the next
 * deployment brings it to its spec.
 */
export async function cancelDeployment(id: string, deps: ApiDeps): Promise<CancelledOperation> {
  if (!isDeploymentId(id)) throw new NotFoundError(`no deployment ${id}: ids look like d-20250304050607-k3x9q0`);
  return cancelOperation(id, deps);
}

async function resolve(id: string, deps: ApiDeps): Promise<string> {
  if (!isDeploymentId(id)) throw new NotFoundError(`no deployment ${id}: ids look like d-20250304050607-k3x9q0`);
  try {
    return await deps.deployments.resolveId(id);
  } catch (error) {
    if (error instanceof NotFoundError) throw new NotFoundError(`no deployment ${id}`);
    throw error;
  }
}

function toItem(listing: DeploymentListing): DeploymentItem {
  const parsed = parseExecutionName(listing.name);
  return {
    id: listing.deploymentId as string,
    ...(parsed ? { mesh: parsed.meshPart, specHash: parsed.specHash12 } : {}),
    status: apiStatus(listing.status),
    execution: listing.name,
    ...(listing.startedAt ? { startedAt: listing.startedAt.toISOString() } : {}),
    ...(listing.stoppedAt ? { stoppedAt: listing.stoppedAt.toISOString() } : {}),
  };
}

/** Page tokens are Step Functions' own, wrapped so a forged or truncated one is recognised as such (400). */
function encodeToken(token: string): string {
  return Buffer.from(JSON.stringify({ v: 1, t: token }), 'utf8').toString('base64url');
}

function decodeToken(token: string): string {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (typeof parsed === 'object' && parsed !== null && (parsed as { v?: unknown }).v === 1 && typeof (parsed as { t?: unknown }).t === 'string') {
      return (parsed as { t: string }).t;
    }
  } catch {
    // fall through
  }
  throw badToken();
}

function badToken(): InvalidInputError {
  return new InvalidInputError('invalid query', [{ path: 'query.nextToken', message: 'is not a token this API gave out' }]);
}
