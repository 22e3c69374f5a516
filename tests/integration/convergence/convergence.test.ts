import fc from 'fast-check';
import { ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { createEcsApi, type EcsApi } from '../../../layers/adapters/ecs';
import { registeringClusterNames } from '../../../layers/churn/mesh-clusters';
import type { ReconcileSummary } from '../../../layers/churn/reconcile';
import { deployedSpecKey } from '../../../layers/deploy/config-entries';
import type { MeshSpec } from '../../../layers/domain/spec/schema';
import { LocalCloud, type CatalogSnapshot } from '@consul-mesh/local-cloud';
import { deploy, referenceSpec, ROOT } from '../deploy/harness';
import { churnActions, describeAction, runAction, scheduledEvent, type ChurnAction } from './actions';
import { findCatalogDrift } from './catalog-check';
import { startConsulWriteLog, type ConsulWriteLog } from './consul-write-log';
import { waitForQuiet, type ServiceRef } from './ecs-control';
import { findMeshDrift } from './mesh-check';
import {
  applyChange,
  deployWithTicks,
  describeSpecAction,
  modelServices,
  REFERENCE_MODEL,
  specActions,
  specOf,
  stoppedDeployment,
  type SpecAction,
  type SpecModel,
} from './spec-actions';
import { findHistoryViolations } from './write-history';
import { startLocalCloud } from '../../../cli/local-cloud';
import { testCloudOptions } from '../../support/test-cloud';

/**
 * The mesh's life end to end on the local cloud (serverless.yml's functions, EventBridge rule and schedule, the deploy
 * state machine): any sequence of scaling, rolling, crashing tasks, duplicated, delayed, reordered and dropped task
 * events, Consul outages, the loss of every Consul server (an empty datacenter, which the recovery on the reconcile's
 * schedule restores), and spec changes deployed among them (a service removed, added back, scaled to zero in the
 * spec, a deployment stopped mid-way) ends, once ECS is steady and the reconcile ran, with ECS, the catalog, the
 * config entries and the SSM parameters equal to the last deployed spec, and no registration gone back.
 *
 * Replay a failure with the seed and path fast-check prints: CONVERGENCE_SEED=<seed> CONVERGENCE_PATH=<path>.
 * CONVERGENCE_RUNS changes the number of sequences (the cloud is shared: each sequence starts where the last
 * one converged, so a replay is as exact as the timing of the local cloud allows).
 */
const SEED = Number(process.env.CONVERGENCE_SEED ?? Date.now() % 2 ** 31);
const PATH = process.env.CONVERGENCE_PATH;
// Deployments are slow (seconds each): a handful of sequences keeps the file within about four minutes.
const RUNS = Number(process.env.CONVERGENCE_RUNS ?? 12);
const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

type Action = ChurnAction | SpecAction;
const isSpecAction = (action: Action): action is SpecAction => action.kind === 'deploy' || action.kind === 'stoppedDeploy';

describe('the mesh converges to its last deployed spec under faults and spec changes', () => {
  let cloud: LocalCloud;
  let writeLog: ConsulWriteLog;
  let ecs: ECSClient;
  let ecsApi: EcsApi;
  /** The last deployed spec, as the deployment stored it (KV). */
  let spec: MeshSpec;
  let clusters: string[];
  let services: ServiceRef[];
  /** The spec the mesh is meant to be at; it carries over from one sequence to the next, as the cloud does. */
  let model: SpecModel = REFERENCE_MODEL;
  /** Services an operator scaled with the ECS API since the last deployment: their desired count is theirs. */
  const scaledOutside = new Set<string>();

  beforeAll(async () => {
    // Every function talks to Consul through the recording proxy, so each committed write is seen in Raft order.
    writeLog = await startConsulWriteLog();
    cloud = await startLocalCloud({
      ...testCloudOptions(ROOT),
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

    spec = deployedSpec();
    clusters = registeringClusterNames(spec);
    services = [
      ...spec.clusters.flatMap((c) => c.services.map((s) => ({ cluster: c.name, name: s.name }))),
      ...(spec.ingress ? [{ cluster: spec.ingress.cluster, name: spec.ingress.name }] : []),
    ];
    ecs = new ECSClient({ endpoint: cloud.endpoints.aws, region: 'us-east-1', credentials: CREDENTIALS });
    ecsApi = createEcsApi(ecs);
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

  it(`converges after every sequence: ECS, the catalog, config entries and SSM equal the last deployed spec, no write goes back (seed ${SEED})`, async () => {
    let sequence = 0;
    // Deployments are rarer than churn: each takes seconds, a churn action milliseconds.
    const action: fc.Arbitrary<Action> = fc.oneof({ weight: 4, arbitrary: churnActions(services) }, { weight: 1, arbitrary: specActions() });
    const property = fc.asyncProperty(fc.array(action, { minLength: 3, maxLength: 8 }), fc.nat(), async (actions, faultSeed) => {
      sequence += 1;
      // The fault injector's own PRNG (which events are dropped, which tasks crash) is seeded per sequence too.
      cloud.faults.reset(faultSeed);
      cloud.events.clearOnFailure();
      const lostBefore = cloud.consul.datacentersLost();
      const background: Array<Promise<unknown>> = [];
      // The schedule's functions (every minute on AWS): the reconcile, and the recovery of a datacenter lost with its
      // servers.
      const tick = () => {
        background.push(cloud.lambda.invoke('recoverDatacenter', scheduledEvent()));
        background.push(cloud.lambda.invoke('reconcile', scheduledEvent()));
      };
      const done: string[] = [];
      const problems: string[] = [];
      /** A deployment was stopped mid-way since the last one that ended: the account is between two specs. */
      let stopped = false;

      const deployModel = async (why: string) => {
        const run = await deployWithTicks(cloud, specOf(model), tick);
        if (run.status !== 'SUCCEEDED') {
          // After a stop, ConcurrentOperation here would mean the stopped execution's lock was not taken over at once.
          problems.push(`${why}: the deployment ended ${run.status}: ${run.error ?? ''} ${run.cause ?? ''}`);
          return;
        }
        stopped = false;
        scaledOutside.clear();
        spec = deployedSpec();
      };

      for (const [i, next] of actions.entries()) {
        if (!isSpecAction(next)) {
          if (next.kind === 'scale') scaledOutside.add(next.service.name);
          done.push(describeAction(next));
          await runChurn(next, `s${sequence}-${i}`, background);
          continue;
        }
        // A change that applies to nothing now (no removed service to add back) deploys the spec as it is.
        const changed = applyChange(model, next.change);
        done.push(describeSpecAction(next, changed?.description));
        model = changed?.model ?? model;
        if (next.kind === 'deploy') {
          await deployModel(done[done.length - 1]);
          continue;
        }
        const outcome = await stoppedDeployment(cloud, specOf(model), next.stopAt, tick);
        if (outcome.status === 'SUCCEEDED') {
          // It ended before it reached the state it was to be stopped in.
          stopped = false;
          scaledOutside.clear();
          spec = deployedSpec();
        } else if (outcome.status === 'ABORTED') stopped = true;
        else problems.push(`${done[done.length - 1]}: the deployment ended ${outcome.status}: ${outcome.error ?? ''} ${outcome.cause ?? ''}`);
      }
      // A mesh left between two specs is deployed again: that deployment must take the stopped one's lock at once.
      if (stopped) {
        done.push('deploy the spec again after the stop');
        await deployModel(done[done.length - 1]);
      }

      // The faults stay on while ECS finishes what the actions started: its later events are faulted too.
      // The reconcile's schedule keeps running meanwhile (every minute on AWS; every second here): a task whose
      // registering event was lost gets registered by it, and its dataplane then gets its proxy.
      // So does the recovery's (the same rate): it restores a datacenter whose servers were all lost.
      const scheduleTicks = { everyMs: 1000, run: tick };
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

      // What a reconcile that should find nothing wrote anyway (the transactions sent from the first reconcile on), for
      // the failure report.
      let first: ReconcileSummary | undefined;
      let second: ReconcileSummary | undefined;
      const rewritten = await writeLog.txnsDuring(async () => {
        first = await reconcile();
        second = await reconcile();
      });

      const catalog = cloud.consul.catalog();
      const deployedServices = spec.clusters.flatMap((c) => c.services.map((s) => s.name)).sort();
      problems.push(
        ...(problems.length === 0 && deployedServices.join(',') !== modelServices(model).sort().join(',')
          ? [`the deployed spec has ${deployedServices.join(',')}, the model ${modelServices(model).sort().join(',')}`]
          : []),
        // A tick during an outage (or while the servers lost their quorum) fails as ConsulUnavailable; nothing else.
        ...ticks.flatMap((t) => (t.status === 'rejected' && !expected((t.reason as Error)?.name) ? [`a reconcile or recovery tick failed: ${String(t.reason)}`] : [])),
        ...(second!.consulWrites > 0 ? [`a second reconcile wrote ${second!.consulWrites} times: ${JSON.stringify(second)}; the two sent ${rewritten.length} transaction(s): ${rewritten.join('; ')}; the catalog holds ${JSON.stringify(entriesNamedIn(rewritten, catalog))}`] : []),
        ...clusters.flatMap((cluster) => findCatalogDrift(spec, cluster, cloud.ecs.runningTasks(cluster), catalog).map((d) => `${cluster}: ${d}`)),
        ...(await findMeshDrift(cloud, ecsApi, spec, scaledOutside)),
        ...findHistoryViolations(writeLog.writes()).map((v) => JSON.stringify(v)),
        // Events that used up their retries did so because Consul was down (or empty), not because the handler failed.
        ...cloud.events
          .onFailure()
          .filter((f) => !expected(f.responsePayload.errorType))
          .map((f) => `an event failed with ${f.responsePayload.errorType}: ${f.responsePayload.errorMessage}`),
      );
      // CONVERGENCE_VERBOSE=1 prints each sequence (what ran, what the reconcile repaired), for a replay or a new action.
      if (process.env.CONVERGENCE_VERBOSE) process.stdout.write(`sequence ${sequence}: ${done.join('; ')}; repaired ${JSON.stringify(first)}\n`);
      if (problems.length > 0) {
        throw new Error(`after [${done.join('; ')}], the reconcile repaired ${JSON.stringify(first)}:\n${problems.join('\n')}`);
      }
    });
    // endOnFailure: a sequence takes seconds and shrinking replays it on a cloud whose state moved on;
    // the seed and path fast-check prints replay the failing sequence itself.
    await fc.assert(property, { numRuns: RUNS, seed: SEED, path: PATH, endOnFailure: true });
  }, 240_000);

  /**
   * A churn action; one on a service a deployment has removed meets ECS's own answer for a service that is gone, as an
   * operator's command would, and changes nothing.
   */
  async function runChurn(action: ChurnAction, marker: string, background: Array<Promise<unknown>>): Promise<void> {
    try {
      await runAction(action, { cloud, ecs, marker, background });
    } catch (error) {
      if (!['ServiceNotFoundException', 'ServiceNotActiveException'].includes((error as Error).name)) throw error;
    }
  }

  /** The catalog entries (and their checks) a transaction's body names, as the catalog holds them. */
  function entriesNamedIn(txns: readonly string[], catalog: CatalogSnapshot): unknown[] {
    const ids = new Set(txns.flatMap((t) => (JSON.parse(t) as Array<{ Service?: { Service?: { ID?: string } } }>).flatMap((op) => (op.Service?.Service?.ID ? [op.Service.Service.ID] : []))));
    return [...catalog.services.filter((e) => ids.has(e.ID)), ...catalog.checks.filter((c) => ids.has(c.ServiceID))];
  }

  /** The spec the last deployment stored in Consul's KV (validated, defaults filled in). */
  function deployedSpec(): MeshSpec {
    const stored = cloud.consul.catalog().kv.find((e) => e.Key === deployedSpecKey({ name: 'reference-mesh' }));
    return JSON.parse(stored?.Value ?? 'null') as MeshSpec;
  }

  async function reconcile(): Promise<ReconcileSummary> {
    return (await cloud.lambda.invoke('reconcile', scheduledEvent())) as ReconcileSummary;
  }
});

