/**
 * The state of the ECS simulation, one RegionState per region of the local account (`../stores`).
 */
import { AccountRegionStores } from '../stores';
import { ecsArn, parseEcsArn } from './arns';
import type { ClusterRecord, ServiceRecord, TaskDefinitionRecord, TaskRecord } from './model';
import { AddressPool } from './network';
import { DEFAULT_ECS_RETENTION, type EcsRetention } from './options';

export class RegionState {
  /** By cluster name (ACTIVE and INACTIVE). */
  readonly clusters = new Map<string, ClusterRecord>();
  /** Family → its revisions, index = revision - 1. */
  readonly families = new Map<string, TaskDefinitionRecord[]>();
  /** By service ARN; a re-created service replaces the INACTIVE one of the same name (same ARN, as in ECS). */
  readonly services = new Map<string, ServiceRecord>();
  /** By task ARN, in creation order. */
  readonly tasks = new Map<string, TaskRecord>();
  readonly addresses = new AddressPool();
  /** ARNs of STOPPED tasks per cluster, oldest first (bounded by the retention setting). */
  private readonly stoppedTasks = new Map<string, string[]>();
  private sequence = 0;

  constructor(
    readonly region: string,
    private readonly retention: EcsRetention,
  ) {}

  nextSequence(): number {
    this.sequence += 1;
    return this.sequence;
  }

  cluster(name: string): ClusterRecord | undefined {
    return this.clusters.get(name);
  }

  service(clusterName: string, serviceName: string): ServiceRecord | undefined {
    return this.services.get(ecsArn.service(this.region, clusterName, serviceName));
  }

  servicesOf(clusterName: string): ServiceRecord[] {
    return [...this.services.values()].filter((service) => service.clusterName === clusterName);
  }

  task(clusterName: string, taskId: string): TaskRecord | undefined {
    return this.tasks.get(ecsArn.task(this.region, clusterName, taskId));
  }

  tasksOf(clusterName: string): TaskRecord[] {
    const result: TaskRecord[] = [];
    for (const task of this.tasks.values()) if (task.clusterName === clusterName) result.push(task);
    return result;
  }

  /** `family`, `family:revision` or a task-definition ARN; a bare family means its latest ACTIVE revision. */
  taskDefinition(reference: string): TaskDefinitionRecord | undefined {
    const parsed = parseEcsArn(reference);
    const name = parsed?.resourceType === 'task-definition' ? parsed.resource : reference;
    const [family, revisionText] = name.split(':');
    const revisions = this.families.get(family);
    if (!revisions) return undefined;
    if (revisionText === undefined) {
      return [...revisions].reverse().find((revision) => revision.status === 'ACTIVE');
    }
    const revision = Number(revisionText);
    return Number.isInteger(revision) ? revisions[revision - 1] : undefined;
  }

  /** Records that a task reached STOPPED and forgets the oldest stopped tasks beyond the retention. */
  noteStopped(task: TaskRecord): void {
    const list = this.stoppedTasks.get(task.clusterName) ?? [];
    list.push(task.taskArn);
    this.stoppedTasks.set(task.clusterName, list);
    while (list.length > this.retention.stoppedTasksPerCluster) {
      const evicted = list.shift();
      if (evicted) this.tasks.delete(evicted);
    }
  }

  /** Forgets the oldest INACTIVE services of a cluster beyond the retention. */
  noteServiceInactive(clusterName: string): void {
    const inactive = this.servicesOf(clusterName).filter((service) => service.status === 'INACTIVE');
    const excess = inactive.length - this.retention.inactiveServicesPerCluster;
    for (const service of inactive.slice(0, Math.max(0, excess))) this.services.delete(service.arn);
  }
}

/** The regions' states of the local account (every ECS call is signed for it). */
export class EcsStore {
  private readonly regions = new AccountRegionStores((region) => new RegionState(region, this.retention));

  constructor(private readonly retention: EcsRetention = DEFAULT_ECS_RETENTION) {}

  region(name: string): RegionState {
    return this.regions.get(name);
  }

  allRegions(): RegionState[] {
    return this.regions.all();
  }
}
