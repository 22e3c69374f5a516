import { loadMeshSpec } from '../layers/domain/spec/load';
import { createBackend, type BackendOptions } from './backend-factory';
import type { CliDeps } from './cli-deps';

export interface CancelOptions extends BackendOptions {
  /** Without an id: the running deployment of this mesh. */
  mesh?: string;
  /** Without an id or `mesh`: the running deployment of this spec's mesh. */
  spec?: string;
}

/**
 * `meshctl cancel [id]`: stops a running deployment. Without an id, the running deployment of the mesh (`--mesh`,
 * `--spec`), or the only running one. What ECS already started keeps going; the next deployment converges it, and
 * takes the mesh lock at once.
 *
 * @returns 0 when the deployment was stopped, 1 when there was none to stop (or it had already ended).
 */
export async function cancelCommand(reference: string | undefined, options: CancelOptions, deps: CliDeps): Promise<number> {
  const backend = createBackend(options, deps);
  let id: string;
  if (reference) {
    id = await backend.resolveId(reference);
  } else {
    const mesh = options.mesh ?? (options.spec ? loadMeshSpec(options.spec).name : undefined);
    const running = (await backend.list({ mesh, limit: 20 })).filter((d) => d.status === 'RUNNING');
    if (running.length === 0) {
      deps.stderr.write(`meshctl cancel: no running deployment${mesh ? ` of mesh "${mesh}"` : ''}\n`);
      return 1;
    }
    if (running.length > 1) {
      deps.stderr.write(`meshctl cancel: ${running.length} deployments are running (${running.map((d) => d.deploymentId ?? d.name).join(', ')}): name one, or pass --mesh\n`);
      return 1;
    }
    id = running[0].id;
  }
  await backend.cancel(id);
  const description = await backend.describe(id);
  deps.stdout.write(`Deployment ${description.deploymentId ?? description.name}${description.mesh ? ` of mesh "${description.mesh}"` : ''} cancelled: what ECS already started keeps running until the next deployment converges it.\n`);
  return 0;
}
