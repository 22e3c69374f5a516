import { DescribeTasksCommand, ECSClient, ListTasksCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import type { LocalCloud } from '@consul-mesh/local-cloud';
import { deploy, referenceSpec, startCloud } from './harness';
import { stoppedTasks } from './stopped-tasks';

/**
 * consul-dataplane asks the servers for its proxy's bootstrap parameters once, at start, and exits when the proxy is
 * not registered; the orchestrator registers the proxy from the task event that reports the dataplane running. The
 * local stand-in exits as consul-dataplane does, so only the entrypoint's wait for the registration keeps the tasks
 * alive when that event comes late, or is lost and the reconcile repairs it.
 */
describe('a dataplane whose registering event comes late', () => {
  let cloud: LocalCloud;
  let ecs: ECSClient;

  beforeAll(async () => {
    cloud = await startCloud();
    ecs = new ECSClient({ endpoint: cloud.endpoints.aws, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  }, 60_000);

  afterEach(() => cloud.faults.reset());
  afterAll(async () => {
    ecs?.destroy();
    await cloud?.stop();
  });

  /** Every stopped task of the mesh, with what its containers exited with: none, when no dataplane crash-looped. */
  const stoppedInMesh = async () =>
    [...(await stoppedTasks(cloud, 'cluster-1')), ...(await stoppedTasks(cloud, 'cluster-2')), ...(await stoppedTasks(cloud, 'ingress'))].map((t) => ({
      task: t.taskArn,
      stopCode: t.stopCode,
      containers: t.containers?.map((c) => `${c.name}: ${c.exitCode} ${c.reason ?? ''}`),
    }));

  it('waits for its proxy\'s registration instead of exiting: no task is replaced and the deployment succeeds', async () => {
    // Every task event reaches the registration Lambda 1.5 s late, long after the containers started.
    cloud.faults.set({ events: { duplicate: 0, delay: 1, delayMs: 1_500, reorder: 0, drop: 0 } });

    // The stage checks poll without a pause here: 400 rounds pass in a few seconds, less than the 1.5 s delays of the
    // registering and then the HEALTHY event of the last task. The budget is counted in rounds, so give it more.
    const run = await deploy(cloud, referenceSpec(), { timeoutMs: 90_000, maxRounds: 20_000 });

    expect({ status: run.status, error: run.error, cause: run.cause }).toEqual({ status: 'SUCCEEDED', error: undefined, cause: undefined });
    expect(await stoppedInMesh()).toEqual([]);
  }, 120_000);

  it('waits while the reconcile registers a task whose events were all lost, then serves it', async () => {
    cloud.faults.set({ events: { drop: 1 } });
    await ecs.send(new UpdateServiceCommand({ cluster: 'cluster-1', service: 'users', desiredCount: 3 }));
    const usersTasks = async () => {
      const { taskArns = [] } = await ecs.send(new ListTasksCommand({ cluster: 'cluster-1', serviceName: 'users' }));
      return taskArns.length === 0 ? [] : ((await ecs.send(new DescribeTasksCommand({ cluster: 'cluster-1', tasks: taskArns }))).tasks ?? []);
    };
    const until = async (what: () => Promise<boolean>) => {
      const deadline = Date.now() + 20_000;
      while (!(await what())) {
        if (Date.now() > deadline) throw new Error('timed out');
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    await until(async () => (await usersTasks()).filter((t) => t.lastStatus === 'RUNNING').length === 3);
    // The new task runs, unregistered: its dataplane is held in its entrypoint, not yet HEALTHY.
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await usersTasks()).filter((t) => t.healthStatus === 'HEALTHY')).toHaveLength(2);

    // The scheduled reconcile (every minute) registers it; the dataplane starts and Envoy becomes ready.
    await cloud.lambda.invoke('reconcile', { source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} });
    await until(async () => (await usersTasks()).filter((t) => t.healthStatus === 'HEALTHY').length === 3);

    expect(await stoppedInMesh()).toEqual([]);
  }, 60_000);
});
