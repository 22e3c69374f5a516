import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, SFNClient, StartExecutionCommand, StopExecutionCommand, type HistoryEvent } from '@aws-sdk/client-sfn';
import { LocalCloud } from '@consul-mesh/local-cloud';
import { S3Client } from '@aws-sdk/client-s3';
import { withContentHashes, type BuildContextFiles } from '../../../layers/build-context';
import { uploadBuildContexts } from '../../../layers/deploy/build-source';
import type { DeploymentSummary } from '../../../layers/deploy/types';
import { startLocalCloud, type MeshCloudOptions } from '../../../cli/local-cloud';
import { createS3Api } from '../../../layers/adapters/s3';
import { testCloudOptions } from '../../support/test-cloud';

export const ROOT = resolve(__dirname, '../../..');

/** The parts of a raw (YAML) spec the tests change. */
export interface RawService {
  name: string;
  desiredCount?: number;
  env?: Record<string, string>;
  image?: string;
  build?: unknown;
  [key: string]: unknown;
}
export interface RawSpec {
  name: string;
  clusters: Array<{ name: string; services: RawService[] }>;
  [key: string]: unknown;
}

/** The reference spec as `meshctl deploy` submits it: raw YAML with the build contexts' hashes filled in. */
export function referenceSpec(mutate?: (spec: RawSpec) => void): Record<string, unknown> {
  const raw = parse(readFileSync(resolve(ROOT, 'examples/mesh.yaml'), 'utf8')) as RawSpec;
  mutate?.(raw);
  return withContentHashes(raw, ROOT) as Record<string, unknown>;
}

/**
 * A local cloud on free ports with no simulated delays: a deployment is bounded by its own work. `overrides` change
 * what a test needs (slower task starts, another mesh name) and keep the rest.
 */
export async function startCloud(overrides: Partial<MeshCloudOptions> = {}): Promise<LocalCloud> {
  return startLocalCloud({
    ...testCloudOptions(ROOT),
    // The functions' errors on the terminal, not their activity lines (logged at INFO whatever LOG_LEVEL says).
    echoFunctionLogs: (line) => !line.includes('"message":"activity"'),
    ...overrides,
  });
}

/**
 * Uploads the build contexts of a spec (as `meshctl deploy` does before it starts anything), read from `root`:
 * the builds download them from the local S3. Returns the content hashes uploaded now.
 */
export async function uploadContexts(cloud: LocalCloud, spec: unknown, root: string = ROOT): Promise<string[]> {
  const contexts = new Map<string, BuildContextFiles & { context: string }>();
  withContentHashes(spec, root, contexts);
  const s3 = new S3Client({ endpoint: cloud.endpoints.aws, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  try {
    return (await uploadBuildContexts(contexts.values(), { s3: createS3Api(s3), bucket: cloud.buckets.BuildSourceBucket })).uploaded;
  } finally {
    s3.destroy();
  }
}

/** A Step Functions client of the local cloud, in `region` (the second region's executions are only seen there). */
export function sfnClient(cloud: LocalCloud, region = 'us-east-1'): SFNClient {
  return new SFNClient({ endpoint: cloud.endpoints.aws, region, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
}

let counter = 0;

export type DeploymentRun = ExecutionRun<DeploymentSummary>;

/** Starts a deployment execution and waits for it to end (bounded). */
export async function deploy(cloud: LocalCloud, spec: Record<string, unknown>, options: { maxRounds?: number; timeoutMs?: number } = {}): Promise<DeploymentRun> {
  const executionArn = await startDeployment(cloud, spec, options);
  return waitForDeployment(cloud, executionArn, options);
}

/**
 * Starts a deployment execution as `meshctl deploy` does (the build contexts uploaded first) and returns its ARN
 * without waiting. The stage checks poll without a pause (`pollSeconds: 0`), so the round budget is a count, not a
 * time: 4,000 rounds are a few seconds of checks, enough for a roll whose new dataplanes wait for their registration
 * (the event path) before ECS drains the old tasks. A test of a timeout passes its own `maxRounds`.
 */
export async function startDeployment(cloud: LocalCloud, spec: Record<string, unknown>, options: { maxRounds?: number } = {}): Promise<string> {
  await uploadContexts(cloud, spec);
  counter += 1;
  const deploymentId = `d-test-${Date.now().toString(36)}-${counter}`;
  const { executionArn } = await sfnClient(cloud).send(
    new StartExecutionCommand({
      stateMachineArn: cloud.stateMachines.deployMesh,
      name: `${String(spec.name)}-${deploymentId}`,
      input: JSON.stringify({ deploymentId, spec, settings: { pollSeconds: 0, maxRounds: options.maxRounds ?? 4000 } }),
    }),
  );
  return executionArn!;
}

/** An execution's outcome and history, once it ended (or the wait gave up while it ran). */
export interface ExecutionRun<Output> {
  status: string;
  error?: string;
  cause?: string;
  output?: Output;
  /** Every state entered, in order. */
  states: string[];
  history: HistoryEvent[];
}

/** Waits (bounded) for any execution of the local Step Functions to end, and reads its outcome and whole history. */
export async function waitForExecution<Output>(cloud: LocalCloud, executionArn: string, timeoutMs = 60_000): Promise<ExecutionRun<Output>> {
  // In the execution's own region (its ARN names it).
  const sfn = sfnClient(cloud, executionArn.split(':')[3] || 'us-east-1');
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
    status: described.status ?? 'UNKNOWN',
    error: described.error,
    cause: described.cause,
    output: described.output ? (JSON.parse(described.output) as Output) : undefined,
    states: history.filter((e) => e.type?.endsWith('StateEntered')).map((e) => e.stateEnteredEventDetails?.name ?? ''),
    history,
  };
}

/** Waits (bounded) for a deployment execution to end, and reads its outcome and history. */
export async function waitForDeployment(cloud: LocalCloud, executionArn: string, options: { timeoutMs?: number } = {}): Promise<DeploymentRun> {
  return waitForExecution<DeploymentSummary>(cloud, executionArn, options.timeoutMs);
}

/**
 * Stops a running execution with StopExecution (as the console or the AWS CLI does: no Catch, no failure path) as soon
 * as it has entered `state`; does nothing when it ends first. Returns whether it stopped it.
 */
export async function stopWhenEntered(cloud: LocalCloud, executionArn: string, state: string, timeoutMs = 90_000): Promise<boolean> {
  const sfn = sfnClient(cloud);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { status } = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (status !== 'RUNNING') return false;
    const events: HistoryEvent[] = [];
    let nextToken: string | undefined;
    do {
      const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, nextToken }));
      events.push(...(page.events ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    if (events.some((e) => e.stateEnteredEventDetails?.name === state)) {
      try {
        await sfn.send(new StopExecutionCommand({ executionArn, error: 'Stopped', cause: `stopped at ${state} by a test` }));
      } catch (error) {
        // It ended between the two calls.
        if ((await sfn.send(new DescribeExecutionCommand({ executionArn }))).status !== 'RUNNING') return false;
        throw error;
      }
      return true;
    }
    if (Date.now() > deadline) throw new Error(`the execution did not reach ${state} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** ECS and CodeBuild calls that change something. */
export function writeCalls(counts: Record<string, number>): Record<string, number> {
  const writes = /\.(Create|Register|Update|Delete|Run|Stop|Start|Tag|Put)[A-Za-z]*$/;
  return Object.fromEntries(
    Object.entries(counts).filter(([target, n]) => n > 0 && writes.test(target) && /^(AmazonEC2ContainerServiceV20141113|CodeBuild_20161006)\./.test(target)),
  );
}

/** The mesh's ACL bootstrap (management) token, read from the local SSM: what an operator uses to inspect Consul. */
export async function bootstrapTokenOf(cloud: LocalCloud, mesh = 'reference-mesh'): Promise<string> {
  const ctx = { region: 'us-east-1', accountId: '000000000000', requestId: 't' };
  const { Parameter } = (await cloud.ssm.operations.GetParameter({ Name: `/consul-mesh/${mesh}/secrets/acl/bootstrap-token`, WithDecryption: true }, ctx)) as {
    Parameter: { Value: string };
  };
  return Parameter.Value;
}

/** The ARNs of the tasks ECS runs for a service of a cluster, sorted: what the catalog must hold, no more. */
export function runningTaskArns(cloud: LocalCloud, cluster: string, service: string): string[] {
  return cloud.ecs
    .runningTasks(cluster)
    .filter((t) => t.group === `service:${service}`)
    .map((t) => t.taskArn)
    .sort();
}

/** The task ARNs (`Meta["task-arn"]`) of a service's instances in the local Consul's catalog, sorted. */
export function registeredTaskArns(cloud: LocalCloud, service: string): Array<string | undefined> {
  return cloud.consul
    .catalog()
    .services.filter((s) => s.Service === service)
    .map((s) => s.Meta?.['task-arn'])
    .sort();
}
