import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { LocalCloud } from '@consul-mesh/local-cloud';
import type { DestroySummary } from '../../../layers/deploy/teardown';
import { sfnClient, waitForExecution, type ExecutionRun } from './harness';

export interface DestroyRun extends ExecutionRun<DestroySummary> {
  executionArn: string;
}

let counter = 0;

/** Starts a teardown execution (the input `DELETE /mesh` gives it); `wait` follows it to its end (bounded). */
export async function startDestroy(cloud: LocalCloud, options: { mesh?: string; purge?: boolean; spec?: unknown } = {}): Promise<string> {
  const sfn = sfnClient(cloud);
  counter += 1;
  const destroyId = `x-test-${Date.now().toString(36)}-${counter}`;
  const { executionArn } = await sfn.send(
    new StartExecutionCommand({
      stateMachineArn: cloud.stateMachines.destroyMesh,
      name: destroyId,
      input: JSON.stringify({ destroyId, mesh: options.mesh ?? 'reference-mesh', purge: options.purge ?? false, spec: options.spec ?? null, settings: { pollSeconds: 0, maxRounds: 400 } }),
    }),
  );
  return executionArn!;
}

export async function waitDestroy(cloud: LocalCloud, executionArn: string, timeoutMs = 60_000): Promise<DestroyRun> {
  return { executionArn, ...(await waitForExecution<DestroySummary>(cloud, executionArn, timeoutMs)) };
}

export async function destroy(cloud: LocalCloud, options: { mesh?: string; purge?: boolean; spec?: unknown } = {}): Promise<DestroyRun> {
  return waitDestroy(cloud, await startDestroy(cloud, options));
}
