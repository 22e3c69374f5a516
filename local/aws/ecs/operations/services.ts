/**
 * CreateService, UpdateService, DescribeServices, ListServices, DeleteService.
 */
import { AwsServiceError, invalidParameter, LOCAL_ACCOUNT_ID, type RequestContext } from '../../protocol';
import { ecsArn, serviceNameOf } from '../arns';
import type { DeploymentConfiguration, ServiceRecord } from '../model';
import { paginate } from '../pagination';
import { includes, tagsOf } from '../request';
import type {
  CreateServiceInput,
  DeleteServiceInput,
  DeploymentConfigurationInput,
  DescribeServicesInput,
  ListServicesInput,
  UpdateServiceInput,
} from '../schemas';
import {
  activeCluster,
  describeService,
  existingService,
  launchTypeFor,
  requireNetworkConfiguration,
  serviceNotActive,
  usableTaskDefinition,
  type EcsOperationDependencies,
} from './common';

/** Members of CreateService handled explicitly; the rest (loadBalancers, serviceRegistries, ...) is echoed back. */
const HANDLED = new Set([
  'cluster',
  'serviceName',
  'taskDefinition',
  'desiredCount',
  'clientToken',
  'launchType',
  'platformVersion',
  'networkConfiguration',
  'deploymentConfiguration',
  'propagateTags',
  'enableECSManagedTags',
  'tags',
  'schedulingStrategy',
  'role',
]);

/** Key-order-independent JSON, to compare a retried CreateService with the original. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Defaults of a REPLICA service: maximumPercent 200, minimumHealthyPercent 100, circuit breaker off. */
function deploymentConfiguration(given: DeploymentConfigurationInput, current?: DeploymentConfiguration): DeploymentConfiguration {
  const maximumPercent = given?.maximumPercent ?? current?.maximumPercent ?? 200;
  const minimumHealthyPercent = given?.minimumHealthyPercent ?? current?.minimumHealthyPercent ?? 100;
  const breaker = given?.deploymentCircuitBreaker;
  const deploymentCircuitBreaker = breaker
    ? { enable: breaker.enable ?? false, rollback: breaker.rollback ?? false }
    : (current?.deploymentCircuitBreaker ?? { enable: false, rollback: false });
  return { maximumPercent, minimumHealthyPercent, deploymentCircuitBreaker };
}

/** The role ECS manages a service's network interfaces with when the service names none. */
const ECS_SERVICE_LINKED_ROLE = `arn:aws:iam::${LOCAL_ACCOUNT_ID}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS`;

/**
 * The service's `roleArn`. CreateService's `role` is a role name (with its path, if any) or ARN, for the load
 * balancers of a service whose tasks are not in awsvpc mode; an awsvpc service uses ECS's service-linked role
 * and may not name another one (InvalidParameterException, as ECS answers).
 */
function serviceRoleArn(role: string | undefined, networkMode: string): string | undefined {
  if (role === undefined || role === '') return networkMode === 'awsvpc' ? ECS_SERVICE_LINKED_ROLE : undefined;
  if (networkMode === 'awsvpc') throw invalidParameter('You cannot specify an IAM role for services that require a service linked role.');
  return role.startsWith('arn:') ? role : `arn:aws:iam::${LOCAL_ACCOUNT_ID}:role/${role.replace(/^\//, '')}`;
}

/**
 * Idempotent by `clientToken`: the same token with the same input returns the existing service and creates
 * nothing; an existing service of that name otherwise is "Creation of service was not idempotent."
 */
export function createService({ store, scheduler }: EcsOperationDependencies, request: CreateServiceInput, ctx: RequestContext) {
  const state = store.region(ctx.region);
  const name = request.serviceName;
  const { clientToken, networkConfiguration } = request;
  const cluster = activeCluster(state, request.cluster);
  const fingerprint = canonicalJson(request);
  const existing = state.service(cluster.name, name);
  if (existing && existing.status !== 'INACTIVE') {
    if (clientToken && existing.clientToken === clientToken && existing.creationFingerprint === fingerprint) {
      return { service: describeService(state, existing, false) };
    }
    if (existing.status === 'DRAINING') throw invalidParameter('Unable to Start a service that is still Draining.');
    throw invalidParameter('Creation of service was not idempotent.');
  }
  const strategy = request.schedulingStrategy ?? 'REPLICA';
  if (strategy !== 'REPLICA') {
    throw new AwsServiceError('UnsupportedFeatureException', 'Only the REPLICA scheduling strategy is simulated.', 400);
  }
  const definition = usableTaskDefinition(state, request.taskDefinition);
  requireNetworkConfiguration(definition, networkConfiguration);
  const launchType = launchTypeFor(definition, request.launchType);
  const roleArn = serviceRoleArn(request.role, definition.networkMode);
  const now = Date.now();
  const service: ServiceRecord = {
    region: ctx.region,
    name,
    arn: ecsArn.service(ctx.region, cluster.name, name),
    clusterName: cluster.name,
    clusterArn: cluster.arn,
    status: 'ACTIVE',
    desiredCount: request.desiredCount ?? 1,
    taskDefinitionArn: definition.arn,
    launchType,
    platformVersion: launchType === 'FARGATE' ? (request.platformVersion ?? 'LATEST') : undefined,
    networkConfiguration,
    deploymentConfiguration: deploymentConfiguration(request.deploymentConfiguration),
    deployments: [],
    events: [],
    propagateTags: request.propagateTags ?? 'NONE',
    enableECSManagedTags: request.enableECSManagedTags ?? false,
    tags: tagsOf(request.tags),
    extra: {
      loadBalancers: [],
      serviceRegistries: [],
      placementConstraints: [],
      placementStrategy: [],
      ...Object.fromEntries(Object.entries(request).filter(([key]) => !HANDLED.has(key))),
      ...(roleArn !== undefined ? { roleArn } : {}),
    },
    clientToken,
    creationFingerprint: fingerprint,
    createdAt: now,
    taskArns: new Set(),
    consecutiveFailures: 0,
    backoffUntil: 0,
    steady: false,
  };
  state.services.set(service.arn, service);
  scheduler.startDeployment(service, definition.arn);
  return { service: describeService(state, service, false) };
}

/**
 * A new task definition, network configuration or `forceNewDeployment` starts a new deployment (rolling
 * update); a desiredCount change alone only rescales the current one, as in ECS.
 */
export function updateService({ store, scheduler }: EcsOperationDependencies, request: UpdateServiceInput, ctx: RequestContext) {
  const state = store.region(ctx.region);
  const { desiredCount, networkConfiguration, propagateTags } = request;
  const cluster = activeCluster(state, request.cluster);
  const service = existingService(state, cluster, request.service);
  if (service.status !== 'ACTIVE') throw serviceNotActive();
  const definition = request.taskDefinition ? usableTaskDefinition(state, request.taskDefinition) : undefined;
  const effectiveDefinition = definition ?? state.taskDefinition(service.taskDefinitionArn);
  if (effectiveDefinition) requireNetworkConfiguration(effectiveDefinition, networkConfiguration ?? service.networkConfiguration);
  const config = deploymentConfiguration(request.deploymentConfiguration, service.deploymentConfiguration);
  const managedTags = request.enableECSManagedTags;
  const force = request.forceNewDeployment ?? false;

  service.deploymentConfiguration = config;
  if (propagateTags) service.propagateTags = propagateTags;
  if (managedTags !== undefined) service.enableECSManagedTags = managedTags;
  const grace = request.healthCheckGracePeriodSeconds;
  if (grace !== undefined) service.extra.healthCheckGracePeriodSeconds = grace;
  if (desiredCount !== undefined && desiredCount !== service.desiredCount) {
    service.desiredCount = desiredCount;
    service.steady = false;
  }
  const networkChanged =
    networkConfiguration !== undefined && JSON.stringify(networkConfiguration) !== JSON.stringify(service.networkConfiguration);
  if (networkConfiguration !== undefined) service.networkConfiguration = networkConfiguration;
  // UpdateService with `loadBalancers` (ECS deployment controller): new tasks register with the new configuration,
  // so a change starts a deployment; an empty list removes them all. Left out, they stay as they are.
  const requestedLbs = request.loadBalancers;
  const lbsChanged = requestedLbs !== undefined && JSON.stringify(requestedLbs) !== JSON.stringify(service.extra.loadBalancers ?? []);
  if (lbsChanged) {
    if (requestedLbs.length === 0) delete service.extra.loadBalancers;
    else service.extra.loadBalancers = requestedLbs;
  }
  const definitionChanged = definition !== undefined && definition.arn !== service.taskDefinitionArn;
  if (definitionChanged || networkChanged || lbsChanged || force) {
    scheduler.startDeployment(service, definition?.arn ?? service.taskDefinitionArn);
  } else {
    scheduler.request(service);
  }
  return { service: describeService(state, service, false) };
}

export function describeServices({ store }: EcsOperationDependencies, request: DescribeServicesInput, ctx: RequestContext) {
  const state = store.region(ctx.region);
  const cluster = activeCluster(state, request.cluster);
  const includeTags = includes(request.include, 'TAGS');
  const services: unknown[] = [];
  const failures: unknown[] = [];
  for (const reference of request.services) {
    const service = state.service(cluster.name, serviceNameOf(reference));
    if (service) services.push(describeService(state, service, includeTags));
    else failures.push({ arn: reference.startsWith('arn:') ? reference : ecsArn.service(ctx.region, cluster.name, reference), reason: 'MISSING' });
  }
  return { services, failures };
}

export function listServices({ store }: EcsOperationDependencies, request: ListServicesInput, ctx: RequestContext) {
  const state = store.region(ctx.region);
  const { launchType } = request;
  const cluster = activeCluster(state, request.cluster);
  const listed = state
    .servicesOf(cluster.name)
    .filter((service) => service.status !== 'INACTIVE' && (!launchType || service.launchType === launchType));
  const page = paginate(listed, (service) => service.arn, { nextToken: request.nextToken, maxResults: request.maxResults, defaultSize: 10 });
  return { serviceArns: page.items.map((service) => service.arn), nextToken: page.nextToken };
}

/** ECS deletes a service only when scaled to 0, unless `force`; it drains (DRAINING) then becomes INACTIVE. */
export function deleteService({ store, scheduler }: EcsOperationDependencies, request: DeleteServiceInput, ctx: RequestContext) {
  const state = store.region(ctx.region);
  const cluster = activeCluster(state, request.cluster);
  const service = existingService(state, cluster, request.service);
  if (service.status === 'INACTIVE') throw serviceNotActive();
  if (service.status === 'ACTIVE') {
    if (service.desiredCount > 0 && !request.force) {
      throw invalidParameter('The service cannot be stopped while it is scaled above 0.');
    }
    service.desiredCount = 0;
    service.status = 'DRAINING';
    service.steady = false;
    scheduler.request(service);
  }
  return { service: describeService(state, service, false) };
}
