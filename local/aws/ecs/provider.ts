/**
 * The ECS service provider: `X-Amz-Target: AmazonEC2ContainerServiceV20141113.<Operation>`, JSON 1.1, signed as `ecs`.
 */
import type { ServiceProvider } from '../protocol';
import { clusterOperations } from './operations/clusters';
import type { EcsOperationDependencies } from './operations/common';
import { serviceOperations } from './operations/services';
import { tagOperations } from './operations/tags';
import { taskDefinitionOperations } from './operations/task-definitions';
import { taskOperations } from './operations/tasks';

export const ECS_TARGET_PREFIX = 'AmazonEC2ContainerServiceV20141113';

export function createEcsProvider(dependencies: EcsOperationDependencies): ServiceProvider {
  return {
    targetPrefix: ECS_TARGET_PREFIX,
    jsonVersion: '1.1',
    signingName: 'ecs',
    operations: {
      ...clusterOperations(dependencies),
      ...taskDefinitionOperations(dependencies),
      ...serviceOperations(dependencies),
      ...taskOperations(dependencies),
      ...tagOperations(dependencies),
    },
  };
}
