import fc from 'fast-check';
import { ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { registeringClusterNames } from '../../../layers/churn/mesh-clusters';
import type { ReconcileSummary } from '../../../layers/churn/reconcile';
import { deployedSpecKey } from '../../../layers/deploy/config-entries';
import type { MeshSpec } from '../../../layers/domain/spec/schema';
import { LocalCloud } from '../../../local/cloud';
import { deploy, referenceSpec, ROOT } from '../deploy/harness';
import { churnActions, describeAction, runAction, scheduledEvent } from './actions';
import { findCatalogDrift } from './catalog-check';
import { startConsulWriteLog, type ConsulWriteLog } from './consul-write-log';
import { waitForQuiet, type ServiceRef } from './ecs-control';
import { findHistoryViolations } from './write-history';

/**
 * The task-churn side end to end on the local cloud (serverless.yml's functions, EventBridge rule and schedule):
 * any sequence of scaling, rolling, crashing tasks, duplicated, delayed, reordered and dropped task events,
 * Consul outages and the loss of every Consul server (an empty datacenter, which the recovery on the reconcile's
 * schedule restores) ends, once ECS is steady and the reconcile ran, with the catalog equal to the running tasks.
 *
 * Replay a failure with the seed and path fast-check prints: CONVERGENCE_SEED=<seed> CONVERGENCE_PATH=<path>.
 * CONVERGENCE_RUNS changes the number of sequences (the cloud is shared: each sequence starts where the last
 * one converged, so a replay is as exact as the timing of the local cloud allows).
 */
const SEED = Number(process.env.CONVERGENCE_SEED ?? Date.now() % 2 ** 31);
const PATH = process.env.CONVERGENCE_PATH;
const RUNS = Number(process.env.CONVERGENCE_RUNS ?? 15);
const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

describe('the catalog follows the running tasks under faults', () => {
  let cloud: LocalCloud;
  let writeLog: ConsulWriteLog;
  let ecs: ECSClient;
  let spec: MeshSpec;
  let clusters: string[];
  let services: ServiceRef[];

  beforeAll(async () => {
    // Every function talks to Consul through the recording proxy, so each committed write is seen in Raft order.
    writeLog = await startConsulWriteLog();
    cloud = await LocalCloud.start({
      rootDir: ROOT,
      ports: { aws: 0, consul: 0, httpApi: 0 },
      ecsDelays: { provisioningMs: 0, pendingMs: 0, activatingMs: 0, runningMs: 0, stoppingMs: 0, restartBackoffMs: 5, maxRestartBackoffMs: 20 },
      stepFunctionsTimeScale: 0,
      // Lambda's async retries of a task event (1 min, 2 min on AWS): within a Consul outage, so some run out.
      eventRetryDelaysMs: [30, 60],
      // A task whose registering event was dropped has a dataplane its servers do not serve until the scheduled
      // reconcile registers it (ticks while ECS settles, below): the stand-in waits for that (30 s by default) rather
      // than exit as consul-dataplane 1.6 would (README, "processes in the tasks"). A wait shorter than the ticks
      // would turn such tasks UNHEALTHY and let the circuit breaker fail a roll the faults merely delayed.
      logger: () => undefined,
      functionEnvironment: {
        LOG_LEVEL: 'ERROR',
        // Lambda's advanced logging controls: the event handler's expected ConsulUnavailable errors stay out of
        // the test output (hundreds per Consul outage).
        AWS_LAMBDA_LOG_LEVEL: 'FATAL',
        POWERTOOLS_METRICS_DISABLED: 'true',
        CONSUL_HTTP_ADDR: writeLog.url,
      },
    });
    writeLog.setTarget(cloud.endpoints.consul, () => cloud.consul.datacentersLost());
    const run = await deploy(cloud, referenceSpec());
    expect({ status: run.status, error: run.error }).toEqual({ status: 'SUCCEEDED', error: undefined });

    const stored = cloud.consul.catalog().kv.find((e) => e.Key === deployedSpecKey({ name: 'reference-mesh' }));
    spec = JSON.parse(stored?.Value ?? 'null') as MeshSpec;
    clusters = registeringClusterNames(spec);
    services = [
      ...spec.clusters.flatMap((c) => c.services.map((s) => ({ cluster: c.name, name: s.name }))),
      ...(spec.ingress ? [{ cluster: spec.ingress.cluster, name: spec.ingress.name }] : []),
    ];
    ecs = new ECSClient({ endpoint: cloud.endpoints.aws, region: 'us-east-1', credentials: CREDENTIALS });
  }, 60_000);

  afterAll(async () => {
    ecs?.destroy();
    await cloud?.stop();
    await writeLog?.close();
  });

  it('registered the deployed tasks through the recording proxy', () => {
    // The history check below is only as good as what the proxy saw: the deploy's registrations must be in it.
    const registered = new Set(writeLog.writes().map((w) => w.id));
    for (const cluster of clusters) {
      for (const task of cloud.ecs.runningTasks(cluster)) expect(registered).toContain(`${task.serviceName}-${task.taskId}`);
    }
  });

  it(`converges after every sequence: the catalog equals the running tasks, no write goes back (seed ${SEED})`, async () => {
    let sequence = 0;
    const property = fc.asyncProperty(fc.array(churnActions(services), { minLength: 3, maxLength: 8 }), fc.nat(), async (actions, faultSeed) => {
      sequence += 1;
      // The fault injector's own PRNG (which events are dropped, which tasks crash) is seeded per sequence too.
      cloud.faults.reset(faultSeed);
      cloud.events.clearOnFailure();
      const lostBefore = cloud.consul.datacentersLost();
      const background: Array<Promise<unknown>> = [];
      for (const [i, action] of actions.entries()) await runAction(action, { cloud, ecs, marker: `s${sequence}-${i}`, background });
      // The faults stay on while ECS finishes what the actions started: its later events are faulted too.
      // The reconcile's schedule keeps running meanwhile (every minute on AWS; every second here): a task whose
      // registering event was lost gets registered by it, and its dataplane then gets its proxy.
      // So does the recovery's (the same rate): it restores a datacenter whose servers were all lost.
      const scheduleTicks = {
        everyMs: 1000,
        run: () => {
          background.push(cloud.lambda.invoke('recoverDatacenter', scheduledEvent()));
          background.push(cloud.lambda.invoke('reconcile', scheduledEvent()));
        },
      };
      await waitForQuiet(cloud, ecs, [...clusters, spec.consul.servers.cluster], 15_000, scheduleTicks).catch(async (error: unknown) => {
        // Random task stops that took two of three servers lose the datacenter too; a roll in flight then fails (its
        // new dataplanes' tokens are unknown until the restore) and ECS's circuit breaker leaves a failed deployment,
        // as on AWS. Once ECS has nothing left to do, the operator's answer: deploy those services again.
        const failed = cloud.ecs.services().filter((s) => s.status === 'ACTIVE' && s.deployments[0]?.rolloutState === 'FAILED');
        if (!(cloud.consul.datacentersLost() > lostBefore && cloud.ecs.pendingTimers === 0 && failed.length > 0)) throw error;
        for (const service of failed) await ecs.send(new UpdateServiceCommand({ cluster: service.clusterName, service: service.name, forceNewDeployment: true }));
        await waitForQuiet(cloud, ecs, [...clusters, spec.consul.servers.cluster], 15_000, scheduleTicks);
      });
      const ticks = await Promise.allSettled(background);
      while (cloud.faults.consulDown()) await new Promise((resolve) => setTimeout(resolve, 10));
      cloud.faults.reset();
      // A loss after the last tick: the next tick of the recovery restores the datacenter.
      await cloud.lambda.invoke('recoverDatacenter', scheduledEvent());
      // Between a loss and its restore, the orchestrator's token is unknown to the new datacenter (ACL not found).
      const lost = cloud.consul.datacentersLost() > lostBefore;
      const expected = (name: string | undefined) => name === 'ConsulUnavailable' || (lost && name === 'ConsulAclDenied');

      const first = await reconcile();
      const second = await reconcile();

      const catalog = cloud.consul.catalog();
      const problems = [
        // A tick during an outage (or while the servers lost their quorum) fails as ConsulUnavailable; nothing else.
        ...ticks.flatMap((t) => (t.status === 'rejected' && !expected((t.reason as Error)?.name) ? [`a reconcile or recovery tick failed: ${String(t.reason)}`] : [])),
        ...(second.consulWrites > 0 ? [`a second reconcile wrote ${second.consulWrites} times: ${JSON.stringify(second)}`] : []),
        ...clusters.flatMap((cluster) => findCatalogDrift(spec, cluster, cloud.ecs.runningTasks(cluster), catalog).map((d) => `${cluster}: ${d}`)),
        ...findHistoryViolations(writeLog.writes()).map((v) => JSON.stringify(v)),
        // Events that used up their retries did so because Consul was down (or empty), not because the handler failed.
        ...cloud.events
          .onFailure()
          .filter((f) => !expected(f.responsePayload.errorType))
          .map((f) => `an event failed with ${f.responsePayload.errorType}: ${f.responsePayload.errorMessage}`),
      ];
      if (problems.length > 0) {
        throw new Error(`after [${actions.map(describeAction).join('; ')}], the reconcile repaired ${JSON.stringify(first)}:\n${problems.join('\n')}`);
      }
    });
    // endOnFailure: a sequence takes about a second and shrinking replays it on a cloud whose state moved on;
    // the seed and path fast-check prints replay the failing sequence itself.
    await fc.assert(property, { numRuns: RUNS, seed: SEED, path: PATH, endOnFailure: true });
  }, 240_000);

  async function reconcile(): Promise<ReconcileSummary> {
    return (await cloud.lambda.invoke('reconcile', scheduledEvent())) as ReconcileSummary;
  }
});

