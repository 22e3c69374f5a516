import { DescribeTasksCommand, ListTasksCommand, type ECSClient, type Task } from '@aws-sdk/client-ecs';

/** ListTasks returns at most 100 ARNs a page; DescribeTasks takes at most 100 tasks a call (ECS API limits). */
const PAGE = 100;

/** Every task ARN of a cluster (optionally of one service) with the given desired status, following every page. */
export async function listTaskArns(
  ecs: Pick<ECSClient, 'send'>,
  query: { cluster: string; serviceName?: string; desiredStatus: 'RUNNING' | 'STOPPED' },
): Promise<string[]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ecs.send(new ListTasksCommand({ ...query, maxResults: PAGE, nextToken }));
    arns.push(...(page.taskArns ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return arns;
}

/** DescribeTasks for any number of ARNs, 100 a call; tasks ECS no longer knows (failures: MISSING) are left out. */
export async function describeTasks(ecs: Pick<ECSClient, 'send'>, cluster: string, arns: readonly string[]): Promise<Task[]> {
  const tasks: Task[] = [];
  for (let i = 0; i < arns.length; i += PAGE) {
    const { tasks: page = [] } = await ecs.send(new DescribeTasksCommand({ cluster, tasks: arns.slice(i, i + PAGE) }));
    tasks.push(...page);
  }
  return tasks;
}

/** The tasks of one service with the given desired status, described. */
export async function serviceTasks(ecs: Pick<ECSClient, 'send'>, cluster: string, serviceName: string, desiredStatus: 'RUNNING' | 'STOPPED' = 'RUNNING'): Promise<Task[]> {
  return describeTasks(ecs, cluster, await listTaskArns(ecs, { cluster, serviceName, desiredStatus }));
}

/** A task's private IP: the ENI attachment's `privateIPv4Address` (DescribeTasks' capitalisation, unlike containers'). */
export function taskPrivateIp(task: Pick<Task, 'attachments'>): string | undefined {
  for (const a of task.attachments ?? []) for (const d of a.details ?? []) if (d.name === 'privateIPv4Address' && d.value) return d.value;
  return undefined;
}
