import { DescribeTasksCommand, ListTasksCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { usePeeredMeshes, until, type Json } from './harness';

/**
 * Task churn in one region as the other region sees it: west's task-event function changes west's catalog, and the
 * peering's stream carries it into east's imported health, within seconds and without losing a registration.
 */
describe('task churn across the peering (examples/multi-region)', () => {
  const pair = usePeeredMeshes();

  const importedTodos = async (): Promise<string[]> =>
    ((await pair.east.consulCall('/v1/health/service/todos?peer=west&passing')).body as Json[]).map((e) => e.Service.ID).sort();
  const runningTodos = async (): Promise<string[]> => (await pair.west.runningTasks()).filter((t) => t.startsWith('todos-')).map((t) => t.split(' ')[0]);

  it('a todos task stopped in west leaves east\'s imported health within seconds, and its replacement arrives; nothing else moves', async () => {
    const { east, west } = pair;
    const before = await until('both todos tasks imported', async () => {
      const [running, imported] = await Promise.all([runningTodos(), importedTodos()]);
      return running.length === 2 && JSON.stringify(running) === JSON.stringify(imported) ? running : undefined;
    });
    const eastBefore = await east.registered();
    const { taskArns = [] } = await west.ecs.send(new ListTasksCommand({ cluster: 'cluster-2', serviceName: 'todos', desiredStatus: 'RUNNING' }));
    const { tasks = [] } = await west.ecs.send(new DescribeTasksCommand({ cluster: 'cluster-2', tasks: taskArns }));
    const victim = tasks.find((t) => before.includes(`todos-${t.taskArn?.split('/').pop()}`));
    const instance = `todos-${victim?.taskArn?.split('/').pop()}`;

    const stoppedAt = Date.now();
    await west.ecs.send(new StopTaskCommand({ cluster: 'cluster-2', task: victim?.taskArn, reason: 'peering churn test' }));
    await until(`${instance} gone from east's imported health`, async () => ((await importedTodos()).includes(instance) ? undefined : true), 5_000, 10);
    const goneAfterMs = Date.now() - stoppedAt;
    expect(goneAfterMs).toBeLessThan(5_000);

    // ECS replaces the task; west registers it, and east imports it: again as many as run.
    const after = await until('the replacement running, registered in west and imported in east', async () => {
      const [running, imported] = await Promise.all([runningTodos(), importedTodos()]);
      return running.length === 2 && !running.includes(instance) && JSON.stringify(running) === JSON.stringify(imported) ? running : undefined;
    }, 10_000);
    expect(after.filter((id) => !before.includes(id))).toHaveLength(1);

    // No registration lost on either side: west's catalog is exactly its running tasks, east's is untouched.
    expect(await west.registered()).toEqual(await west.runningTasks());
    expect(await east.registered()).toEqual(eastBefore);
    expect((await east.peering())?.State).toBe('ACTIVE');
  }, 60_000);

  it('a health change in west (a todos instance failing its check) shows in east\'s imported health, then recovers', async () => {
    const { east, west } = pair;
    const [id] = await runningTodos();
    const entries = (await west.consulCall(`/v1/health/service/todos`)).body as Json[];
    const entry = entries.find((e) => e.Service.ID === id);
    const check = entry.Checks.find((c: Json) => c.ServiceID === id);
    // What the task-event function writes when ECS reports the task UNHEALTHY: its check goes critical.
    const setStatus = (status: string) =>
      west.consulCall('/v1/catalog/register', {
        method: 'PUT',
        body: JSON.stringify({ Node: entry.Node.Node, SkipNodeUpdate: true, Service: entry.Service, Check: { ...check, Status: status } }),
      });
    const importedStatus = async () => ((await east.consulCall('/v1/health/service/todos?peer=west')).body as Json[]).find((e) => e.Service.ID === id)?.Checks[0].Status;
    expect((await setStatus('critical')).status).toBe(200);
    await until('critical in east', async () => ((await importedStatus()) === 'critical' ? true : undefined), 5_000);
    expect(await importedTodos()).not.toContain(id);
    expect((await setStatus('passing')).status).toBe(200);
    await until('passing again in east', async () => ((await importedStatus()) === 'passing' ? true : undefined), 5_000);
  }, 30_000);
});
