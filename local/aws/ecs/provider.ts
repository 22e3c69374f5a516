/**
 * The ECS service provider: `X-Amz-Target: AmazonEC2ContainerServiceV20141113.<Operation>`, JSON 1.1, signed as `ecs`.
 * Each operation's input is parsed with its schema (`schemas.ts`, ECS's wording in `validation.ts`) and handed to
 * the operation, grouped by resource in `operations/`; the simulation (`simulation.ts`) owns the provider and the
 * state, scheduler and task lifecycle the operations work on.
 */
import type { OperationHandler, ServiceProvider } from '../protocol';
import * as clusters from './operations/clusters';
import type { EcsOperationDependencies } from './operations/common';
import * as services from './operations/services';
import * as tags from './operations/tags';
import * as taskDefinitions from './operations/task-definitions';
import * as tasks from './operations/tasks';
import * as schemas from './schemas';
import { parseInput } from './validation';

export const ECS_TARGET_PREFIX = 'AmazonEC2ContainerServiceV20141113';

export class EcsProvider implements ServiceProvider {
  readonly targetPrefix = ECS_TARGET_PREFIX;
  readonly jsonVersion = '1.1' as const;
  readonly signingName = 'ecs';
  /** Operation name → handler: the input parsed with the operation's schema, then the operation. */
  readonly operations: Record<string, OperationHandler>;

  constructor(deps: EcsOperationDependencies) {
    this.operations = {
      CreateCluster: (input, ctx) => clusters.createCluster(deps, parseInput(schemas.createClusterInput, input), ctx),
      DescribeClusters: (input, ctx) => clusters.describeClusters(deps, parseInput(schemas.describeClustersInput, input), ctx),
      ListClusters: (input, ctx) => clusters.listClusters(deps, parseInput(schemas.listClustersInput, input), ctx),
      DeleteCluster: (input, ctx) => clusters.deleteCluster(deps, parseInput(schemas.deleteClusterInput, input), ctx),
      RegisterTaskDefinition: (input, ctx) => taskDefinitions.registerTaskDefinition(deps, parseInput(schemas.registerTaskDefinitionInput, input), ctx),
      DescribeTaskDefinition: (input, ctx) => taskDefinitions.describeTaskDefinition(deps, parseInput(schemas.describeTaskDefinitionInput, input), ctx),
      ListTaskDefinitions: (input, ctx) => taskDefinitions.listTaskDefinitions(deps, parseInput(schemas.listTaskDefinitionsInput, input), ctx),
      ListTaskDefinitionFamilies: (input, ctx) =>
        taskDefinitions.listTaskDefinitionFamilies(deps, parseInput(schemas.listTaskDefinitionFamiliesInput, input), ctx),
      DeregisterTaskDefinition: (input, ctx) => taskDefinitions.deregisterTaskDefinition(deps, parseInput(schemas.deregisterTaskDefinitionInput, input), ctx),
      CreateService: (input, ctx) => services.createService(deps, parseInput(schemas.createServiceInput, input), ctx),
      UpdateService: (input, ctx) => services.updateService(deps, parseInput(schemas.updateServiceInput, input), ctx),
      DescribeServices: (input, ctx) => services.describeServices(deps, parseInput(schemas.describeServicesInput, input), ctx),
      ListServices: (input, ctx) => services.listServices(deps, parseInput(schemas.listServicesInput, input), ctx),
      DeleteService: (input, ctx) => services.deleteService(deps, parseInput(schemas.deleteServiceInput, input), ctx),
      RunTask: (input, ctx) => tasks.runTask(deps, parseInput(schemas.runTaskInput, input), ctx),
      StopTask: (input, ctx) => tasks.stopTask(deps, parseInput(schemas.stopTaskInput, input), ctx),
      ListTasks: (input, ctx) => tasks.listTasks(deps, parseInput(schemas.listTasksInput, input), ctx),
      DescribeTasks: (input, ctx) => tasks.describeTasks(deps, parseInput(schemas.describeTasksInput, input), ctx),
      TagResource: (input) => tags.tagResource(deps, parseInput(schemas.tagResourceInput, input)),
      UntagResource: (input) => tags.untagResource(deps, parseInput(schemas.untagResourceInput, input)),
      ListTagsForResource: (input) => tags.listTagsForResource(deps, parseInput(schemas.listTagsForResourceInput, input)),
    };
  }
}
