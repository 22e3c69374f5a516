import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { DescribeTasksCommand, ECSClient, ListTasksCommand } from '@aws-sdk/client-ecs';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { LocalCloud } from '@consul-mesh/local-cloud';
import { withContentHashes, type BuildContextFiles } from '../../../layers/build-context';
import { uploadBuildContexts } from '../../../layers/deploy/build-source';
import { createS3Api } from '../../../layers/adapters/s3';
import type { DeploymentSummary } from '../../../layers/deploy/types';
import { executionName, newDeploymentId } from '../../../layers/executions/execution-name';
import { ROOT, startCloud, waitForExecution, type DeploymentRun } from '../deploy/harness';

/**
 * The multi-region example (examples/multi-region/east.yaml and west.yaml) deployed on the local cloud's two regions,
 * each mesh by its own region's deploy state machine, as `npm start -- --spec east.yaml --spec west.yaml` does:
 * east-mesh (us-east-1, the acceptor) first, then west-mesh (eu-west-1, the dialer), whose deployment ends once the
 * peering is ACTIVE. One per test file: `startPeeredMeshes()` in `beforeAll`, `stop()` in `afterAll`.
 */

export const EAST_REGION = 'us-east-1';
export const WEST_REGION = 'eu-west-1';
const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

/** A JSON answer, read field by field in assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test assertions read arbitrary JSON answers
export type Json = any;

/** The example spec as `meshctl deploy` submits it (raw YAML, the build contexts' hashes filled in), changed by `mutate`. */
export function exampleSpec(side: 'east' | 'west', mutate?: (spec: Json) => void): Record<string, unknown> {
  const raw = parse(readFileSync(resolve(ROOT, `examples/multi-region/${side}.yaml`), 'utf8')) as Json;
  mutate?.(raw);
  return withContentHashes(raw, ROOT) as Record<string, unknown>;
}

/** One region with its mesh: its Consul datacenter, its orchestrator's state machine and API, its clients. */
export interface Side {
  readonly side: 'east' | 'west';
  readonly region: string;
  readonly mesh: string;
  /** The peering's name on this side (east calls west `west`, west calls east `east`). */
  readonly peerName: string;
  readonly consul: string;
  readonly api: string;
  readonly stateMachineArn: string;
  readonly bucket: string;
  readonly ecs: ECSClient;
  /** GET (or another method) on this side's Consul with the mesh's bootstrap token (the operator's view). */
  consulCall(path: string, init?: RequestInit): Promise<{ status: number; body: Json }>;
  /** A call to this side's HTTP API with the local token. */
  apiCall(method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }>;
  /** Deploys `spec` through this region's deploy state machine and waits for it to end. */
  deploy(spec: Record<string, unknown>): Promise<DeploymentRun>;
  /** The peering as this side's Consul shows it (`GET /v1/peering/<name>`), or undefined once it is gone. */
  peering(): Promise<{ State: string; StreamStatus?: { ImportedServices?: string[] | null; ExportedServices?: string[] | null } } | undefined>;
  /** `<service id> <address>` of every instance of the mesh's own services registered in this datacenter, sorted. */
  registered(): Promise<string[]>;
  /** `<service>-<task id> <private IP>` of every RUNNING task of the mesh's service clusters in this region, sorted. */
  runningTasks(): Promise<string[]>;
  /** Tears the mesh down through this side's API (`DELETE /mesh`) and waits for the teardown to end: its last view. */
  destroy(): Promise<Json>;
}

export interface PeeredMeshes {
  readonly cloud: LocalCloud;
  readonly east: Side;
  readonly west: Side;
  /** The two deployments that built the pair (east's first). */
  readonly runs: { east: DeploymentRun; west: DeploymentRun };
  stop(): Promise<void>;
}

const SERVICES = { east: { clusters: ['cluster-1'], services: ['users', 'activities'] }, west: { clusters: ['cluster-2'], services: ['todos', 'notifications'] } };

/** Waits (bounded) until `probe` answers something other than undefined. */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 10_000, pauseMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, pauseMs));
  }
}

/**
 * The pair for a test file: started in `beforeAll`, stopped in `afterAll`. Its members are read at test time (a
 * setup that failed throws here instead of passing undefined along).
 */
export function usePeeredMeshes(): PeeredMeshes {
  let started: PeeredMeshes | undefined;
  beforeAll(async () => {
    started = await startPeeredMeshes();
  }, 420_000);
  afterAll(async () => {
    await started?.stop();
  });
  const get = (): PeeredMeshes => {
    if (!started) throw new Error('the peered meshes did not start (see the beforeAll error)');
    return started;
  };
  return {
    get cloud() {
      return get().cloud;
    },
    get east() {
      return get().east;
    },
    get west() {
      return get().west;
    },
    get runs() {
      return get().runs;
    },
    stop: () => get().stop(),
  };
}

/** Every RUNNING task of the side's mesh is registered in its Consul, and there is at least one. */
export async function expectIntact(side: Side): Promise<void> {
  const [registered, running] = await Promise.all([side.registered(), side.runningTasks()]);
  expect(running.length).toBeGreaterThan(0);
  expect(registered).toEqual(running);
}

/**
 * Starts a local cloud with both regions' orchestrators and deploys the example pair through the state machines. Each
 * deployment must succeed: a harness that carried on after a failed one would test nothing.
 */
export async function startPeeredMeshes(): Promise<PeeredMeshes> {
  const cloud = await startCloud({
    ports: { aws: 0, consul: 0, httpApi: 0, peerConsul: 0, peerHttpApi: 0 },
    meshName: 'east-mesh',
    peerRegion: { region: WEST_REGION, datacenter: 'dc2', meshName: 'west-mesh' },
    // Task events that come before the mesh's ACL tokens exist fail and are retried, as on AWS: not worth a line.
    functionEnvironment: { LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' },
  });
  const clients: Array<{ destroy(): void }> = [];
  try {
    const peer = cloud.peerClientEnvironment();
    if (!peer || !cloud.endpoints.peer) throw new Error('the local cloud runs no second region');
    const east = makeSide(cloud, clients, {
      side: 'east',
      region: EAST_REGION,
      mesh: 'east-mesh',
      peerName: 'west',
      consul: cloud.endpoints.consul,
      api: cloud.endpoints.httpApi,
      stateMachineArn: cloud.stateMachines.deployMesh,
      bucket: cloud.buckets.BuildSourceBucket,
    });
    const west = makeSide(cloud, clients, {
      side: 'west',
      region: WEST_REGION,
      mesh: 'west-mesh',
      peerName: 'east',
      consul: cloud.endpoints.peer.consul,
      api: cloud.endpoints.peer.httpApi,
      stateMachineArn: peer.DEPLOY_STATE_MACHINE_ARN,
      bucket: peer.BUILD_SOURCE_BUCKET,
    });
    // The acceptor first: the dialer's deployment reads the token the acceptor's deployment stored.
    const eastRun = await east.deploy(exampleSpec('east'));
    if (eastRun.status !== 'SUCCEEDED') throw new Error(`east-mesh's deployment ended ${eastRun.status}: ${eastRun.error}: ${eastRun.cause}`);
    const westRun = await west.deploy(exampleSpec('west'));
    if (westRun.status !== 'SUCCEEDED') throw new Error(`west-mesh's deployment ended ${westRun.status}: ${westRun.error}: ${westRun.cause}`);
    return {
      cloud,
      east,
      west,
      runs: { east: eastRun, west: westRun },
      async stop() {
        clients.forEach((client) => client.destroy());
        await cloud.settle();
        await cloud.stop();
      },
    };
  } catch (error) {
    clients.forEach((client) => client.destroy());
    await cloud.stop();
    throw error;
  }
}

function makeSide(
  cloud: LocalCloud,
  clients: Array<{ destroy(): void }>,
  at: Pick<Side, 'side' | 'region' | 'mesh' | 'peerName' | 'consul' | 'api' | 'stateMachineArn' | 'bucket'>,
): Side {
  const ecs = new ECSClient({ endpoint: cloud.endpoints.aws, region: at.region, credentials: CREDENTIALS });
  const sfn = new SFNClient({ endpoint: cloud.endpoints.aws, region: at.region, credentials: CREDENTIALS });
  const s3 = new S3Client({ endpoint: cloud.endpoints.aws, region: at.region, forcePathStyle: true, credentials: CREDENTIALS });
  clients.push(ecs, sfn, s3);
  let token: string | undefined;
  const bootstrapToken = async (): Promise<string> => {
    if (token !== undefined) return token;
    const ctx = { region: at.region, accountId: '000000000000', requestId: 'peering-test' };
    const { Parameter } = (await cloud.ssm.operations.GetParameter({ Name: `/consul-mesh/${at.mesh}/secrets/acl/bootstrap-token`, WithDecryption: true }, ctx)) as { Parameter: { Value: string } };
    token = Parameter.Value;
    return token;
  };
  const consulCall: Side['consulCall'] = async (path, init = {}) => {
    const response = await fetch(`${at.consul}${path}`, { ...init, headers: { 'X-Consul-Token': await bootstrapToken() } });
    const text = await response.text();
    // Consul answers errors in plain text.
    return { status: response.status, body: response.ok && text ? JSON.parse(text) : text };
  };
  const side: Side = {
    ...at,
    ecs,
    consulCall,
    async apiCall(method, path, body) {
      const response = await fetch(`${at.api}${path}`, {
        method,
        headers: { authorization: `Bearer ${cloud.apiToken}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: response.status, body: (await response.json()) as Json };
    },
    async deploy(spec) {
      // As meshctl deploy: the build contexts go to this region's stack's bucket first.
      const contexts = new Map<string, BuildContextFiles & { context: string }>();
      withContentHashes(spec, ROOT, contexts);
      await uploadBuildContexts(contexts.values(), { s3: createS3Api(s3), bucket: at.bucket });
      // Named as meshctl and the API name executions, so that `meshctl status` and GET /deployments find them.
      const deploymentId = newDeploymentId();
      const specHash12 = createHash('sha256').update(JSON.stringify(spec)).digest('hex').slice(0, 12);
      const { executionArn } = await sfn.send(
        new StartExecutionCommand({
          stateMachineArn: at.stateMachineArn,
          name: executionName(String(spec.name), specHash12, deploymentId),
          input: JSON.stringify({ deploymentId, spec, settings: { pollSeconds: 0, maxRounds: 4000 } }),
        }),
      );
      return waitForExecution<DeploymentSummary>(cloud, executionArn!, 180_000);
    },
    async peering() {
      const { status, body } = await consulCall(`/v1/peering/${at.peerName}`);
      return status === 404 ? undefined : body;
    },
    async registered() {
      const instances: string[] = [];
      for (const service of SERVICES[at.side].services) {
        const { body } = await consulCall(`/v1/health/service/${service}`);
        instances.push(...(body as Array<{ Service: { ID: string; Address: string } }>).map((e) => `${e.Service.ID} ${e.Service.Address}`));
      }
      return instances.sort();
    },
    async runningTasks() {
      const instances: string[] = [];
      for (const cluster of SERVICES[at.side].clusters) {
        // A torn-down mesh's clusters are INACTIVE: ECS answers ClusterNotFoundException, and nothing runs there.
        const listed = await ecs.send(new ListTasksCommand({ cluster, desiredStatus: 'RUNNING' })).catch((error: Error) => {
          if (error.name === 'ClusterNotFoundException') return { taskArns: [] };
          throw error;
        });
        const taskArns = listed.taskArns ?? [];
        if (taskArns.length === 0) continue;
        const { tasks = [] } = await ecs.send(new DescribeTasksCommand({ cluster, tasks: taskArns }));
        for (const task of tasks) {
          if (task.lastStatus !== 'RUNNING') continue;
          const ip = task.attachments?.flatMap((a) => a.details ?? []).find((d) => d.name === 'privateIPv4Address')?.value;
          instances.push(`${task.group?.replace(/^service:/, '')}-${task.taskArn?.split('/').pop()} ${ip}`);
        }
      }
      return instances.sort();
    },
    async destroy() {
      const started = await side.apiCall('DELETE', '/mesh', { mesh: at.mesh });
      if (started.status !== 202) throw new Error(`DELETE /mesh of ${at.mesh} answered ${started.status}: ${JSON.stringify(started.body)}`);
      return until(`the teardown of ${at.mesh} to end`, async () => {
        const { body } = await side.apiCall('GET', `/mesh/destroys/${started.body.id}`);
        return body.status === 'RUNNING' ? undefined : body;
      }, 120_000, 100);
    },
  };
  return side;
}
