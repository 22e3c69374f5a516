/**
 * Task churn across a peering: from a task stopped in one region to its instance gone from the other region's
 * imported health (`/v1/health/service/<name>?peer=<name>`), p50/p99 of 20, on the local cloud with both regions'
 * orchestrators (`peerRegion`).
 *
 * The multi-region example is deployed as `npm start -- --spec examples/multi-region/east.yaml --spec
 * examples/multi-region/west.yaml` deploys it: east-mesh (us-east-1, the acceptor) then west-mesh (eu-west-1, the
 * dialer), each through its own region's HTTP API and deploy state machine, whose peering stage peers them; west
 * exports `todos` to east. Each round stops one `todos` task in eu-west-1 with StopTask and waits for its instance to
 * leave eu-west-1's own catalog (its region's task-event function) and then us-east-1's imported health (the
 * peering's replication stream, every 100 ms locally).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { DescribeTasksCommand, ECSClient, ListTasksCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { S3Client } from '@aws-sdk/client-s3';
import type { Benchmark, BenchmarkContext, BenchmarkReport } from './lib/benchmark';
import { summarize } from './lib/stats';
import { startLocalCloud } from '../cli/local-cloud';
import { createS3Api } from '../layers/adapters/s3';
import { withContentHashes, type BuildContextFiles } from '../layers/build-context';
import { uploadBuildContexts } from '../layers/deploy/build-source';
import { PROJECT_ROOT } from './deploy/spec';

const ROUNDS = 20;
const EAST = 'us-east-1';
const WEST = 'eu-west-1';
const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

export const peeringBenchmark: Benchmark = {
  name: 'peering',
  description: 'task churn across a peering: task stopped in eu-west-1 → its instance gone from us-east-1\'s imported health, p50/p99 of 20',
  async run(context: BenchmarkContext): Promise<BenchmarkReport> {
    const cloud = await startLocalCloud({
      rootDir: PROJECT_ROOT,
      ports: { aws: 0, consul: 0, httpApi: 0, peerConsul: 0, peerHttpApi: 0 },
      meshName: 'east-mesh',
      peerRegion: { region: WEST, datacenter: 'dc2', meshName: 'west-mesh' },
      ecsDelays: { provisioningMs: 0, pendingMs: 0, activatingMs: 0, runningMs: 0, stoppingMs: 0, restartBackoffMs: 5, maxRestartBackoffMs: 20 },
      stepFunctionsTimeScale: 0,
      eventRetryDelaysMs: [200, 400],
      logger: () => undefined,
      // The functions' activity lines are logged at INFO whatever LOG_LEVEL says: to the local CloudWatch Logs only.
      echoFunctionLogs: false,
      functionEnvironment: { LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' },
    });
    const clients: Array<{ destroy(): void }> = [];
    try {
      const peer = cloud.peerClientEnvironment();
      const peerEndpoints = cloud.endpoints.peer;
      if (!peer || !peerEndpoints) throw new Error('the local cloud runs no second region');
      const east = { region: EAST, api: cloud.endpoints.httpApi, bucket: cloud.buckets.BuildSourceBucket, consul: cloud.endpoints.consul, mesh: 'east-mesh' };
      const west = { region: WEST, api: peerEndpoints.httpApi, bucket: peer.BUILD_SOURCE_BUCKET, consul: peerEndpoints.consul, mesh: 'west-mesh' };
      const example = (side: 'east' | 'west') => withContentHashes(parse(readFileSync(resolve(PROJECT_ROOT, `examples/multi-region/${side}.yaml`), 'utf8')), PROJECT_ROOT) as Record<string, unknown>;

      const deploy = async (region: typeof east, raw: Record<string, unknown>) => {
        const contexts = new Map<string, BuildContextFiles & { context: string }>();
        withContentHashes(raw, PROJECT_ROOT, contexts);
        const s3 = new S3Client({ endpoint: cloud.endpoints.aws, region: region.region, forcePathStyle: true, credentials: CREDENTIALS });
        clients.push(s3);
        await uploadBuildContexts(contexts.values(), { s3: createS3Api(s3), bucket: region.bucket });
        const headers = { authorization: `Bearer ${cloud.apiToken}`, 'content-type': 'application/json' };
        const started = (await (await fetch(`${region.api}/deployments`, { method: 'POST', headers, body: JSON.stringify(raw) })).json()) as { id: string };
        for (const deadline = Date.now() + 180_000; Date.now() < deadline; await sleep(100)) {
          const { status, cause } = (await (await fetch(`${region.api}/deployments/${started.id}`, { headers })).json()) as { status: string; cause?: unknown };
          if (status === 'SUCCEEDED') return;
          if (status !== 'RUNNING') throw new Error(`the deployment of ${String(raw.name)} in ${region.region} ended ${status}: ${JSON.stringify(cause ?? null)}`);
        }
        throw new Error(`the deployment of ${String(raw.name)} in ${region.region} did not end in 180 s`);
      };
      // The acceptor first: the dialer's deployment reads the token the acceptor's stored, establishes, waits for ACTIVE.
      context.log('deploying examples/multi-region: east-mesh in us-east-1 (the acceptor), then west-mesh in eu-west-1 (the dialer), each through its region\'s API');
      await deploy(east, example('east'));
      await deploy(west, example('west'));

      // The operator's management tokens (each datacenter's bootstrap token, in its own region's SSM).
      const bootstrap = async (region: typeof east) =>
        (
          (await cloud.ssm.operations.GetParameter({ Name: `/consul-mesh/${region.mesh}/secrets/acl/bootstrap-token`, WithDecryption: true }, { region: region.region, accountId: '000000000000', requestId: 'bench' })) as {
            Parameter: { Value: string };
          }
        ).Parameter.Value;
      const [eastToken, westToken] = await Promise.all([bootstrap(east), bootstrap(west)]);
      const state = async (region: typeof east, name: string) =>
        ((await (await fetch(`${region.consul}/v1/peering/${name}`, { headers: { 'X-Consul-Token': region === east ? eastToken : westToken } })).json()) as { State?: string }).State;
      await until('the peering ACTIVE on both sides', 10_000, async () => ((await state(east, 'west')) === 'ACTIVE' && (await state(west, 'east')) === 'ACTIVE' ? true : undefined));

      const ids = async (url: string, token: string): Promise<string[]> =>
        ((await (await fetch(url, { headers: { 'X-Consul-Token': token } })).json()) as Array<{ Service: { ID: string } }>).map((e) => e.Service.ID);
      const imported = () => ids(`${east.consul}/v1/health/service/todos?peer=west`, eastToken);
      const local = () => ids(`${west.consul}/v1/health/service/todos`, westToken);
      const ecs = new ECSClient({ endpoint: cloud.endpoints.aws, region: WEST, credentials: CREDENTIALS });
      clients.push(ecs);

      const toLocal: number[] = [];
      const toImported: number[] = [];
      for (let round = 1; round <= ROUNDS; round += 1) {
        // Both running todos tasks registered in eu-west-1 and imported in us-east-1 (after the previous round's replacement).
        const running = await until('two todos tasks running, registered and imported', 30_000, async () => {
          const { taskArns = [] } = await ecs.send(new ListTasksCommand({ cluster: 'cluster-2', serviceName: 'todos', desiredStatus: 'RUNNING' }));
          if (taskArns.length !== 2) return undefined;
          const { tasks = [] } = await ecs.send(new DescribeTasksCommand({ cluster: 'cluster-2', tasks: taskArns }));
          const wanted = tasks.filter((t) => t.lastStatus === 'RUNNING').map((t) => `todos-${t.taskArn?.split('/').pop()}`);
          if (wanted.length !== 2) return undefined;
          const there = await imported();
          return wanted.every((id) => there.includes(id)) ? { tasks, wanted } : undefined;
        });
        const victim = running.tasks[round % 2];
        const instance = `todos-${victim.taskArn?.split('/').pop()}`;
        const stoppedAt = performance.now();
        await ecs.send(new StopTaskCommand({ cluster: 'cluster-2', task: victim.taskArn, reason: 'peering benchmark' }));
        let localGone: number | undefined;
        for (;;) {
          if (localGone === undefined && !(await local()).includes(instance)) localGone = performance.now() - stoppedAt;
          if (!(await imported()).includes(instance)) break;
          if (performance.now() - stoppedAt > 30_000) throw new Error(`round ${round}: ${instance} still imported in us-east-1 after 30 s`);
          await sleep(5);
        }
        const importedGone = performance.now() - stoppedAt;
        toLocal.push(localGone ?? importedGone);
        toImported.push(importedGone);
        context.log(`round ${round}: gone from eu-west-1 after ${Math.round(localGone ?? importedGone)} ms, from us-east-1's imported health after ${Math.round(importedGone)} ms`);
      }
      const local50 = summarize(toLocal);
      const imported50 = summarize(toImported);
      const ms = (value: number) => Math.round(value);
      return {
        figures: { rounds: ROUNDS, toLocalMs: { ...local50 }, toImportedMs: { ...imported50 } },
        tables: [
          {
            title: `a todos task stopped in eu-west-1 (local cloud, ${ROUNDS} rounds)`,
            columns: ['from StopTask to the instance gone from', 'p50 ms', 'p99 ms', 'min ms', 'max ms'],
            rows: [
              ['eu-west-1\'s catalog (its task-event function)', ms(local50.p50), ms(local50.p99), ms(local50.min), ms(local50.max)],
              ['us-east-1\'s imported health (?peer=west)', ms(imported50.p50), ms(imported50.p99), ms(imported50.min), ms(imported50.max)],
            ],
          },
        ],
        notes: [
          'ECS delays are zero: the task-event function deregisters a task on the first event of ECS\'s decision to stop it (desiredStatus STOPPED), so they would not enter the figure.',
          'The local peering stream replicates every 100 ms; Consul\'s own stream pushes changes as they happen, so on AWS the second figure is the first plus the round trip between the regions\' mesh gateways.',
        ],
      };
    } finally {
      clients.forEach((client) => client.destroy());
      await cloud.stop();
    }
  },
};

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}
