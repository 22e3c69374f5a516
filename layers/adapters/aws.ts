import { CodeBuildClient } from '@aws-sdk/client-codebuild';
import { ECRClient } from '@aws-sdk/client-ecr';
import { ECSClient } from '@aws-sdk/client-ecs';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SSMClient } from '@aws-sdk/client-ssm';
import { createEcsApi, type EcsApi } from './ecs';

/**
 * The AWS SDK v3 clients the orchestrator uses. Region, credentials and endpoint come from the SDK's own
 * resolution (`AWS_REGION`, `AWS_ENDPOINT_URL` for the local cloud), never from a branch in our code.
 * ECS and SSM throttle control-plane calls (DESIGN.md section 7): the standard retry mode backs off
 * exponentially with jitter on `ThrottlingException`, up to 8 attempts. (The adaptive mode also rate-limits the
 * client after a throttle, which in a 30-second step costs more time than the occasional retry it saves.)
 * ECS is reached only through its adapter (./ecs.ts), which keeps to the API's batch sizes and pages.
 */
export interface AwsClients {
  ecs: EcsApi;
  ssm: SSMClient;
  codebuild: CodeBuildClient;
  ecr: ECRClient;
  sfn: SFNClient;
  s3: S3Client;
}

const RETRY = { maxAttempts: 8, retryMode: 'standard' } as const;

/** Clients are created lazily, on first use, so a handler's cold start pays only for those it touches. */
export function createAwsClients(): AwsClients {
  const cache: Partial<AwsClients> = {};
  const lazy = <K extends keyof AwsClients>(key: K, make: () => AwsClients[K]) => {
    Object.defineProperty(clients, key, { get: () => (cache[key] ??= make()), enumerable: true });
  };
  const clients = {} as AwsClients;
  lazy('ecs', () => createEcsApi(new ECSClient(RETRY)));
  lazy('ssm', () => new SSMClient(RETRY));
  lazy('codebuild', () => new CodeBuildClient(RETRY));
  lazy('ecr', () => new ECRClient(RETRY));
  lazy('sfn', () => new SFNClient(RETRY));
  lazy('s3', () => new S3Client(RETRY));
  return clients;
}
