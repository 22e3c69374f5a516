/**
 * Pure builders of the ECS inputs of a mesh (task definitions, clusters, services) and the comparisons that
 * decide whether ECS must change. No SDK client, no I/O: the adapters send what these return.
 */
export { stableStringify, specHash, clientTokenFor } from './hash';
export * from './containers';
export { ImageNotResolvedError, logGroupName, ssmParameterArn, type ServiceContext, type TaskDefinitionContext, type TaskRoleArns } from './context';
export { buildAppHealthCheck, buildDataplaneHealthCheck, buildServerHealthCheck, durationSeconds } from './health-check';
export { buildServerTaskDefinition } from './server-task-definition';
export { buildServiceTaskDefinition } from './service-task-definition';
export { buildIngressTaskDefinition, INGRESS_CPU, INGRESS_MEMORY } from './ingress-task-definition';
export { buildMeshGatewayTaskDefinition } from './mesh-gateway-task-definition';
export { buildCluster } from './cluster';
export { buildCreateService, buildUpdateService } from './service';
export { deployStages, meshClusters, resolveTarget, type ResolvedTarget, type ServiceTarget } from './targets';
export { diffTaskDefinition, type TaskDefinitionDiff } from './diff-task-definition';
export { planService, type ServicePlan } from './plan-service';
export { isFargateSize, launchTypeIssues } from './launch-type';
