/**
 * Losing every Consul server at once: the time from the last server task's stop to a working mesh again, p50 of 5,
 * on the local cloud with AWS's delays scaled as in the deploy benchmark (1/8).
 *
 * A working mesh: every token the orchestrator created (dataplanes, gateway, orchestrator, server agent) resolves
 * with its SecretID from SSM, the intentions are back, and the catalog lists exactly the running tasks of every
 * service. What it takes: ECS notices the stopped servers and starts new ones (a task start), their quorum elects a
 * leader of an empty datacenter, then the recovery's next schedule tick restores it. The tick is the reconcile's
 * rate (`rate(1 minute)`, scaled: 7.5 s) at a random phase: the figure includes the wait for it, as on AWS.
 * Snapshots are on (the spec's default): before each loss the snapshot schedule has stored one, and the restore
 * starts from it (`PUT /v1/snapshot`), then re-applies from SSM.
 */
import { DescribeServicesCommand, DescribeTasksCommand, ECSClient, ListTasksCommand } from '@aws-sdk/client-ecs';
import type { Benchmark, BenchmarkContext, BenchmarkReport } from './lib/benchmark';
import { summarize } from './lib/stats';
import { buildAclPlan } from '../layers/domain/consul/acl-policies';
import { MeshSpecSchema } from '../layers/domain/spec/schema';
import type { RecoveryResult } from '../layers/recovery/restore';
import type { SnapshotResult } from '../layers/recovery/snapshots';
import { loadDefinition } from './deploy/asl';
import { runDeployment, sfnClient } from './deploy/execution';
import { scaledScenario, TIME_SCALE } from './deploy/scenarios';
import { DEPLOY_ASL_FILE, PROJECT_ROOT, referenceSpec, uploadReferenceContexts } from './deploy/spec';
import { startLocalCloud } from '../cli/local-cloud';

const ROUNDS = 5;
/** The recovery's schedule (serverless.yml: the reconcile's `rate(1 minute)`), scaled. */
const TICK_MS = 60_000 * TIME_SCALE;
const CTX = { region: 'us-east-1', accountId: '000000000000', requestId: 'bench' };
const SERVICES: Array<[cluster: string, service: string]> = [
  ['cluster-1', 'users'],
  ['cluster-1', 'activities'],
  ['cluster-2', 'todos'],
  ['cluster-2', 'notifications'],
];

type Round = { toLeaderMs: number; toWorkingMs: number; restoreMs: number; ticks: number; fromSnapshot: boolean };

export const datacenterLossBenchmark: Benchmark = {
  name: 'datacenter-loss',
  description: 'every Consul server lost at once: time from the last server stop to a working mesh (tokens, intentions, catalog), p50 of 5, AWS delays × 1/8',
  async run(context: BenchmarkContext): Promise<BenchmarkReport> {
    const scenario = scaledScenario();
    const cloud = await startLocalCloud({
      rootDir: PROJECT_ROOT,
      ports: { aws: 0, consul: 0, httpApi: 0 },
      ecsDelays: scenario.ecsDelays,
      buildDurationMs: 0,
      stepFunctionsTimeScale: scenario.stepFunctionsTimeScale,
      eventRetryDelaysMs: scenario.eventRetryDelaysMs,
      logger: () => undefined,
      functionEnvironment: { LOG_LEVEL: 'ERROR', AWS_LAMBDA_LOG_LEVEL: 'FATAL', POWERTOOLS_METRICS_DISABLED: 'true' },
    });
    const ecs = new ECSClient({ endpoint: cloud.endpoints.aws, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    const sfn = sfnClient(cloud);
    try {
      context.log('deploying the reference mesh (realistic delays × 1/8)');
      await uploadReferenceContexts(cloud);
      const raw = referenceSpec();
      const deployed = await runDeployment(cloud, sfn, raw, { settings: scenario.settings, timeoutMs: scenario.timeoutMs, definition: loadDefinition(DEPLOY_ASL_FILE) });
      if (deployed.status !== 'SUCCEEDED') throw new Error(`the reference deployment ${deployed.status}: ${deployed.error ?? ''} ${deployed.cause ?? ''}`);
      const spec = MeshSpecSchema.parse(raw);
      const secrets = new Map<string, string>();
      for (const token of buildAclPlan(spec).tokens) {
        const { Parameter } = (await cloud.ssm.operations.GetParameter({ Name: token.parameter, WithDecryption: true }, CTX)) as { Parameter: { Value: string } };
        secrets.set(token.role, Parameter.Value);
      }
      const management = ((await cloud.ssm.operations.GetParameter({ Name: `/consul-mesh/${spec.name}/secrets/acl/bootstrap-token`, WithDecryption: true }, CTX)) as { Parameter: { Value: string } }).Parameter.Value;
      const consulGet = (path: string, token: string) => fetch(`${cloud.endpoints.consul}${path}`, { headers: { 'X-Consul-Token': token } }).catch(() => undefined);
      const working = async (): Promise<boolean> => {
        for (const secret of secrets.values()) if ((await consulGet('/v1/acl/token/self', secret))?.status !== 200) return false;
        const intentions = await consulGet('/v1/config/service-intentions', management);
        if (intentions?.status !== 200 || ((await intentions.json()) as unknown[]).length === 0) return false;
        for (const [cluster, service] of SERVICES) {
          const response = await consulGet(`/v1/catalog/service/${service}`, management);
          if (response?.status !== 200) return false;
          const registered = ((await response.json()) as Array<{ ServiceMeta: Record<string, string> }>).map((e) => e.ServiceMeta['task-arn']).sort();
          const running = cloud.ecs.runningTasks(cluster).filter((t) => t.group === `service:${service}`).map((t) => t.taskArn).sort();
          if (running.length === 0 || JSON.stringify(registered) !== JSON.stringify(running)) return false;
        }
        return true;
      };

      const rounds: Round[] = [];
      for (let round = 1; round <= ROUNDS; round += 1) {
        await serversStable(ecs);
        const lostBefore = cloud.consul.datacentersLost();
        // The snapshot schedule's last tick before the loss.
        const taken = (await cloud.lambda.invoke('recoverDatacenter', { 'detail-type': 'Scheduled Event', action: 'snapshot' })) as SnapshotResult;
        if (taken.status !== 'taken') throw new Error(`round ${round}: no snapshot stored (${taken.status})`);
        // The schedule's phase relative to the loss is random, as on AWS.
        const phase = Math.random() * TICK_MS;
        const stoppedAt = Date.now();
        cloud.faults.stopConsulServers();
        let toLeaderMs = 0;
        let restoreMs = 0;
        let ticks = 0;
        let fromSnapshot = false;
        let nextTick = stoppedAt + phase;
        while (!(cloud.consul.datacentersLost() > lostBefore && (await working()))) {
          if (Date.now() - stoppedAt > 120_000) throw new Error(`round ${round}: no working mesh 120 s after the loss`);
          if (!toLeaderMs && cloud.consul.datacentersLost() > lostBefore && cloud.consul.raft().leader) toLeaderMs = Date.now() - stoppedAt;
          if (Date.now() >= nextTick) {
            ticks += 1;
            nextTick += TICK_MS;
            const result = (await cloud.lambda.invoke('recoverDatacenter', { 'detail-type': 'Scheduled Event' })) as RecoveryResult;
            if (result.status === 'restored') {
              restoreMs = result.durationMs;
              fromSnapshot = result.snapshot !== undefined;
            }
          }
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        rounds.push({ toLeaderMs, toWorkingMs: Date.now() - stoppedAt, restoreMs, ticks, fromSnapshot });
        context.log(`round ${round}: leader after ${toLeaderMs} ms, working after ${Date.now() - stoppedAt} ms (restore ${restoreMs} ms${fromSnapshot ? ' from a snapshot' : ''}, ${ticks} ticks)`);
        await cloud.settle();
      }
      const toWorking = summarize(rounds.map((r) => r.toWorkingMs));
      const toLeader = summarize(rounds.map((r) => r.toLeaderMs));
      const restore = summarize(rounds.map((r) => r.restoreMs));
      const aws = (ms: number) => Math.round(ms / TIME_SCALE / 1000);
      return {
        figures: {
          rounds: rounds.map((r) => ({ ...r })),
          toWorkingMs: { ...toWorking },
          toLeaderMs: { ...toLeader },
          restoreMs: { ...restore },
          awsEquivalentSeconds: { toWorkingP50: aws(toWorking.p50), toLeaderP50: aws(toLeader.p50) },
          settings: { timeScale: TIME_SCALE, tickMs: TICK_MS, ecsDelays: { ...scenario.ecsDelays } },
        },
        tables: [
          {
            title: `every Consul server lost at once (local cloud, AWS delays × ${TIME_SCALE}, ${ROUNDS} rounds)`,
            columns: ['from the last server stop to', 'p50 ms', 'min ms', 'max ms', 'p50 on AWS (÷ scale) s'],
            rows: [
              ['a leader of the new, empty datacenter', toLeader.p50, toLeader.min, toLeader.max, aws(toLeader.p50)],
              ['a working mesh (tokens, intentions, catalog)', toWorking.p50, toWorking.min, toWorking.max, aws(toWorking.p50)],
              ['(the restore itself: one recovery run)', restore.p50, restore.min, restore.max, '-'],
            ],
          },
        ],
        notes: [
          `The recovery runs on the reconcile's schedule (${TICK_MS} ms here, a minute on AWS) at a random phase: a working mesh takes a server task start plus, on average, half a period, plus the restore.`,
          `The restore first restores the latest Raft snapshot (${rounds.filter((r) => r.fromSnapshot).length} of ${ROUNDS} rounds did), then re-creates the ACL policies and tokens with their original SecretIDs, the config entries and intentions, the spec and the marker, then reconciles the catalog.`,
        ],
      };
    } finally {
      ecs.destroy();
      sfn.destroy();
      await cloud.stop();
    }
  },
};

/** Waits until the server service runs its desired count again with one deployment (ECS's stable condition). */
/**
 * The servers are steady: one deployment, every task running and HEALTHY (a caught-up voter, their health check).
 * Without waiting for HEALTHY a round could start before the restored servers' next check passed: ECS would not yet
 * count the service steady, and the next round would measure its restart backoff of the previous round's crashes.
 */
async function serversStable(ecs: ECSClient): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const { services = [] } = await ecs.send(new DescribeServicesCommand({ cluster: 'consul-server', services: ['consul-server'] }));
    const service = services[0];
    const { taskArns = [] } = await ecs.send(new ListTasksCommand({ cluster: 'consul-server', serviceName: 'consul-server', desiredStatus: 'RUNNING' }));
    const tasks = taskArns.length > 0 ? ((await ecs.send(new DescribeTasksCommand({ cluster: 'consul-server', tasks: taskArns }))).tasks ?? []) : [];
    const healthy = tasks.length === service?.desiredCount && tasks.every((t) => t.healthStatus === 'HEALTHY');
    if (service && service.deployments?.length === 1 && service.runningCount === service.desiredCount && healthy) return;
    if (Date.now() > deadline) throw new Error('the Consul servers did not become stable');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
