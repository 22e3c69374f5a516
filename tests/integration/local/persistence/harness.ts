/**
 * A local cloud that keeps its state in a directory, started on free ports with the quiet settings of the deploy
 * harness, and the SDK clients the persistence tests drive it with.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CodeBuildClient } from '@aws-sdk/client-codebuild';
import { ECRClient } from '@aws-sdk/client-ecr';
import { ECSClient } from '@aws-sdk/client-ecs';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SSMClient } from '@aws-sdk/client-ssm';
import { LocalCloud } from '../../../../local/cloud';
import { startLocalCloud, type MeshCloudOptions } from '../../../../cli/local-cloud';
import { testCloudOptions } from '../../../support/test-cloud';

export const ROOT = resolve(__dirname, '../../../..');

export function startPersistentCloud(dataDir: string, options: Partial<MeshCloudOptions> = {}): Promise<LocalCloud> {
  return startLocalCloud({
    ...testCloudOptions(ROOT),
    dataDir,
    ...options,
  });
}

/**
 * The ports a cloud listens on, to start its successor on the same ones, as a real restart does. (It matters in
 * tests too: the Lambda runtime keeps handler modules loaded for the whole process, with the SDK clients their
 * cold start created, so a successor on other ports would have its functions call the old endpoints.)
 */
export function portsOf(cloud: LocalCloud): { aws: number; consul: number; httpApi: number } {
  const port = (url: string) => Number(new URL(url).port);
  return { aws: port(cloud.endpoints.aws), consul: port(cloud.endpoints.consul), httpApi: port(cloud.endpoints.httpApi) };
}

export interface Clients {
  ssm: SSMClient;
  ecr: ECRClient;
  ecs: ECSClient;
  events: EventBridgeClient;
  sfn: SFNClient;
  codebuild: CodeBuildClient;
  destroy(): void;
}

export function clientsFor(cloud: LocalCloud): Clients {
  const config = { endpoint: cloud.endpoints.aws, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
  const clients = {
    ssm: new SSMClient(config),
    ecr: new ECRClient(config),
    ecs: new ECSClient(config),
    events: new EventBridgeClient(config),
    sfn: new SFNClient(config),
    codebuild: new CodeBuildClient(config),
  };
  return { ...clients, destroy: () => Object.values(clients).forEach((client) => client.destroy()) };
}

/** A fresh, empty directory in the OS temp dir, and its removal. */
export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export { waitFor } from '../../../support/wait';
