import type { CancelledOperation, OperationItem } from '../layers/api/contract';
import { loadMeshSpec } from '../layers/domain/spec/load';
import { parseOperationReference, type OperationKind } from '../layers/executions/operations';
import { AlreadyEndedError, NotFoundError } from '../layers/errors';
import { createApiBackend, createBackend, usesStepFunctions, type BackendOptions } from './backend-factory';
import { writeLines, type CliDeps } from './cli-deps';

export interface CancelOptions extends BackendOptions {
  /** Without an id: the running operation of this mesh. */
  mesh?: string;
  /** Without an id or `mesh`: the running operation of this spec's mesh. */
  spec?: string;
}

/**
 * `meshctl cancel [id]`: stops a running deployment, rollout, rotation or teardown through the HTTP API
 * (`POST /operations/{id}/cancel`), which releases its locks at once, and says what it leaves behind. The id is the
 * operation's (`d-`, `r-`, `s-`, `x-...`, as deploy, rollout, rotate, destroy and status print them), its execution
 * name or its ARN. Without an id: the one operation that runs in the mesh (`--mesh`, `--spec`; `GET /operations`),
 * refused with the list when several run. With `--state-machine-arn` (Step Functions directly), deployments only.
 *
 * @returns 0 when the operation was stopped; 1 when there was none to stop, several, or it had already ended; 2 for
 *   an id that names no operation.
 */
export async function cancelCommand(reference: string | undefined, options: CancelOptions, deps: CliDeps): Promise<number> {
  if (usesStepFunctions(options, deps.env)) return cancelDeploymentDirectly(reference, options, deps);
  const api = createApiBackend(options, deps);
  let id: string;
  if (reference) {
    const ref = parseOperationReference(reference);
    if (!ref) {
      deps.stderr.write(`meshctl cancel: "${reference}" names no operation: give the id of a deployment (d-...), rollout (r-...), rotation (s-...) or teardown (x-...), or its execution name or ARN\n`);
      return 2;
    }
    id = ref.id;
  } else {
    const mesh = meshOption(options);
    const running = (await api.listOperations()).filter((o) => mesh === undefined || o.mesh === mesh);
    const chosen = chooseRunning(running, mesh);
    if (!chosen.ok) {
      writeLines(deps.stderr, chosen.lines);
      return 1;
    }
    id = chosen.operation.id;
  }
  let cancelled: CancelledOperation;
  try {
    cancelled = await api.cancelOperation(id);
  } catch (error) {
    if (!(error instanceof AlreadyEndedError || error instanceof NotFoundError)) throw error;
    deps.stderr.write(`meshctl cancel: ${error.message}\n`);
    return 1;
  }
  writeLines(deps.stdout, renderCancelled(cancelled));
  return 0;
}

/**
 * The operation `meshctl cancel` without an id stops: the only one that runs. None, or several (a deployment never
 * runs next to another operation, but rollouts of different services do), is refused with what to type instead.
 */
export function chooseRunning(running: readonly OperationItem[], mesh?: string): { ok: true; operation: OperationItem } | { ok: false; lines: string[] } {
  const where = mesh ? ` in mesh "${mesh}"` : '';
  if (running.length === 1) return { ok: true, operation: running[0] };
  if (running.length === 0) return { ok: false, lines: [`meshctl cancel: nothing runs${where}: no deployment, rollout, rotation or teardown to cancel`] };
  return {
    ok: false,
    lines: [`meshctl cancel: ${running.length} operations run${where}; name the one to cancel:`, ...running.map((o) => `  meshctl cancel ${o.id}   # ${describeOperation(o)}`)],
  };
}

const TITLE: Record<OperationKind, string> = { deployment: 'Deployment', rollout: 'Rollout', rotation: 'Rotation', teardown: 'Teardown' };

/** `rollout of service "users", started 2025-...`: what an operation works on, for the list of running ones. */
export function describeOperation(o: Pick<OperationItem, 'kind' | 'mesh' | 'service' | 'secret' | 'startedAt'>): string {
  const what = o.kind === 'rollout' && o.service ? ` of service "${o.service}"` : o.kind === 'rotation' && o.secret ? ` of ${o.secret}` : ` of mesh "${o.mesh}"`;
  return `${o.kind}${what}${o.startedAt ? `, started ${o.startedAt}` : ''}`;
}

/**
 * What was cancelled, the locks released, and what it leaves behind (the API's note, per kind).
 * @example renderCancelled({ kind: 'rollout', id: 'r-...', service: 'users', mesh: 'shop', released: ['/consul-mesh/shop/rollouts/users/lock'], note: 'ECS goes on ...', ... })
 * // ['Rollout r-... of service "users" in mesh "shop" cancelled; released its lock /consul-mesh/shop/rollouts/users/lock.', 'ECS goes on ...']
 */
export function renderCancelled(c: Pick<CancelledOperation, 'kind' | 'id' | 'mesh' | 'service' | 'secret' | 'released' | 'note'>): string[] {
  const what = c.kind === 'rollout' && c.service ? ` of service "${c.service}" in mesh "${c.mesh}"` : c.kind === 'rotation' && c.secret ? ` of ${c.secret} in mesh "${c.mesh}"` : ` of mesh "${c.mesh}"`;
  const locks = c.released.length === 0 ? '; it held no lock any more' : `; released its lock${c.released.length > 1 ? 's' : ''} ${c.released.join(', ')}`;
  return [`${TITLE[c.kind]} ${c.id}${what} cancelled${locks}.`, c.note];
}

/** `--state-machine-arn`: StopExecution of a deployment straight through Step Functions (AWS credentials). */
async function cancelDeploymentDirectly(reference: string | undefined, options: CancelOptions, deps: CliDeps): Promise<number> {
  const ref = reference ? parseOperationReference(reference) : undefined;
  if (ref && ref.kind !== 'deployment') {
    deps.stderr.write(`meshctl cancel: ${reference} is a ${ref.kind}: only deployments are cancelled through Step Functions directly (--state-machine-arn); cancel it through the HTTP API (--api-url)\n`);
    return 2;
  }
  const backend = createBackend(options, deps);
  let id: string;
  if (reference) {
    id = await backend.resolveId(reference);
  } else {
    const mesh = meshOption(options);
    const running = (await backend.list({ mesh, limit: 20 })).filter((d) => d.status === 'RUNNING');
    if (running.length !== 1) {
      deps.stderr.write(
        running.length === 0
          ? `meshctl cancel: no running deployment${mesh ? ` of mesh "${mesh}"` : ''}\n`
          : `meshctl cancel: ${running.length} deployments are running (${running.map((d) => d.deploymentId ?? d.name).join(', ')}): name one, or pass --mesh\n`,
      );
      return 1;
    }
    id = running[0].id;
  }
  try {
    await backend.cancel(id);
  } catch (error) {
    if (!(error instanceof AlreadyEndedError)) throw error;
    deps.stderr.write(`meshctl cancel: ${error.message}\n`);
    return 1;
  }
  const description = await backend.describe(id);
  // No lock is released here (the caller may not write SSM): the execution-ended function releases it on the
  // ABORTED event, and the next operation takes over a lock whose holder has ended anyway.
  deps.stdout.write(`Deployment ${description.deploymentId ?? description.name}${description.mesh ? ` of mesh "${description.mesh}"` : ''} cancelled: what ECS already started keeps running until the next deployment converges it.\n`);
  return 0;
}

function meshOption(options: CancelOptions): string | undefined {
  return options.mesh ?? (options.spec ? loadMeshSpec(options.spec).name : undefined);
}
