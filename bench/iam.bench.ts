/**
 * What IAM enforcement costs the local cloud: DescribeTasks (100 tasks) p50 made by a function's role with and
 * without evaluation, and the reference deployment's wall time with enforcement on and off.
 *
 * The two DescribeTasks endpoints serve the same ECS simulation and differ only in whether the authorizer evaluates
 * the role's policies (the reconcile function's, from the packaged template); rounds alternate between them so that
 * a machine busier at one moment weighs on both. Deployments run each in a fresh worker process (see
 * `deploy/worker.ts`), alternating on and off.
 */
import { ECSClient } from '@aws-sdk/client-ecs';
import { resolve } from 'node:path';
import { LOCAL_ACCOUNT_ID, localResourceRef, EcsSimulation, IamAuthorizer, readTemplateRoles, startAwsEndpoint, type AwsEndpoint, DEFAULT_LOCAL_CREDENTIALS, loadPackagedTemplate, loadResolvedDocument } from '@consul-mesh/local-cloud';
import type { Benchmark, BenchmarkContext, BenchmarkReport } from './lib/benchmark';
import { measureLoad, summarizeRuns, type LoadFigures, type LoadOptions, runLoad, type LoadRun } from './lib/load';
import { median, ratio, summarize } from './lib/stats';
import { formatMs } from './lib/table';
import { describeTasksCall } from './local-endpoint/calls';
import { REGION, ZERO_DELAYS as ECS_ZERO_DELAYS } from './local-endpoint/cloud';
import { launchFleet, listRunningTaskArns, registerBenchTaskDefinition, waitForFleet } from './local-endpoint/fleet';
import { runScenarioInWorker } from './deploy/run-worker';
import { ZERO_DELAYS } from './deploy/scenarios';

const ROOT = resolve(__dirname, '..');
const FLEET = { clusters: ['bench-iam'], servicesPerCluster: 1, tasksPerService: 100 };
const ROUNDS = 7;
const ROUND: LoadOptions = { concurrency: 1, maxRequests: 200, maxDurationMs: 1_500, warmup: 20 };
const DEPLOY_SAMPLES = 3;
/** The function whose role makes the DescribeTasks calls: the reconcile describes the tasks of every cluster. */
const CALLER = 'reconcile';

export const iamBenchmark: Benchmark = {
  name: 'iam',
  description: 'IAM enforcement of the local cloud: DescribeTasks (100) p50 by a role, evaluated and not; reference deployment wall time with and without',
  async run(context: BenchmarkContext): Promise<BenchmarkReport> {
    const describeTasks = await measureDescribeTasks(context);
    const deploy = await measureDeployments(context);
    const p50On = describeTasks.enforced.latencyMs.p50;
    const p50Off = describeTasks.notEnforced.latencyMs.p50;
    return {
      figures: { describeTasks, deploy, settings: { rounds: ROUNDS, round: ROUND, deploySamples: DEPLOY_SAMPLES, caller: CALLER } },
      tables: [
        {
          title: 'IAM enforcement: cost',
          columns: ['measure', 'enforced (median)', 'not enforced (median)', 'ratio'],
          rows: [
            [`DescribeTasks (100) p50, as the ${CALLER} role`, formatMs(p50On), formatMs(p50Off), ratio(p50On, p50Off).toFixed(3)],
            ['reference deployment wall time (zero delays)', formatMs(deploy.enforcedMs.p50), formatMs(deploy.notEnforcedMs.p50), ratio(deploy.enforcedMs.p50, deploy.notEnforcedMs.p50).toFixed(3)],
          ],
        },
      ],
      notes: [
        `DescribeTasks: ${ROUNDS} alternating rounds per mode at concurrency 1, the p50 of every request of a mode; both endpoints serve one ECS simulation.`,
        `Deployments: ${DEPLOY_SAMPLES} fresh deployments per mode, each in its own worker process, alternating; medians of the wall time.`,
      ],
    };
  },
};

type DescribeTasksFigures = {
  enforced: LoadFigures;
  notEnforced: LoadFigures;
  evaluations: number;
};

async function measureDescribeTasks(context: BenchmarkContext): Promise<DescribeTasksFigures> {
  const [template, document] = await Promise.all([loadPackagedTemplate(ROOT, { stage: 'local', region: REGION }), loadResolvedDocument(ROOT, { stage: 'local', region: REGION })]);
  // The resources of serverless.yml the roles reference and the local cloud does not run, by their type (as LocalCloud does).
  const declared = ((document.resources as { Resources?: Record<string, { Type?: string }> } | undefined)?.Resources ?? {}) as Record<string, { Type?: string }>;
  const roles = readTemplateRoles(template, {
    region: REGION,
    accountId: LOCAL_ACCOUNT_ID,
    stackName: 'consul-mesh-local',
    resolveExternal: (logicalId, attribute, type) => localResourceRef(logicalId, attribute, 'local', REGION, type ?? declared[logicalId]?.Type),
    roleName: (id) => `local-${id}`,
  });
  const roleArn = [...roles.functions].find(([name]) => name.endsWith(`-${CALLER}`))?.[1];
  if (!roleArn) throw new Error(`the packaged template has no function ${CALLER}`);
  const ecs = new EcsSimulation({ delays: ECS_ZERO_DELAYS });
  const authorizers = [true, false].map((enforce) => {
    const iam = new IamAuthorizer({ accountId: LOCAL_ACCOUNT_ID, administrator: DEFAULT_LOCAL_CREDENTIALS, enforce });
    for (const [arn, policies] of roles.policies) iam.defineRole(arn, policies);
    return iam;
  });
  const endpoints: AwsEndpoint[] = [];
  const clients: ECSClient[] = [];
  try {
    for (const iam of authorizers) endpoints.push(await startAwsEndpoint({ port: 0, providers: [ecs.provider], iam, logger: () => undefined }));
    const admin = new ECSClient({ endpoint: endpoints[0].url, region: REGION, credentials: DEFAULT_LOCAL_CREDENTIALS, maxAttempts: 1 });
    clients.push(admin);
    context.log(`starting ${FLEET.tasksPerService} tasks`);
    await registerBenchTaskDefinition(admin);
    await launchFleet(admin, FLEET);
    await waitForFleet(ecs, FLEET, { timeoutMs: 60_000, intervalMs: 10 });
    const [cluster] = FLEET.clusters;
    const taskArns = await listRunningTaskArns(admin, cluster);
    const calls = authorizers.map((iam, i) => {
      const { accessKeyId, secretAccessKey, sessionToken } = iam.assumeRole(roleArn, `consul-mesh-local-${CALLER}`);
      const client = new ECSClient({ endpoint: endpoints[i].url, region: REGION, credentials: { accessKeyId, secretAccessKey, sessionToken }, maxAttempts: 1 });
      clients.push(client);
      return describeTasksCall(client, cluster, taskArns);
    });
    // One warm-up pass each (measureLoad's warm-up is per round), then alternating rounds.
    await measureLoad(calls[0], { ...ROUND, rounds: 1 });
    await measureLoad(calls[1], { ...ROUND, rounds: 1 });
    const runs: LoadRun[][] = [[], []];
    for (let round = 1; round <= ROUNDS; round++) {
      context.log(`DescribeTasks round ${round} of ${ROUNDS}: enforced, then not`);
      for (const i of [0, 1]) runs[i].push(await runLoad(calls[i], ROUND));
    }
    const evaluations = Object.values(authorizers[0].evaluations()).reduce((a, b) => a + b, 0);
    if (evaluations === 0) throw new Error('the enforcing endpoint evaluated nothing: the benchmark would compare two unenforced endpoints');
    return { enforced: summarizeRuns(runs[0]), notEnforced: summarizeRuns(runs[1]), evaluations };
  } finally {
    for (const client of clients) client.destroy();
    ecs.close();
    for (const endpoint of endpoints) await endpoint.stop();
  }
}

type DeployFigures = {
  enforcedMs: ReturnType<typeof summarize>;
  notEnforcedMs: ReturnType<typeof summarize>;
  samplesMs: { enforced: number[]; notEnforced: number[] };
};

async function measureDeployments(context: BenchmarkContext): Promise<DeployFigures> {
  const samples: { enforced: number[]; notEnforced: number[] } = { enforced: [], notEnforced: [] };
  for (let sample = 1; sample <= DEPLOY_SAMPLES; sample++) {
    for (const iam of [true, false]) {
      context.log(`reference deployment ${sample} of ${DEPLOY_SAMPLES}, IAM ${iam ? 'enforced' : 'not enforced'}`);
      const result = await runScenarioInWorker({ ...ZERO_DELAYS, name: `iam-${iam ? 'on' : 'off'}`, redeploy: false, iam });
      (iam ? samples.enforced : samples.notEnforced).push(result.fresh.wallMs);
    }
  }
  context.log(`medians: enforced ${formatMs(median(samples.enforced))}, not enforced ${formatMs(median(samples.notEnforced))}`);
  return { enforcedMs: summarize(samples.enforced), notEnforcedMs: summarize(samples.notEnforced), samplesMs: samples };
}
