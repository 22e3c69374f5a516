import { DescribeTasksCommand, ECSClient, ListTasksCommand, type Task } from '@aws-sdk/client-ecs';
import type { LocalCloud } from '@consul-mesh/local-cloud';

/** The STOPPED tasks of a cluster, described (the newest 100). */
export async function stoppedTasks(cloud: LocalCloud, cluster: string): Promise<Task[]> {
  const ecs = new ECSClient({ endpoint: cloud.endpoints.aws, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  try {
    const { taskArns = [] } = await ecs.send(new ListTasksCommand({ cluster, desiredStatus: 'STOPPED' }));
    if (taskArns.length === 0) return [];
    return (await ecs.send(new DescribeTasksCommand({ cluster, tasks: taskArns.slice(0, 100) }))).tasks ?? [];
  } finally {
    ecs.destroy();
  }
}
