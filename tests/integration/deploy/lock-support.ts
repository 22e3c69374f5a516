import { GetExecutionHistoryCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { LocalCloud } from '@consul-mesh/local-cloud';
import { referenceSpec, sfnClient, startCloud, uploadContexts } from './harness';

/** What the lock tests share: a local cloud slow enough to catch a deployment in the middle, and the lock's holder. */
export const LOCK = '/consul-mesh/reference-mesh/lock';
export const ctx = { region: 'us-east-1', accountId: '000000000000', requestId: 't' };
/** Slow enough task starts that a deployment can be caught in the middle. */
export const SLOW = { provisioningMs: 0, pendingMs: 200, activatingMs: 0, runningMs: 0, stoppingMs: 0, restartBackoffMs: 5, maxRestartBackoffMs: 20 };

/** The deploy harness's cloud with task starts slow enough to catch a deployment in the middle. */
export function startSlowCloud(): Promise<LocalCloud> {
  return startCloud({ ecsDelays: SLOW });
}

/** Starts a deployment and returns once it holds the mesh lock and is creating the servers. */
export async function startAndReachServers(cloud: LocalCloud): Promise<string> {
  const sfn = sfnClient(cloud);
  const deploymentId = `d-lock-${Date.now().toString(36)}`;
  await uploadContexts(cloud, referenceSpec());
  const { executionArn } = await sfn.send(
    new StartExecutionCommand({
      stateMachineArn: cloud.stateMachines.deployMesh,
      name: `reference-mesh-${deploymentId}`,
      input: JSON.stringify({ deploymentId, spec: referenceSpec(), settings: { pollSeconds: 0, maxRounds: 4000 } }),
    }),
  );
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { events = [] } = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }));
    if (events.some((e) => e.stateEnteredEventDetails?.name === 'ServersEnsure')) break;
    if (Date.now() > deadline) throw new Error('the deployment never reached ServersEnsure');
    await new Promise((r) => setTimeout(r, 20));
  }
  return executionArn!;
}

export async function lockHolder(cloud: LocalCloud): Promise<string | undefined> {
  try {
    const { Parameter } = (await cloud.ssm.operations.GetParameter({ Name: LOCK }, ctx)) as { Parameter: { Value: string } };
    return (JSON.parse(Parameter.Value) as { holder: string }).holder;
  } catch {
    return undefined;
  }
}
