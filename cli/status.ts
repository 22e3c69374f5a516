import { loadMeshSpec } from '../layers/domain/spec/load';
import type { MeshView } from '../layers/api/mesh';
import { createApiBackend, createBackend, usesStepFunctions, type BackendOptions } from './backend-factory';
import { writeLines, type CliDeps } from './cli-deps';
import type { DeploymentDescription } from '../layers/executions/backend';
import { renderPeers } from './mesh';
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
    const now = await peersNow(result.description.mesh, options, deps);
    // The peers as they are now replace the summary's (as they were when the deployment ended).
    const code = reportOutcome(result.description, result.progress, false, deps, {}, { summaryPeers: now === undefined });
    writeLines(deps.stdout, peerLines(now));
    return code;
  }
  const { description, progress } = await watchDeployment(backend, id, { intervalMs: deps.pollIntervalMs, sleep: deps.sleep, once: !options.watch });
  const peers = await peersNow(description.mesh, options, deps);
  if (!options.json) writeLines(deps.stdout, renderProgressFrame(statusHeader(description, deps.now()), progress));
  const code = reportOutcome(description, progress, options.json, deps, peers === undefined ? {} : { peers }, { summaryPeers: peers === undefined });
  if (!options.json) writeLines(deps.stdout, peerLines(peers));
  return code;
}

/**
 * The mesh's peerings as they are now (`GET /mesh`, the rows of `meshctl mesh`): what a deployment with a peering
 * stage left, and what has happened to it since (a peer's gateways down: FAILING). Only through the HTTP API, whose
 * stack manages one mesh: none for another mesh's deployment or with Step Functions directly. A failed read is said
 * on stderr and does not change the exit code, which is the deployment's.
 */
async function peersNow(mesh: string | undefined, options: StatusOptions, deps: CliDeps): Promise<NonNullable<MeshView['peers']> | undefined> {
  if (usesStepFunctions(options, deps.env)) return undefined;
  try {
    const view = await createApiBackend(options, deps).getMesh();
    return mesh === undefined || view.mesh === mesh ? (view.peers ?? []) : undefined;
  } catch (error) {
    deps.stderr.write(`meshctl status: the mesh's peers are not shown: GET /mesh failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`);
    return undefined;
  }
}

function peerLines(peers: MeshView['peers']): string[] {
  const table = renderPeers({ peers });
  return table.length === 0 ? [] : ['', 'Peers (now):', ...table.slice(0, -1)];
}

/** `Deployment d-... of mesh "x" (execution name): RUNNING, started 2025-... (1m02s ago)`. */
export function statusHeader(d: DeploymentDescription, now: Date): string {
  const mesh = d.mesh ? ` of mesh "${d.mesh}"` : '';
  const started = d.startedAt ? `, started ${d.startedAt.toISOString()}` : '';
  const took = d.startedAt ? ` (${d.stoppedAt ? `took ${formatDuration(d.stoppedAt.getTime() - d.startedAt.getTime())}` : `${formatDuration(now.getTime() - d.startedAt.getTime())} ago`})` : '';
  return `Deployment ${d.deploymentId ?? d.name}${mesh} (execution ${d.name}): ${d.status}${started}${took}`;
}
