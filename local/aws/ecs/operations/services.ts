/**
 * CreateService, UpdateService, DescribeServices, ListServices, DeleteService.
 */
import { AwsServiceError, invalidParameter, LOCAL_ACCOUNT_ID, type OperationHandler, type OperationInput } from '../../protocol';
import { ecsArn, serviceNameOf } from '../arns';
import {
  includes,
  optionalBoolean,
  optionalEnum,
  optionalInteger,
  optionalObject,
  optionalString,
  optionalStringList,
  optionalTags,
  requiredString,
} from '../input';
import type { DeploymentConfiguration, ServiceRecord } from '../model';
import { paginate } from '../pagination';
import {
  activeCluster,
  describeService,
  existingService,
  launchTypeFor,
  requireNetworkConfiguration,
  serviceNotActive,
  usableTaskDefinition,
  validName,
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

const PROPAGATE = ['TASK_DEFINITION', 'SERVICE', 'NONE'] as const;

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
function deploymentConfiguration(input: OperationInput, current?: DeploymentConfiguration): DeploymentConfiguration {
  const given = optionalObject(input, 'deploymentConfiguration') ?? {};
  const maximumPercent = optionalInteger(given, 'maximumPercent', 100, 400) ?? current?.maximumPercent ?? 200;
  const minimumHealthyPercent = optionalInteger(given, 'minimumHealthyPercent', 0, 100) ?? current?.minimumHealthyPercent ?? 100;
  const breaker = optionalObject(given, 'deploymentCircuitBreaker');
  const deploymentCircuitBreaker = breaker
    ? { enable: optionalBoolean(breaker, 'enable') ?? false, rollback: optionalBoolean(breaker, 'rollback') ?? false }
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
function serviceRoleArn(input: OperationInput, networkMode: string): string | undefined {
  const role = optionalString(input, 'role');
  if (role === undefined || role === '') return networkMode === 'awsvpc' ? ECS_SERVICE_LINKED_ROLE : undefined;
  if (networkMode === 'awsvpc') throw invalidParameter('You cannot specify an IAM role for services that require a service linked role.');
  return role.startsWith('arn:') ? role : `arn:aws:iam::${LOCAL_ACCOUNT_ID}:role/${role.replace(/^\//, '')}`;
}

export function serviceOperations({ store, scheduler }: EcsOperationDependencies): Record<string, OperationHandler> {
  return {
    /**
     * Idempotent by `clientToken`: the same token with the same input returns the existing service and creates
     * nothing; an existing service of that name otherwise is "Creation of service was not idempotent."
     */
    CreateService(input, ctx) {
      const state = store.region(ctx.region);
      // The request's own members are checked before the cluster is looked up, as ECS orders its errors.
      const name = validName('Service', requiredString(input, 'serviceName'));
      const clientToken = optionalString(input, 'clientToken');
      if (clientToken !== undefined && (clientToken.length < 1 || clientToken.length > 36)) {
        throw invalidParameter('clientToken must be between 1 and 36 characters.');
      }
      const desiredCount = optionalInteger(input, 'desiredCount', 0, 10_000) ?? 1;
      const requestedLaunchType = optionalEnum(input, 'launchType', ['EC2', 'FARGATE', 'EXTERNAL'] as const);
      const propagateTags = optionalEnum(input, 'propagateTags', PROPAGATE) ?? 'NONE';
      const cluster = activeCluster(state, input);
      const fingerprint = canonicalJson(input);
      const existing = state.service(cluster.name, name);
      if (existing && existing.status !== 'INACTIVE') {
        if (clientToken && existing.clientToken === clientToken && existing.creationFingerprint === fingerprint) {
          return { service: describeService(state, existing, false) };
        }
        if (existing.status === 'DRAINING') throw invalidParameter('Unable to Start a service that is still Draining.');
        throw invalidParameter('Creation of service was not idempotent.');
      }
      const strategy = optionalString(input, 'schedulingStrategy') ?? 'REPLICA';
      if (strategy !== 'REPLICA') {
        throw new AwsServiceError('UnsupportedFeatureException', 'Only the REPLICA scheduling strategy is simulated.', 400);
      }
      const definition = usableTaskDefinition(state, requiredString(input, 'taskDefinition'));
      const networkConfiguration = optionalObject(input, 'networkConfiguration');
      requireNetworkConfiguration(definition, networkConfiguration);
      const launchType = launchTypeFor(definition, requestedLaunchType);
      const roleArn = serviceRoleArn(input, definition.networkMode);
      const now = Date.now();
      const service: ServiceRecord = {
        region: ctx.region,
        name,
        arn: ecsArn.service(ctx.region, cluster.name, name),
        clusterName: cluster.name,
        clusterArn: cluster.arn,
        status: 'ACTIVE',
        desiredCount,
        taskDefinitionArn: definition.arn,
        launchType,
        platformVersion: launchType === 'FARGATE' ? (optionalString(input, 'platformVersion') ?? 'LATEST') : undefined,
        networkConfiguration,
        deploymentConfiguration: deploymentConfiguration(input),
        deployments: [],
        events: [],
        propagateTags,
        enableECSManagedTags: optionalBoolean(input, 'enableECSManagedTags') ?? false,
        tags: optionalTags(input),
        extra: {
          loadBalancers: [],
          serviceRegistries: [],
          placementConstraints: [],
          placementStrategy: [],
          ...Object.fromEntries(Object.entries(input).filter(([key]) => !HANDLED.has(key))),
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
    },

    /**
     * A new task definition, network configuration or `forceNewDeployment` starts a new deployment (rolling
     * update); a desiredCount change alone only rescales the current one, as in ECS.
     */
    UpdateService(input, ctx) {
      const state = store.region(ctx.region);
      const desiredCount = optionalInteger(input, 'desiredCount', 0, 10_000);
      const cluster = activeCluster(state, input);
      const service = existingService(state, cluster, input);
      if (service.status !== 'ACTIVE') throw serviceNotActive();
      const taskDefinitionRef = optionalString(input, 'taskDefinition');
      const definition = taskDefinitionRef ? usableTaskDefinition(state, taskDefinitionRef) : undefined;
      const networkConfiguration = optionalObject(input, 'networkConfiguration');
      const effectiveDefinition = definition ?? state.taskDefinition(service.taskDefinitionArn);
      if (effectiveDefinition) requireNetworkConfiguration(effectiveDefinition, networkConfiguration ?? service.networkConfiguration);
      const config = deploymentConfiguration(input, service.deploymentConfiguration);
      const propagateTags = optionalEnum(input, 'propagateTags', PROPAGATE);
      const managedTags = optionalBoolean(input, 'enableECSManagedTags');
      const force = optionalBoolean(input, 'forceNewDeployment') ?? false;

      service.deploymentConfiguration = config;
      if (propagateTags) service.propagateTags = propagateTags;
      if (managedTags !== undefined) service.enableECSManagedTags = managedTags;
      const grace = optionalInteger(input, 'healthCheckGracePeriodSeconds', 0, 2_147_483_647);
      if (grace !== undefined) service.extra.healthCheckGracePeriodSeconds = grace;
      if (desiredCount !== undefined && desiredCount !== service.desiredCount) {
        service.desiredCount = desiredCount;
        service.steady = false;
      }
      const networkChanged =
        networkConfiguration !== undefined && JSON.stringify(networkConfiguration) !== JSON.stringify(service.networkConfiguration);
      if (networkConfiguration !== undefined) service.networkConfiguration = networkConfiguration;
      const definitionChanged = definition !== undefined && definition.arn !== service.taskDefinitionArn;
      if (definitionChanged || networkChanged || force) {
        scheduler.startDeployment(service, definition?.arn ?? service.taskDefinitionArn);
      } else {
        scheduler.request(service);
      }
      return { service: describeService(state, service, false) };
    },

    DescribeServices(input, ctx) {
      const state = store.region(ctx.region);
      const references = optionalStringList(input, 'services') ?? [];
      if (references.length === 0) throw invalidParameter('Services cannot be empty.');
      if (references.length > 10) throw invalidParameter('services can have at most 10 items.');
      const cluster = activeCluster(state, input);
      const includeTags = includes(input, 'TAGS');
      const services: unknown[] = [];
      const failures: unknown[] = [];
      for (const reference of references) {
        const service = state.service(cluster.name, serviceNameOf(reference));
        if (service) services.push(describeService(state, service, includeTags));
        else failures.push({ arn: reference.startsWith('arn:') ? reference : ecsArn.service(ctx.region, cluster.name, reference), reason: 'MISSING' });
      }
      return { services, failures };
    },

    ListServices(input, ctx) {
      const state = store.region(ctx.region);
      const launchType = optionalString(input, 'launchType');
      const maxResults = optionalInteger(input, 'maxResults', 1, 100);
      const cluster = activeCluster(state, input);
      const listed = state
        .servicesOf(cluster.name)
        .filter((service) => service.status !== 'INACTIVE' && (!launchType || service.launchType === launchType));
      const page = paginate(listed, (service) => service.arn, {
        nextToken: optionalString(input, 'nextToken'),
        maxResults,
        defaultSize: 10,
        maxSize: 100,
      });
      return { serviceArns: page.items.map((service) => service.arn), nextToken: page.nextToken };
    },

    /** ECS deletes a service only when scaled to 0, unless `force`; it drains (DRAINING) then becomes INACTIVE. */
    DeleteService(input, ctx) {
      const state = store.region(ctx.region);
      const cluster = activeCluster(state, input);
      const service = existingService(state, cluster, input);
      if (service.status === 'INACTIVE') throw serviceNotActive();
      const force = optionalBoolean(input, 'force') ?? false;
      if (service.status === 'ACTIVE') {
        if (service.desiredCount > 0 && !force) {
          throw invalidParameter('The service cannot be stopped while it is scaled above 0.');
        }
        service.desiredCount = 0;
        service.status = 'DRAINING';
        service.steady = false;
        scheduler.request(service);
      }
      return { service: describeService(state, service, false) };
    },
  };
}
