/**
 * The ECS state the local cloud's persistence saves, and how it is put back.
 *
 * Saved: clusters, every task-definition revision, and services with their configuration, deployments and events.
 * Not saved: tasks. Real ECS would keep its running tasks across a control-plane restart, but the simulated
 * containers are gone with the process, so a restored service starts with no task and its scheduler launches fresh
 * ones for `desiredCount` (new task ids and addresses, announced by the usual task state-change events). Stopped
 * tasks are not kept either: DescribeTasks forgets them after a restart, as ECS forgets stopped tasks after a while.
 */
import type { ClusterRecord, DeploymentRecord, ServiceRecord, TaskDefinitionRecord } from './model';
import type { EcsStore } from './store';

/** A service without its tasks and the scheduler's transient counters. */
export type ServiceSnapshot = Omit<ServiceRecord, 'taskArns' | 'consecutiveFailures' | 'backoffUntil' | 'steady'>;

export interface EcsRegionSnapshot {
  readonly clusters: ClusterRecord[];
  /** Every revision of every family (ACTIVE and INACTIVE: revision numbers are positions). */
  readonly taskDefinitions: TaskDefinitionRecord[];
  readonly services: ServiceSnapshot[];
}

export interface EcsSnapshot {
  readonly regions: Record<string, EcsRegionSnapshot>;
}

/** The store as plain data (deep copies: the records keep changing after this returns). */
export function exportEcsState(store: EcsStore): EcsSnapshot {
  const regions: Record<string, EcsRegionSnapshot> = {};
  for (const state of store.allRegions()) {
    const services = [...state.services.values()].map(
      ({ taskArns: _tasks, consecutiveFailures: _failures, backoffUntil: _backoff, steady: _steady, ...service }) => service,
    );
    regions[state.region] = structuredClone({
      clusters: [...state.clusters.values()],
      taskDefinitions: [...state.families.values()].flat(),
      services,
    });
  }
  return { regions };
}

/**
 * The deployment a restored service keeps: its PRIMARY, now the only one. The older deployments were draining
 * tasks that no longer exist; the PRIMARY's rollout state carries over (a COMPLETED rollout settles again as soon
 * as the fresh tasks are healthy, an IN_PROGRESS one completes then, a FAILED one starts no task, as before).
 */
function collapsedDeployments(service: ServiceSnapshot): DeploymentRecord[] {
  const primary = service.deployments.find((deployment) => deployment.status === 'PRIMARY') ?? service.deployments[0];
  if (!primary) return [];
  if (service.status === 'INACTIVE') return [primary];
  return [{ ...primary, status: 'PRIMARY', desiredCount: service.desiredCount }];
}

/**
 * Puts saved records into an empty store. Returns the services whose scheduler must run (ACTIVE ones start their
 * tasks, DRAINING ones, having no task left, become INACTIVE). Throws a RangeError when task-definition revisions
 * of a family are not numbered 1..n.
 */
export function importEcsState(store: EcsStore, snapshot: EcsSnapshot): ServiceRecord[] {
  const toSchedule: ServiceRecord[] = [];
  for (const [region, saved] of Object.entries(structuredClone(snapshot.regions))) {
    const state = store.region(region);
    for (const cluster of saved.clusters) state.clusters.set(cluster.name, cluster);
    const families = new Map<string, TaskDefinitionRecord[]>();
    for (const definition of saved.taskDefinitions) {
      const revisions = families.get(definition.family) ?? [];
      revisions.push(definition);
      families.set(definition.family, revisions);
    }
    for (const [family, revisions] of families) {
      revisions.sort((a, b) => a.revision - b.revision);
      // RegionState finds revision n at index n - 1.
      if (revisions.some((definition, index) => definition.revision !== index + 1)) {
        throw new RangeError(`task definition family ${family} in ${region}: revisions are not numbered 1..${revisions.length}`);
      }
      state.families.set(family, revisions);
    }
    for (const entry of saved.services) {
      const service: ServiceRecord = {
        ...entry,
        deployments: collapsedDeployments(entry),
        taskArns: new Set(),
        consecutiveFailures: 0,
        backoffUntil: 0,
        steady: false,
      };
      if (service.deployments.length === 0) continue;
      state.services.set(service.arn, service);
      if (service.status !== 'INACTIVE') toSchedule.push(service);
    }
  }
  return toSchedule;
}
