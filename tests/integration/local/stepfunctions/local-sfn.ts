/**
 * The fixture app's functions and state machines on a local Step Functions, reached through the real SFN client
 * over HTTP (the JSON 1.0 protocol), as the application reaches it.
 */
import { DescribeExecutionCommand, GetExecutionHistoryCommand, SFNClient, type DescribeExecutionCommandOutput, type HistoryEvent } from '@aws-sdk/client-sfn';
import { LambdaRuntime } from '../../../../local/aws/lambda';
import { deployStateMachines, StepFunctionsProvider } from '../../../../local/aws/stepfunctions';
import type { ServerlessConfig } from '../../../../local/serverless/model';
import { loadFixtureConfig } from '../../../fixtures/serverless-app/load';
import { clientConfig, startTestEndpoint, type TestEndpoint } from '../support/test-endpoint';

export interface LocalStepFunctions {
  readonly config: ServerlessConfig;
  readonly client: SFNClient;
  readonly sfn: StepFunctionsProvider;
  /** State machine ARNs by key in `stepFunctions.stateMachines`. */
  readonly arns: Record<string, string>;
  close(): Promise<void>;
}

/** `timeScale` 0.001: the fixture's 5-second Wait lasts 5 ms, a 1-second Retry interval 1 ms. */
export async function startLocalStepFunctions(timeScale = 0.001): Promise<LocalStepFunctions> {
  const config = await loadFixtureConfig();
  const runtime = new LambdaRuntime(config.functions, { region: config.region, taskRoot: config.appDir });
  const sfn = new StepFunctionsProvider({ lambda: runtime, timeScale });
  const arns = await deployStateMachines(config, sfn);
  const endpoint: TestEndpoint = await startTestEndpoint([sfn]);
  const client = new SFNClient(clientConfig(endpoint));
  return {
    config,
    client,
    sfn,
    arns,
    close: async () => {
      client.destroy();
      await sfn.close();
      await runtime.close();
      await endpoint.close();
    },
  };
}

/** Polls DescribeExecution until the execution has closed. */
export async function waitForExecution(client: SFNClient, executionArn: string, timeoutMs = 10_000): Promise<DescribeExecutionCommandOutput> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const described = await client.send(new DescribeExecutionCommand({ executionArn }));
    if (described.status !== 'RUNNING') return described;
    if (Date.now() > deadline) throw new Error(`execution ${executionArn} still RUNNING after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The whole history, oldest first, following nextToken. */
export async function fullHistory(client: SFNClient, executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(new GetExecutionHistoryCommand({ executionArn, nextToken, maxResults: 1000 }));
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

/** Names of the states entered, in order. */
export function statesEntered(events: HistoryEvent[]): string[] {
  return events.flatMap((event) => (event.stateEnteredEventDetails?.name ? [event.stateEnteredEventDetails.name] : []));
}
