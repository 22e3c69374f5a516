import type { DeploymentFailure, DeploymentSummary } from '../deploy/types';

/**
 * How a deployment ended, read back from its execution: the summary the `Deployed` state outputs, or the failure
 * RecordFailure puts in the execution's cause. Shared by the HTTP API (GET /deployments/{id}) and the CLI.
 */

/** Narrows an execution output to a DeploymentSummary (the output of the `Deployed` state). */
export function asDeploymentSummary(output: unknown): DeploymentSummary | undefined {
  if (typeof output !== 'object' || output === null) return undefined;
  const o = output as Partial<DeploymentSummary>;
  return typeof o.mesh === 'string' && Array.isArray(o.clusters) ? (output as DeploymentSummary) : undefined;
}

/** Reads the failure JSON RecordFailure puts in the execution's cause; undefined when the cause is not one. */
export function parseDeploymentFailure(cause: string | undefined): DeploymentFailure | undefined {
  if (!cause) return undefined;
  try {
    const parsed: unknown = JSON.parse(cause);
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const f = parsed as Partial<DeploymentFailure>;
    return typeof f.stage === 'string' && typeof f.error === 'string' && typeof f.message === 'string' ? (parsed as DeploymentFailure) : undefined;
  } catch {
    return undefined;
  }
}
