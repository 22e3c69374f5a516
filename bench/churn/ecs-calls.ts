/**
 * The fewest ECS calls a reconcile can make: it must list every cluster's tasks and describe each of them, and the
 * ECS API caps both calls at 100 tasks (ListTasks `maxResults`, DescribeTasks `tasks`).
 */
import { ECS_LIMITS } from '../../layers/adapters/ecs';

const ECS_PAGE_SIZE = ECS_LIMITS.listPage;

/** ListTasks pages of one cluster: at least one (an empty cluster answers one empty page). */
export function listTasksPages(tasks: number, pageSize = ECS_PAGE_SIZE): number {
  return Math.max(1, Math.ceil(tasks / pageSize));
}

/** DescribeTasks calls of one cluster: one per 100 tasks, none for an empty cluster. */
export function describeTasksCalls(tasks: number, pageSize = ECS_PAGE_SIZE): number {
  return Math.ceil(tasks / pageSize);
}

/**
 * The minimum over clusters holding `tasksPerCluster` tasks each.
 *
 * @example minimumReconcileEcsCalls(Array(20).fill(500)) // { listTasks: 100, describeTasks: 100, total: 200 }
 */
export function minimumReconcileEcsCalls(tasksPerCluster: readonly number[], pageSize = ECS_PAGE_SIZE): { listTasks: number; describeTasks: number; total: number } {
  let listTasks = 0;
  let describeTasks = 0;
  for (const tasks of tasksPerCluster) {
    if (!Number.isInteger(tasks) || tasks < 0) throw new RangeError(`a cluster's task count must be an integer >= 0, got ${tasks}`);
    listTasks += listTasksPages(tasks, pageSize);
    describeTasks += describeTasksCalls(tasks, pageSize);
  }
  return { listTasks, describeTasks, total: listTasks + describeTasks };
}
