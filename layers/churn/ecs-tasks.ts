import { DescribeTasksCommand, ListTasksCommand, type Task } from '@aws-sdk/client-ecs';
import { parseEcsTask, type EcsTask } from '../domain/registration';
import type { EcsTasksApi } from './ports';

/** ListTasks returns at most 100 ARNs per page and DescribeTasks takes at most 100 tasks per call (ECS API limits). */
export const ECS_PAGE_SIZE = 100;

export interface ClusterTasks {
  tasks: EcsTask[];
  /** False when ECS does not know the cluster (never created, or deleted): it runs no task. */
  clusterExists: boolean;
  /** ListTasks and DescribeTasks calls made (SDK retries of throttled calls not included). */
  calls: number;
}

/**
 * Every task of a cluster that ECS wants running (`desiredStatus = RUNNING`: starting and running ones; a task
 * ECS decided to stop is not listed, which is what makes it drift once it is still registered), described page
 * by page: ListTasks(100) then DescribeTasks of that page, so a page's tasks are described right after listing.
 */
export async function listClusterTasks(ecs: EcsTasksApi, cluster: string): Promise<ClusterTasks> {
  const tasks: EcsTask[] = [];
  let calls = 0;
  let nextToken: string | undefined;
  do {
    let page;
    try {
      calls++;
      page = await ecs.send(new ListTasksCommand({ cluster, desiredStatus: 'RUNNING', maxResults: ECS_PAGE_SIZE, nextToken }));
    } catch (error) {
      if ((error as Error).name === 'ClusterNotFoundException') return { tasks: [], clusterExists: false, calls };
      throw error;
    }
    const arns = page.taskArns ?? [];
    if (arns.length > 0) {
      const described = await describeTasks(ecs, cluster, arns);
      calls += described.calls;
      tasks.push(...described.tasks);
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return { tasks, clusterExists: true, calls };
}

/**
 * DescribeTasks for any number of ARNs, 100 per call. Tasks ECS no longer knows come back in `failures`
 * (reason MISSING) and are left out: the caller treats an unknown task as not running.
 */
export async function describeTasks(ecs: EcsTasksApi, cluster: string, taskArns: readonly string[]): Promise<{ tasks: EcsTask[]; calls: number }> {
  const tasks: EcsTask[] = [];
  let calls = 0;
  for (let start = 0; start < taskArns.length; start += ECS_PAGE_SIZE) {
    calls++;
    const answer = await ecs.send(new DescribeTasksCommand({ cluster, tasks: taskArns.slice(start, start + ECS_PAGE_SIZE) }));
    tasks.push(...(answer.tasks ?? []).map((t: Task) => parseEcsTask(t)));
  }
  return { tasks, calls };
}
