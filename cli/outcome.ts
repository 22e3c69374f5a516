import type { CliDeps } from './cli-deps';
import { writeLines } from './cli-deps';
import type { DeploymentDescription } from '../layers/executions/backend';
import type { DeploymentProgress } from '../layers/executions/progress';
import { asDeploymentSummary, parseDeploymentFailure } from '../layers/executions/outcome';
import { renderFailure, renderSummary } from './summary';

/**
 * Reports how a deployment ended (or where it is) and returns the exit code: 0 for SUCCEEDED or still running,
 * 1 for FAILED, TIMED_OUT and ABORTED, with the stage, error and cause on stderr.
 */
export function reportOutcome(
  description: DeploymentDescription,
  progress: DeploymentProgress,
  json: boolean,
  deps: Pick<CliDeps, 'stdout' | 'stderr'>,
  /** More fields of the `--json` answer (`meshctl status`: the mesh's peers). */
  extra: Record<string, unknown> = {},
  /** `summaryPeers: false`: the summary's peer table is left out (the caller shows the peers as they are now). */
  options: { summaryPeers?: boolean } = {},
): number {
  const failed = description.status === 'FAILED' || description.status === 'TIMED_OUT' || description.status === 'ABORTED';
  if (json) {
    deps.stdout.write(`${JSON.stringify({ ...toJson(description, progress), ...extra }, null, 2)}\n`);
    return failed ? 1 : 0;
  }
  if (failed) {
    writeLines(deps.stderr, renderFailure(description, progress));
    return 1;
  }
  if (description.status === 'SUCCEEDED') {
    const summary = asDeploymentSummary(description.output ?? progress.output);
    if (summary) writeLines(deps.stdout, renderSummary(summary, { peers: options.summaryPeers }));
    else writeLines(deps.stdout, [`Deployment ${description.deploymentId ?? description.name} SUCCEEDED`, `output: ${JSON.stringify(description.output ?? null)}`]);
  }
  return 0;
}

/** The machine-readable form of a deployment (`--json`). */
export function toJson(description: DeploymentDescription, progress: DeploymentProgress): Record<string, unknown> {
  const failed = description.status === 'FAILED' || description.status === 'TIMED_OUT' || description.status === 'ABORTED';
  return {
    id: description.id,
    name: description.name,
    deploymentId: description.deploymentId,
    mesh: description.mesh,
    status: description.status,
    startedAt: description.startedAt?.toISOString(),
    stoppedAt: description.stoppedAt?.toISOString(),
    stages: progress.stages,
    services: progress.services,
    images: progress.images,
    consul: progress.consul,
    peerings: progress.peerings,
    summary: description.status === 'SUCCEEDED' ? (description.output ?? progress.output) : undefined,
    failure: failed
      ? (parseDeploymentFailure(description.cause) ?? {
          stage: progress.stages.find((s) => s.state === 'failed' || s.state === 'cancelled')?.name,
          error: description.error ?? progress.executionError?.error,
          cause: description.cause ?? progress.executionError?.cause,
        })
      : undefined,
  };
}
