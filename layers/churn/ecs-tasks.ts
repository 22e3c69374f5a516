import { ECS_LIMITS } from '../adapters/ecs';
import { parseEcsTask, type EcsTask } from '../domain/registration';
import type { EcsTasksApi } from './ports';

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
  try {
    for await (const arns of ecs.taskArnPages({ cluster, desiredStatus: 'RUNNING' })) {
      calls++;
      if (arns.length === 0) continue;
      const described = await describeTasks(ecs, cluster, arns);
      calls += described.calls;
      tasks.push(...described.tasks);
    }
  } catch (error) {
    // Only ListTasks answers ClusterNotFoundException here: DescribeTasks reports unknown tasks as failures.
    if ((error as Error).name === 'ClusterNotFoundException') return { tasks: [], clusterExists: false, calls: calls + 1 };
    throw error;
  }
  return { tasks, clusterExists: true, calls };
}

/**
 * DescribeTasks for any number of ARNs (the adapter asks for 100 a call). Tasks ECS no longer knows come back in
 * `failures` (reason MISSING) and are left out: the caller treats an unknown task as not running.
 */
export async function describeTasks(ecs: EcsTasksApi, cluster: string, taskArns: readonly string[]): Promise<{ tasks: EcsTask[]; calls: number }> {
  const described = await ecs.describeTasks(cluster, taskArns);
  return { tasks: described.map((t) => parseEcsTask(t)), calls: Math.ceil(taskArns.length / ECS_LIMITS.describeTasks) };
}
