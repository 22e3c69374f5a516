import { ECSClient, StopTaskCommand } from '@aws-sdk/client-ecs';
import type { LocalCloud } from '@consul-mesh/local-cloud';
import { buildProgram } from '../../../cli/meshctl';
import { deploy, referenceSpec, startCloud } from './harness';

/**
 * GET /activity on the local cloud, end to end: the task-event and reconcile functions log their decisions, the local
 * Lambda runtime ships those lines to their CloudWatch Logs groups, and the API function reads them back with
 * FilterLogEvents under its own role (IAM enforced, from the packaged template).
 */
describe('GET /activity on a deployed mesh', () => {
  let cloud: LocalCloud;

  beforeAll(async () => {
    cloud = await startCloud({ echoFunctionLogs: false });
    const run = await deploy(cloud, referenceSpec());
    expect({ status: run.status, cause: run.cause }).toEqual({ status: 'SUCCEEDED', cause: undefined });
  }, 180_000);

  afterAll(async () => {
    await cloud?.stop();
  });

  const activity = async (query: Record<string, string> = {}) => {
    const response = await fetch(`${cloud.endpoints.httpApi}/activity?${new URLSearchParams(query).toString()}`, { headers: { authorization: `Bearer ${cloud.apiToken}` } });
    return { status: response.status, body: (await response.json()) as { items: Array<Record<string, unknown>>; complete: boolean; truncated: boolean; error?: { code: string } } };
  };

  it('shows a task stopped with the AWS SDK deregistered, and the reconcile run that follows, newest first', async () => {
    const [task] = cloud.ecs.runningTasks('cluster-2').filter((t) => t.group === 'service:todos');
    const taskId = task.taskArn.slice(task.taskArn.lastIndexOf('/') + 1);
    const ecs = new ECSClient({ endpoint: cloud.endpoints.aws, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    await ecs.send(new StopTaskCommand({ cluster: 'cluster-2', task: task.taskArn, reason: 'stopped by a test' }));
    ecs.destroy();
    await cloud.settle();
    await cloud.lambda.invoke('reconcile', { source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} });

    const { status, body } = await activity({ limit: '500' });

    expect(status).toBe(200);
    expect(body).toMatchObject({ complete: true, truncated: false });
    const stopped = body.items.filter((i) => i.taskId === taskId);
    expect(stopped).toContainEqual(expect.objectContaining({ kind: 'task', cluster: 'cluster-2', service: 'todos', desiredStatus: 'STOPPED', outcome: 'deregistered' }));
    // The newest reconcile run came after the deregistration (events of the replacement task may come later still).
    const run = body.items.find((i) => i.kind === 'reconcile');
    expect(run).toMatchObject({ kind: 'reconcile', clusters: 3, repairs: expect.objectContaining({ deregistered: 0 }), failedClusters: [] });
    const deregistration = stopped.find((i) => i.outcome === 'deregistered');
    expect(Date.parse(String(run?.time))).toBeGreaterThanOrEqual(Date.parse(String(deregistration?.time)));
    const times = body.items.map((i) => Date.parse(String(i.time)));
    expect(times).toEqual([...times].sort((a, b) => b - a));
  }, 60_000);

  it('narrows to one service and outcome in CloudWatch Logs, and refuses a query out of bounds with the API error shape', async () => {
    const { body } = await activity({ service: 'todos', outcome: 'deregistered' });
    const refused = await activity({ limit: '501' });

    expect(body.items.length).toBeGreaterThan(0);
    expect(body.items.every((i) => i.kind === 'task' && i.service === 'todos' && i.outcome === 'deregistered')).toBe(true);
    expect(refused.status).toBe(400);
    expect(refused.body.error?.code).toBe('InvalidInput');
  });

  it('meshctl activity prints the same, one row per decision, and its --json is the route\'s answer', async () => {
    const meshctl = async (...args: string[]) => {
      let out = '';
      const io = { write: (text: string) => (out += text) };
      process.exitCode = 0;
      await buildProgram({ stdout: io, stderr: io, env: {} }).parseAsync(['node', 'meshctl', 'activity', '--api-url', cloud.endpoints.httpApi, '--token', cloud.apiToken, ...args]);
      const code = Number(process.exitCode ?? 0);
      process.exitCode = 0;
      return { code, out };
    };

    const table = await meshctl('--service', 'todos', '--outcome', 'deregistered');
    const json = await meshctl('--kind', 'reconcile', '--limit', '1', '--json');

    expect(table.code).toBe(0);
    expect(table.out.split('\n')[0]).toMatch(/^TIME\s+SOURCE\s+SERVICE\s+TASK\s+ECS\s+OUTCOME\s+DETAILS/);
    expect(table.out).toMatch(/task\s+todos\s+cluster-2\/\w{12}\s+RUNNING→STOPPED v\d+\s+deregistered\s+desired-stopped: UserInitiated: stopped by a test/);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.out)).toMatchObject({ items: [{ kind: 'reconcile', clusters: 3 }], truncated: expect.any(Boolean) });
  });
});
