import { DescribeExecutionCommand, GetExecutionHistoryCommand, StartExecutionCommand, type HistoryEvent } from '@aws-sdk/client-sfn';
import type { LocalCloud } from '../../../local/cloud';
import type { DestroySummary } from '../../../layers/deploy/teardown';
import { sfnClient } from './harness';

export interface DestroyRun {
  executionArn: string;
  status: string;
  error?: string;
  cause?: string;
  output?: DestroySummary;
  states: string[];
  history: HistoryEvent[];
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
  const sfn = sfnClient(cloud);
  const deadline = Date.now() + timeoutMs;
  let described;
  do {
    await new Promise((r) => setTimeout(r, 50));
    described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
  } while (described.status === 'RUNNING' && Date.now() < deadline);
  const history: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, nextToken }));
    history.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return {
    executionArn,
    status: described.status ?? 'UNKNOWN',
    error: described.error,
    cause: described.cause,
    output: described.output ? JSON.parse(described.output) : undefined,
    states: history.filter((e) => e.type?.endsWith('StateEntered')).map((e) => e.stateEnteredEventDetails?.name ?? ''),
    history,
  };
}

export async function destroy(cloud: LocalCloud, options: { mesh?: string; purge?: boolean; spec?: unknown } = {}): Promise<DestroyRun> {
  return waitDestroy(cloud, await startDestroy(cloud, options));
}
