import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteClusterCommand,
  DeleteServiceCommand,
  DeregisterTaskDefinitionCommand,
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  paginateListClusters,
  paginateListServices,
  paginateListTaskDefinitionFamilies,
  paginateListTaskDefinitions,
  paginateListTasks,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  type Cluster,
  type CreateClusterCommandInput,
  type CreateServiceCommandInput,
  type DescribeTaskDefinitionCommandOutput,
  type ECSClient,
  type RegisterTaskDefinitionCommandInput,
  type Service,
  type Task,
  type TaskDefinition,
  type UpdateServiceCommandInput,
} from '@aws-sdk/client-ecs';

/**
 * The batch sizes of the ECS API (ECS API Reference, each action's request parameters): DescribeServices takes at
 * most 10 services, DescribeTasks and DescribeClusters at most 100, ListTasks and ListServices answer at most 100
 * ARNs a page. A larger batch is refused with InvalidParameterException, so every caller goes through this adapter.
 */
export const ECS_LIMITS = { describeServices: 10, describeTasks: 100, describeClusters: 100, listPage: 100 } as const;

export interface TaskQuery {
  cluster: string;
  serviceName?: string;
  desiredStatus: 'RUNNING' | 'STOPPED';
}

/**
 * Every ECS call the orchestrator makes, with ECS's batch limits and paging handled here, once. Features depend on
 * a `Pick` of the few calls they make (as consul-ecs' controller depends on an `ECSAPI` of ListTasks and
 * DescribeTasks alone). Errors are the SDK's own (named `ClusterNotFoundException`, `ClientException`, ...), never
 * rewrapped; a `ThrottlingException` is retried by the SDK client's standard retry mode (layers/adapters/aws.ts).
 */
export interface EcsApi {
  /**
   * DescribeClusters in batches of 100. Unknown clusters are left out (ECS lists them in `failures`, MISSING); a
   * deleted one is still described, as INACTIVE. `includeTags` asks for the tags (`include: ["TAGS"]`).
   */
  describeClusters(names: readonly string[], options?: { includeTags?: boolean }): Promise<Cluster[]>;
  createCluster(input: CreateClusterCommandInput): Promise<Cluster | undefined>;
  /**
   * DescribeServices in batches of 10, in the order asked. Unknown services are left out (`failures`, MISSING); a
   * deleted service can still be described as INACTIVE. Throws `ClusterNotFoundException` for an unknown cluster.
   */
  describeServices(cluster: string, names: readonly string[], options?: { includeTags?: boolean }): Promise<Service[]>;
  /** Every service ARN of a cluster, following ListServices' pages. */
  listServiceArns(cluster: string): Promise<string[]>;
  createService(input: CreateServiceCommandInput): Promise<Service | undefined>;
  updateService(input: UpdateServiceCommandInput): Promise<Service | undefined>;
  /**
   * DeleteService. ECS refuses a service scaled above 0 (`InvalidParameterException`, unless forced, which we never
   * do) and one already INACTIVE (`ServiceNotActiveException`); a deleted service drains (DRAINING), then ECS keeps
   * it as INACTIVE for a while.
   */
  deleteService(cluster: string, service: string): Promise<Service | undefined>;
  /** DeleteCluster: refused while it has services (`ClusterContainsServicesException`) or tasks (`ClusterContainsTasksException`). */
  deleteCluster(cluster: string): Promise<Cluster | undefined>;
  /**
   * The revision ARNs of one task-definition family with the given status, newest first, following the pages.
   * (ListTaskDefinitions' `familyPrefix` is a whole family name: ECS matches it exactly.)
   */
  listTaskDefinitionArns(family: string, status?: 'ACTIVE' | 'INACTIVE'): Promise<string[]>;
  /** The task-definition families whose name starts with `prefix` and that have an ACTIVE revision (ListTaskDefinitionFamilies, paged). */
  listTaskDefinitionFamilies(prefix: string): Promise<string[]>;
  /** Every ACTIVE cluster's ARN (ListClusters, paged). */
  listClusterArns(): Promise<string[]>;
  /** Throws `ClientException` for a family with no ACTIVE revision or an unknown revision (ECS's answer). */
  describeTaskDefinition(taskDefinition: string, options?: { includeTags?: boolean }): Promise<Pick<DescribeTaskDefinitionCommandOutput, 'taskDefinition' | 'tags'>>;
  registerTaskDefinition(input: RegisterTaskDefinitionCommandInput): Promise<TaskDefinition | undefined>;
  deregisterTaskDefinition(taskDefinition: string): Promise<void>;
  /**
   * The task ARNs of a cluster (optionally of one service) with the given desired status, page by page (100 an
   * answer). `limit` stops after that many ARNs (fewer calls when only the latest few matter).
   */
  taskArnPages(query: TaskQuery): AsyncIterable<string[]>;
  listTaskArns(query: TaskQuery, options?: { limit?: number }): Promise<string[]>;
  /** DescribeTasks in batches of 100; tasks ECS no longer knows (`failures`, MISSING) are left out. */
  describeTasks(cluster: string, taskArns: readonly string[]): Promise<Task[]>;
  /** The tasks of one service with the given desired status, listed then described. */
  serviceTasks(cluster: string, serviceName: string, desiredStatus?: 'RUNNING' | 'STOPPED'): Promise<Task[]>;
}

/** `items` cut into slices of at most `size`. */
export function batches<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * The ECS adapter over a real SDK client (the SDK's paginators need the client class itself).
 * @example
 * const ecs = createEcsApi(new ECSClient({ maxAttempts: 8, retryMode: 'standard' }));
 * const services = await ecs.describeServices('cluster-1', names); // any number of names
 */
export function createEcsApi(client: ECSClient): EcsApi {
  const api: EcsApi = {
    async describeClusters(names, options = {}) {
      const clusters: Cluster[] = [];
      const include = options.includeTags ? { include: ['TAGS' as const] } : {};
      for (const batch of batches(names, ECS_LIMITS.describeClusters)) {
        clusters.push(...((await client.send(new DescribeClustersCommand({ clusters: batch, ...include }))).clusters ?? []));
      }
      return clusters;
    },
    async createCluster(input) {
      return (await client.send(new CreateClusterCommand(input))).cluster;
    },
    async describeServices(cluster, names, options = {}) {
      const services: Service[] = [];
      const include = options.includeTags ? { include: ['TAGS' as const] } : {};
      for (const batch of batches(names, ECS_LIMITS.describeServices)) {
        services.push(...((await client.send(new DescribeServicesCommand({ cluster, services: batch, ...include }))).services ?? []));
      }
      return services;
    },
    async listServiceArns(cluster) {
      const arns: string[] = [];
      for await (const page of paginateListServices({ client, pageSize: ECS_LIMITS.listPage }, { cluster })) arns.push(...(page.serviceArns ?? []));
      return arns;
    },
    async createService(input) {
      return (await client.send(new CreateServiceCommand(input))).service;
    },
    async updateService(input) {
      return (await client.send(new UpdateServiceCommand(input))).service;
    },
    async deleteService(cluster, service) {
      return (await client.send(new DeleteServiceCommand({ cluster, service }))).service;
    },
    async deleteCluster(cluster) {
      return (await client.send(new DeleteClusterCommand({ cluster }))).cluster;
    },
    async listTaskDefinitionArns(family, status = 'ACTIVE') {
      const arns: string[] = [];
      const pages = paginateListTaskDefinitions({ client, pageSize: ECS_LIMITS.listPage }, { familyPrefix: family, status, sort: 'DESC' });
      for await (const page of pages) arns.push(...(page.taskDefinitionArns ?? []));
      return arns;
    },
    async describeTaskDefinition(taskDefinition, options = {}) {
      const { taskDefinition: described, tags } = await client.send(
        new DescribeTaskDefinitionCommand({ taskDefinition, ...(options.includeTags ? { include: ['TAGS'] } : {}) }),
      );
      return { taskDefinition: described, tags };
    },
    async registerTaskDefinition(input) {
      return (await client.send(new RegisterTaskDefinitionCommand(input))).taskDefinition;
    },
    async deregisterTaskDefinition(taskDefinition) {
      await client.send(new DeregisterTaskDefinitionCommand({ taskDefinition }));
    },
    async listTaskDefinitionFamilies(prefix) {
      const families: string[] = [];
      const pages = paginateListTaskDefinitionFamilies({ client, pageSize: ECS_LIMITS.listPage }, { familyPrefix: prefix, status: 'ACTIVE' });
      for await (const page of pages) families.push(...(page.families ?? []));
      return families;
    },
    async listClusterArns() {
      const arns: string[] = [];
      for await (const page of paginateListClusters({ client, pageSize: ECS_LIMITS.listPage }, {})) arns.push(...(page.clusterArns ?? []));
      return arns;
    },
    async *taskArnPages(query) {
      for await (const page of paginateListTasks({ client, pageSize: ECS_LIMITS.listPage }, { ...query })) yield page.taskArns ?? [];
    },
    async listTaskArns(query, options = {}) {
      const arns: string[] = [];
      for await (const page of api.taskArnPages(query)) {
        arns.push(...page);
        if (options.limit !== undefined && arns.length >= options.limit) return arns.slice(0, options.limit);
      }
      return arns;
    },
    async describeTasks(cluster, taskArns) {
      const tasks: Task[] = [];
      for (const batch of batches(taskArns, ECS_LIMITS.describeTasks)) {
        tasks.push(...((await client.send(new DescribeTasksCommand({ cluster, tasks: batch }))).tasks ?? []));
      }
      return tasks;
    },
    async serviceTasks(cluster, serviceName, desiredStatus = 'RUNNING') {
      return api.describeTasks(cluster, await api.listTaskArns({ cluster, serviceName, desiredStatus }));
    },
  };
  return api;
}

/** A task's private IP: the ENI attachment's `privateIPv4Address` (DescribeTasks' capitalisation, unlike containers'). */
export function taskPrivateIp(task: Pick<Task, 'attachments'>): string | undefined {
  for (const a of task.attachments ?? []) for (const d of a.details ?? []) if (d.name === 'privateIPv4Address' && d.value) return d.value;
  return undefined;
}
