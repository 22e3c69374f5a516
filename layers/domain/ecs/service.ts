import type { CreateServiceCommandInput, DeploymentConfiguration, NetworkConfiguration, PlacementConstraint, UpdateServiceCommandInput } from '@aws-sdk/client-ecs';
import type { MeshSpec } from '../spec/schema';
import { TAG } from '../naming';
import { ConfigError } from '../../errors';
import { meshTags, withSpecHashTag } from './common';
import type { ServiceContext } from './context';
import { clientTokenFor, specHash } from './hash';
import { resolveTarget, type ResolvedTarget, type ServiceTarget } from './targets';
import { DATAPLANE_CONTAINER } from './containers';

/**
 * CreateService input for a target: desired count, launch type, private networking, the rollout settings of the
 * spec (circuit breaker with rollback), tags propagated from the service to its tasks (the server tag is how
 * cloud auto-join finds the servers) and a `clientToken` derived from the rest of the input, so retrying the
 * same CreateService is idempotent (ECS: "clientToken makes CreateService idempotent", DESIGN.md section 7).
 *
 * @throws NotFoundError for an unknown target; ConfigError when awsvpc mode has no subnets at all.
 */
export function buildCreateService(spec: MeshSpec, target: ServiceTarget, ctx: ServiceContext = {}): CreateServiceCommandInput {
  const resolved = resolveTarget(spec, target);
  const input: CreateServiceCommandInput = {
    cluster: resolved.cluster,
    serviceName: resolved.serviceName,
    taskDefinition: ctx.taskDefinition ?? resolved.family,
    desiredCount: resolved.desiredCount,
    launchType: spec.network.launchType,
    schedulingStrategy: 'REPLICA',
    deploymentController: { type: 'ECS' },
    deploymentConfiguration: deploymentConfiguration(spec, resolved),
    networkConfiguration: networkConfiguration(spec, ctx),
    placementConstraints: placementConstraints(spec),
    propagateTags: 'SERVICE',
    enableECSManagedTags: true,
    tags: meshTags(spec, resolved.role, serviceTags(spec, resolved)),
    ...(resolved.role === 'server' && ctx.serverRegistryArn ? { serviceRegistries: [{ registryArn: ctx.serverRegistryArn }] } : {}),
    ...meshGatewayLoadBalancers(spec, resolved.role),
  };
  const tagged = withSpecHashTag(input, specHash);
  return { ...tagged, clientToken: clientTokenFor(tagged) };
}

/**
 * UpdateService input bringing an existing service to the spec: the same settings as CreateService, minus what
 * UpdateService cannot change (launch type, scheduling strategy, tags — see planService's immutable changes).
 * A new `taskDefinition` starts a rolling deployment guarded by the circuit breaker.
 */
export function buildUpdateService(spec: MeshSpec, target: ServiceTarget, ctx: ServiceContext = {}): UpdateServiceCommandInput {
  const create = buildCreateService(spec, target, ctx);
  return {
    cluster: create.cluster,
    service: create.serviceName,
    taskDefinition: create.taskDefinition,
    desiredCount: create.desiredCount,
    deploymentConfiguration: create.deploymentConfiguration,
    networkConfiguration: create.networkConfiguration,
    placementConstraints: create.placementConstraints,
    propagateTags: create.propagateTags,
    enableECSManagedTags: create.enableECSManagedTags,
    serviceRegistries: create.serviceRegistries,
    // The mesh gateway's target group follows `meshGateway.wan.mode`: rolling-update (ECS controller) services may
    // add, change or remove load balancers with UpdateService, and an empty list removes them (nlb → private).
    // Leaving the member out would keep the old one. ECS then starts new tasks with the new configuration.
    ...(create.loadBalancers ? { loadBalancers: create.loadBalancers } : resolveTarget(spec, target).role === 'mesh-gateway' ? { loadBalancers: [] } : {}),
  };
}

/**
 * In `nlb` mode ECS registers the mesh gateway's tasks in the Network Load Balancer's target group (target type
 * `ip`, as awsvpc tasks need) at the gateway's port. The NLB, its listener and the target group are made outside the
 * mesh (they are the stack's or the account's), and the gateway's WAN address is the NLB's DNS name.
 */
function meshGatewayLoadBalancers(spec: MeshSpec, role: string): Pick<CreateServiceCommandInput, 'loadBalancers'> {
  const wan = spec.meshGateway?.wan;
  if (role !== 'mesh-gateway' || wan?.mode !== 'nlb' || !wan.targetGroupArn) return {};
  return { loadBalancers: [{ targetGroupArn: wan.targetGroupArn, containerName: DATAPLANE_CONTAINER, containerPort: wan.port }] };
}

function serviceTags(spec: MeshSpec, target: ResolvedTarget): Record<string, string> {
  if (target.role === 'server') return { [TAG.serverJoin]: spec.name };
  return { [TAG.service]: target.serviceName };
}

/**
 * Mesh services and the gateway roll as the spec says. Servers roll one task at a time whatever the spec says,
 * so a Raft quorum is never lost: at most one extra server (maximumPercent rounds down in ECS) and none below
 * the count. A single server is replaced stop-then-start: a second fresh server with `bootstrap_expect = 1`
 * could elect itself next to the old one.
 */
function deploymentConfiguration(spec: MeshSpec, target: ResolvedTarget): DeploymentConfiguration {
  const circuitBreaker = { enable: spec.rollout.circuitBreaker.enable, rollback: spec.rollout.circuitBreaker.rollback };
  if (target.role === 'server') {
    const count = target.desiredCount;
    const percents = count === 1 ? { minimumHealthyPercent: 0, maximumPercent: 100 } : { minimumHealthyPercent: 100, maximumPercent: 100 + Math.ceil(100 / count) };
    return { ...percents, deploymentCircuitBreaker: circuitBreaker };
  }
  return {
    minimumHealthyPercent: spec.rollout.minimumHealthyPercent,
    maximumPercent: spec.rollout.maximumPercent,
    deploymentCircuitBreaker: circuitBreaker,
  };
}

/**
 * awsvpc tasks get their own ENI in private subnets (no public IP: traffic enters through the ingress gateway).
 * Host-mode tasks use the instance's network, and ECS rejects a network configuration for them.
 */
function networkConfiguration(spec: MeshSpec, ctx: ServiceContext): NetworkConfiguration | undefined {
  if (spec.network.mode !== 'awsvpc') return undefined;
  const subnets = spec.network.subnets.length > 0 ? spec.network.subnets : (ctx.subnets ?? []);
  if (subnets.length === 0) {
    throw new ConfigError('awsvpc network mode needs subnets: set network.subnets in the spec or the environment\'s default subnets');
  }
  const securityGroups = spec.network.securityGroups.length > 0 ? spec.network.securityGroups : (ctx.securityGroups ?? []);
  return {
    awsvpcConfiguration: {
      subnets: [...subnets],
      securityGroups: securityGroups.length > 0 ? [...securityGroups] : undefined,
      assignPublicIp: 'DISABLED',
    },
  };
}

/** In host mode two tasks of one service on an instance would clash on every port: one per instance. */
function placementConstraints(spec: MeshSpec): PlacementConstraint[] | undefined {
  return spec.network.mode === 'host' ? [{ type: 'distinctInstance' }] : undefined;
}
