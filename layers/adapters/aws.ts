import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { CodeBuildClient } from '@aws-sdk/client-codebuild';
import { ECRClient } from '@aws-sdk/client-ecr';
import { ECSClient } from '@aws-sdk/client-ecs';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SSMClient } from '@aws-sdk/client-ssm';
import { createCodeBuildApi, type CodeBuildApi } from './codebuild';
import { createEcrApi, type EcrApi } from './ecr';
import { createEcsApi, type EcsApi } from './ecs';
import { createEventsApi, type EventsApi } from './eventbridge';
import { createLogsApi, type LogsApi } from './logs';
import { createS3Api, type S3Api } from './s3';
import { createSfnApi, type SfnApi } from './sfn';
import { createSsmApi, type SsmApi } from './ssm';

/**
 * The AWS SDK v3 clients the orchestrator uses. Region, credentials and endpoint come from the SDK's own
 * resolution (`AWS_REGION`, `AWS_ENDPOINT_URL` for the local cloud), never from a branch in our code.
 * ECS and SSM throttle control-plane calls (DESIGN.md section 7): the standard retry mode backs off
 * exponentially with jitter on `ThrottlingException`, up to 8 attempts. (The adaptive mode also rate-limits the
 * client after a throttle, which in a 30-second step costs more time than the occasional retry it saves.)
 * Each service is reached only through its adapter (./ecs.ts, ./ssm.ts, ...), a narrow interface of the calls the
 * product makes that keeps to the API's batch sizes and pages; no SDK Command is built anywhere else (an ESLint rule
 * keeps `@aws-sdk/client-*` imports inside this folder).
 */
export interface AwsClients {
  ecs: EcsApi;
  ssm: SsmApi;
  codebuild: CodeBuildApi;
  ecr: EcrApi;
  sfn: SfnApi;
  s3: S3Api;
  events: EventsApi;
  logs: LogsApi;
}

export type AwsClientName = keyof AwsClients;

/** The factories of some clients, one per name: what a handler names is what its bundle holds. */
export type AwsClientFactories<K extends AwsClientName> = { readonly [P in K]: () => AwsClients[P] };

const RETRY = { maxAttempts: 8, retryMode: 'standard' } as const;

// One factory per client, each its own top-level function: esbuild keeps in a function's bundle only the
// factories its handler names (the SDK packages declare `sideEffects: false`), so a function that reads one SSM
// parameter does not load, parse and run five other clients at every cold start (see bench/deploy/bare-clients.ts).
export const ecsClient = (): EcsApi => createEcsApi(new ECSClient(RETRY));
export const ssmClient = (): SsmApi => createSsmApi(new SSMClient(RETRY));
/** An SSM client of another region than the function's (a peer's: the dialer reads its acceptor's peering token). */
export const ssmClientIn = (region: string): SsmApi => createSsmApi(new SSMClient({ ...RETRY, region }));
export const codebuildClient = (): CodeBuildApi => createCodeBuildApi(new CodeBuildClient(RETRY));
export const ecrClient = (): EcrApi => createEcrApi(new ECRClient(RETRY));
export const sfnClient = (): SfnApi => createSfnApi(new SFNClient(RETRY));
export const s3Client = (): S3Api => createS3Api(new S3Client(RETRY));
export const eventsClient = (): EventsApi => createEventsApi(new EventBridgeClient(RETRY));
export const logsClient = (): LogsApi => createLogsApi(new CloudWatchLogsClient(RETRY));

/** Every client, for the command line (one process that may call any of them). */
export const ALL_AWS_CLIENTS: AwsClientFactories<AwsClientName> = {
  ecs: ecsClient,
  ssm: ssmClient,
  codebuild: codebuildClient,
  ecr: ecrClient,
  sfn: sfnClient,
  s3: s3Client,
  events: eventsClient,
  logs: logsClient,
};

/**
 * The clients a handler names, each created lazily, on first use, so a cold start pays only for those it
 * touches; the type has only the clients named, so a call through another one does not compile.
 *
 * @example createAwsClients({ ecs: ecsClient, ssm: ssmClient }).ssm
 */
export function createAwsClients<K extends AwsClientName>(factories: AwsClientFactories<K>): Pick<AwsClients, K> {
  const clients = {} as Pick<AwsClients, K>;
  for (const key of Object.keys(factories) as K[]) {
    let made: AwsClients[K] | undefined;
    Object.defineProperty(clients, key, { get: () => (made ??= factories[key]()), enumerable: true });
  }
  return clients;
}
