import { DescribeTasksCommand, ECSClient, ListTasksCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { S3Client } from '@aws-sdk/client-s3';
import type { LocalCloud } from '@consul-mesh/local-cloud';
import { withContentHashes, type BuildContextFiles } from '../../../layers/build-context';
import { uploadBuildContexts } from '../../../layers/deploy/build-source';
import { createS3Api } from '../../../layers/adapters/s3';
import { bootstrapTokenOf, referenceSpec, ROOT, startCloud } from './harness';

/**
 * The orchestrator of each region runs in one local cloud (`peerRegion`): two stacks of serverless.yml, one per
 * region and mesh, each with its own functions, state machines, event rules and HTTP API, each against its own
 * region's ECS and SSM and its own Consul datacenter.
 */

const EAST = 'us-east-1';
const WEST = 'eu-west-1';
const WEST_MESH = 'west-mesh';

/** A JSON answer, read field by field in assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test assertions read arbitrary JSON answers
type Json = any;

interface Region {
  region: string;
  api: string;
  consul: string;
  bucket: string;
  mesh: string;
}

describe('two regions: the orchestrator of each region deploys and keeps its own mesh', () => {
  let cloud: LocalCloud;
  let east: Region;
  let west: Region;
  const clients: Array<{ destroy(): void }> = [];

  const ecsIn = (region: string) => {
    const client = new ECSClient({ endpoint: cloud.endpoints.aws, region, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    clients.push(client);
    return client;
  };

  async function call(region: Region, method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> {
    const response = await fetch(`${region.api}${path}`, {
      method,
      headers: { authorization: `Bearer ${cloud.apiToken}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Json };
  }

  /** Uploads the spec's build contexts to the region's bucket (as meshctl does), then POST /deployments; waits. */
  async function deployThroughApi(region: Region, spec: Record<string, unknown>): Promise<Json> {
    const contexts = new Map<string, BuildContextFiles & { context: string }>();
    withContentHashes(spec, ROOT, contexts);
    const s3 = new S3Client({ endpoint: cloud.endpoints.aws, region: region.region, forcePathStyle: true, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    clients.push(s3);
    await uploadBuildContexts(contexts.values(), { s3: createS3Api(s3), bucket: region.bucket });
    const started = await call(region, 'POST', '/deployments', spec);
    expect(started.status).toBe(202);
    const deadline = Date.now() + 120_000;
    for (;;) {
      const { body } = await call(region, 'GET', `/deployments/${started.body.id}`);
      if (body.status !== 'RUNNING') return body;
      if (Date.now() > deadline) throw new Error(`the deployment in ${region.region} still runs: ${JSON.stringify(body).slice(0, 300)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async function consulGet(region: Region, path: string): Promise<Json> {
    const token = await bootstrapTokenIn(region);
    const response = await fetch(`${region.consul}${path}`, { headers: { 'X-Consul-Token': token } });
    return response.json();
  }

  async function bootstrapTokenIn(region: Region): Promise<string> {
    if (region.region === EAST) return bootstrapTokenOf(cloud, region.mesh);
    const ctx = { region: region.region, accountId: '000000000000', requestId: 't' };
    const { Parameter } = (await cloud.ssm.operations.GetParameter({ Name: `/consul-mesh/${region.mesh}/secrets/acl/bootstrap-token`, WithDecryption: true }, ctx)) as {
      Parameter: { Value: string };
    };
    return Parameter.Value;
  }

  /**
   * The instances of the mesh's services registered in the region's datacenter: `<service>-<task id>` with the
   * address (each region's simulated VPC has the same range, so addresses alone do not tell the regions apart).
   */
  async function registered(region: Region): Promise<string[]> {
    const instances: string[] = [];
    for (const service of ['users', 'activities', 'todos', 'notifications']) {
      const entries = (await consulGet(region, `/v1/health/service/${service}`)) as Array<{ Service: { ID: string; Address: string } }>;
      instances.push(...entries.map((entry) => `${entry.Service.ID} ${entry.Service.Address}`));
    }
    return instances.sort();
  }

  /** The running tasks of the mesh's service clusters in the region, as `<service>-<task id> <private IP>`. */
  async function runningTasks(region: Region): Promise<string[]> {
    const ecs = ecsIn(region.region);
    const instances: string[] = [];
    for (const cluster of ['cluster-1', 'cluster-2']) {
      const { taskArns = [] } = await ecs.send(new ListTasksCommand({ cluster, desiredStatus: 'RUNNING' }));
      if (taskArns.length === 0) continue;
      const { tasks = [] } = await ecs.send(new DescribeTasksCommand({ cluster, tasks: taskArns }));
      for (const task of tasks) {
        if (task.lastStatus !== 'RUNNING') continue;
        const ip = task.attachments?.flatMap((a) => a.details ?? []).find((d) => d.name === 'privateIPv4Address')?.value;
        const service = task.group?.replace(/^service:/, '');
        instances.push(`${service}-${task.taskArn?.split('/').pop()} ${ip}`);
      }
    }
    return instances.sort();
  }

  beforeAll(async () => {
    cloud = await startCloud({
      ports: { aws: 0, consul: 0, httpApi: 0, peerConsul: 0, peerHttpApi: 0 },
      peerRegion: { region: WEST, datacenter: 'dc2', meshName: WEST_MESH },
      // Task events that come before the mesh's ACL tokens exist fail and are retried, as on AWS: not worth a line.
      functionEnvironment: { LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' },
    });
    const peer = cloud.peerClientEnvironment();
    if (!peer || !cloud.endpoints.peer) throw new Error('no second region');
    east = { region: EAST, api: cloud.endpoints.httpApi, consul: cloud.endpoints.consul, bucket: cloud.buckets.BuildSourceBucket, mesh: 'reference-mesh' };
    west = { region: WEST, api: cloud.endpoints.peer.httpApi, consul: cloud.endpoints.peer.consul, bucket: peer.BUILD_SOURCE_BUCKET, mesh: WEST_MESH };
  }, 300_000);

  afterAll(async () => {
    clients.forEach((client) => client.destroy());
    await cloud?.settle();
    await cloud?.stop();
  });

  it('gives the second region its own HTTP API, state machine and bucket, with the same token convention', () => {
    const peer = cloud.peerClientEnvironment();
    expect(peer).toMatchObject({ AWS_REGION: WEST, MESH_API_URL: west.api, MESH_API_TOKEN: cloud.apiToken, CONSUL_HTTP_ADDR: west.consul });
    expect(peer?.DEPLOY_STATE_MACHINE_ARN).toMatch(/^arn:aws:states:eu-west-1:\d{12}:stateMachine:/);
    expect(west.api).not.toBe(east.api);
    // Bucket names are global: the second stack's differs from the first's.
    expect(west.bucket).not.toBe(east.bucket);
  });

  it('deploys one mesh per region, each through its own region API, each registered in its own datacenter only', async () => {
    const [eastRun, westRun] = await Promise.all([
      deployThroughApi(east, referenceSpec()),
      deployThroughApi(
        west,
        referenceSpec((spec) => {
          spec.name = WEST_MESH;
          spec.region = WEST;
          spec.datacenter = 'dc2';
        }),
      ),
    ]);
    expect({ east: eastRun.status, west: westRun.status }).toEqual({ east: 'SUCCEEDED', west: 'SUCCEEDED' });

    // Each region's ECS runs its mesh's tasks; each datacenter has exactly its own region's tasks.
    const [eastTasks, westTasks] = await Promise.all([runningTasks(east), runningTasks(west)]);
    // users 2, activities 2, todos 2, notifications 1 (examples/mesh.yaml).
    expect(eastTasks).toHaveLength(7);
    expect(westTasks).toHaveLength(7);
    expect(eastTasks.filter((task) => westTasks.includes(task))).toEqual([]);
    expect(await registered(east)).toEqual(eastTasks);
    expect(await registered(west)).toEqual(westTasks);

    // GET /mesh of each API answers for its own mesh and region.
    const [eastMesh, westMesh] = await Promise.all([call(east, 'GET', '/mesh'), call(west, 'GET', '/mesh')]);
    expect(eastMesh.body.mesh).toBe('reference-mesh');
    expect(westMesh.body.mesh).toBe(WEST_MESH);
  }, 240_000);

  it('handles a task stopped in one region with that region\'s functions: its datacenter drops it, the other is untouched', async () => {
    const eastBefore = await registered(east);
    const ecs = ecsIn(WEST);
    const { taskArns = [] } = await ecs.send(new ListTasksCommand({ cluster: 'cluster-2', serviceName: 'todos', desiredStatus: 'RUNNING' }));
    const { tasks = [] } = await ecs.send(new DescribeTasksCommand({ cluster: 'cluster-2', tasks: taskArns.slice(0, 1) }));
    const stopped = tasks[0];
    const instance = `todos-${stopped.taskArn?.split('/').pop()}`;
    const isRegistered = async () => (await registered(west)).some((entry) => entry.startsWith(`${instance} `));
    expect(await isRegistered()).toBe(true);

    await ecs.send(new StopTaskCommand({ cluster: 'cluster-2', task: stopped.taskArn, reason: 'two-regions test' }));
    // The task event reaches the second region's rule and function (the reconcile runs once a minute: not in time).
    const deadline = Date.now() + 5_000;
    while (await isRegistered()) {
      if (Date.now() > deadline) throw new Error(`${instance} is still registered in ${WEST}'s datacenter 5 s after its task was stopped`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await registered(east)).toEqual(eastBefore);
  }, 60_000);
});
