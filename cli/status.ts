import { loadMeshSpec } from '../layers/domain/spec/load';
import { createBackend, type BackendOptions } from './backend-factory';
import { writeLines, type CliDeps } from './cli-deps';
import type { DeploymentDescription } from '../layers/deployments/backend';
import { reportOutcome } from './outcome';
import { renderProgressFrame } from './progress-text';
import { createProgressView, formatDuration } from './progress-view';
import { watchDeployment } from './watch';

export interface StatusOptions extends BackendOptions {
  /** Without an id: the latest deployment of this mesh. */
  mesh?: string;
  /** Without an id or `mesh`: the latest deployment of this spec's mesh. */
  spec?: string;
  /** Follow a running deployment to its end with the live view. */
  watch: boolean;
  json: boolean;
}

/**
 * `meshctl status [id]`: the per-stage progress of a deployment, from its execution history, and its summary
 * or cause once it has ended. The id may be an execution ARN, an execution name or a deployment id; without one,
 * the latest deployment of the mesh (`--mesh`, or `--spec`'s name), or the newest of all.
 *
 * @returns 0 when the deployment succeeded or still runs, 1 when it failed (or none was found).
 */
export async function statusCommand(reference: string | undefined, options: StatusOptions, deps: CliDeps): Promise<number> {
  const backend = createBackend(options, deps);
  let id: string;
  if (reference) {
    id = await backend.resolveId(reference);
  } else {
    const mesh = options.mesh ?? (options.spec ? loadMeshSpec(options.spec).name : undefined);
    const [latest] = await backend.list({ mesh, limit: 1 });
    if (!latest) {
      deps.stderr.write(`meshctl status: no deployments found${mesh ? ` of mesh "${mesh}"` : ''}\n`);
      return 1;
    }
    id = latest.id;
  }

  if (options.watch && !options.json) {
    const view = createProgressView(deps.stdout, deps.now, deps.env);
    const result = await watchDeployment(backend, id, {
      intervalMs: deps.pollIntervalMs,
      sleep: deps.sleep,
      onUpdate: (p, d) => view.update(p, d),
      stderr: deps.stderr,
      onInterrupt: deps.onInterrupt,
      interrupted: [`Stopped following ${id}; it keeps running.`, `  cancel it:  meshctl cancel ${id}`],
      close: () => view.close(),
    });
    view.close();
    return reportOutcome(result.description, result.progress, false, deps);
  }
  const { description, progress } = await watchDeployment(backend, id, { intervalMs: deps.pollIntervalMs, sleep: deps.sleep, once: !options.watch });
  if (!options.json) writeLines(deps.stdout, renderProgressFrame(statusHeader(description, deps.now()), progress));
  return reportOutcome(description, progress, options.json, deps);
}

/** `Deployment d-... of mesh "x" (execution name): RUNNING, started 2025-... (1m02s ago)`. */
export function statusHeader(d: DeploymentDescription, now: Date): string {
  const mesh = d.mesh ? ` of mesh "${d.mesh}"` : '';
  const started = d.startedAt ? `, started ${d.startedAt.toISOString()}` : '';
  const took = d.startedAt ? ` (${d.stoppedAt ? `took ${formatDuration(d.stoppedAt.getTime() - d.startedAt.getTime())}` : `${formatDuration(now.getTime() - d.startedAt.getTime())} ago`})` : '';
  return `Deployment ${d.deploymentId ?? d.name}${mesh} (execution ${d.name}): ${d.status}${started}${took}`;
}
