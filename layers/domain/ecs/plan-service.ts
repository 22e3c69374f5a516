import type { CreateServiceCommandInput, Service } from '@aws-sdk/client-ecs';
import { show, type TaskDefinitionDiff } from './diff-task-definition';
import { stableStringify } from './hash';
import { parseTaskDefinitionRef } from '../naming';

/** What the deploy step will do to one ECS service, and why. */
export interface ServicePlan {
  action: 'create' | 'update' | 'unchanged';
  reasons: string[];
  /**
   * Differences UpdateService cannot apply (launch type, scheduling strategy). They count as reasons for
   * 'update', but the deploy step must stop (or recreate the service) rather than call UpdateService.
   */
  immutableChanges: string[];
}

/**
 * Plans one ECS service: 'create' when ECS has no ACTIVE service of that name, 'update' when a field the
 * orchestrator owns differs (or the task definition needs a new revision), 'unchanged' otherwise.
 *
 * `desired.taskDefinition` may be an ARN or `family:revision` (compared exactly) or a bare family (then only the
 * family is compared, and `taskDefinitionDiff` — from diffTaskDefinition — says whether a revision is due).
 * Tags are not compared: UpdateService does not change them.
 *
 * @example planService(buildCreateService(spec, { role: 'service', service: 'users' }), described.services?.[0])
 */
export function planService(desired: CreateServiceCommandInput, current?: Service, options: { taskDefinitionDiff?: TaskDefinitionDiff } = {}): ServicePlan {
  const name = desired.serviceName ?? '(unnamed)';
  if (!current) return { action: 'create', reasons: [`service ${name} does not exist`], immutableChanges: [] };
  if (current.status !== undefined && current.status !== 'ACTIVE') {
    return { action: 'create', reasons: [`service ${name} is ${current.status}`], immutableChanges: [] };
  }

  const reasons: string[] = [];
  const immutableChanges: string[] = [];
  const differs = (field: string, want: unknown, have: unknown, list: string[] = reasons) => {
    if (stableStringify(want ?? null) !== stableStringify(have ?? null)) list.push(`${field}: ${show(have)} → ${show(want)}`);
  };

  const want = parseTaskDefinitionRef(desired.taskDefinition);
  const have = parseTaskDefinitionRef(current.taskDefinition);
  if (want.family !== have.family || (want.revision !== undefined && want.revision !== have.revision)) {
    reasons.push(`taskDefinition: ${show(current.taskDefinition)} → ${show(desired.taskDefinition)}`);
  } else if (options.taskDefinitionDiff?.changed) {
    reasons.push(...options.taskDefinitionDiff.reasons.map((r) => `task definition ${r}`));
  }

  differs('desiredCount', desired.desiredCount, current.desiredCount);
  const wantDeploy = desired.deploymentConfiguration;
  const haveDeploy = current.deploymentConfiguration;
  differs('deploymentConfiguration.minimumHealthyPercent', wantDeploy?.minimumHealthyPercent, haveDeploy?.minimumHealthyPercent);
  differs('deploymentConfiguration.maximumPercent', wantDeploy?.maximumPercent, haveDeploy?.maximumPercent);
  differs(
    'deploymentConfiguration.deploymentCircuitBreaker',
    pick(wantDeploy?.deploymentCircuitBreaker, ['enable', 'rollback']),
    pick(haveDeploy?.deploymentCircuitBreaker, ['enable', 'rollback']),
  );

  const wantNet = desired.networkConfiguration?.awsvpcConfiguration;
  const haveNet = current.networkConfiguration?.awsvpcConfiguration;
  differs('networkConfiguration.subnets', sorted(wantNet?.subnets), sorted(haveNet?.subnets));
  // Without security groups ECS applies the VPC's default one; only a spec that names some is compared.
  if (wantNet?.securityGroups) differs('networkConfiguration.securityGroups', sorted(wantNet.securityGroups), sorted(haveNet?.securityGroups));
  if (wantNet) differs('networkConfiguration.assignPublicIp', wantNet.assignPublicIp ?? 'DISABLED', haveNet?.assignPublicIp ?? 'DISABLED');
  differs('placementConstraints', desired.placementConstraints ?? [], current.placementConstraints ?? []);
  // The mesh gateway's NLB target group (`meshGateway.wan.mode: nlb`), added or removed by UpdateService.
  differs('loadBalancers', loadBalancers(desired.loadBalancers), loadBalancers(current.loadBalancers));
  differs('propagateTags', desired.propagateTags ?? 'NONE', current.propagateTags ?? 'NONE');
  differs('enableECSManagedTags', desired.enableECSManagedTags ?? false, current.enableECSManagedTags ?? false);

  differs('launchType', desired.launchType, current.launchType, immutableChanges);
  differs('schedulingStrategy', desired.schedulingStrategy ?? 'REPLICA', current.schedulingStrategy ?? 'REPLICA', immutableChanges);

  const all = [...reasons, ...immutableChanges];
  return { action: all.length > 0 ? 'update' : 'unchanged', reasons: all, immutableChanges };
}

/** The members the orchestrator sets, in a stable order (ECS echoes them, possibly with others left empty). */
function loadBalancers(values: CreateServiceCommandInput['loadBalancers']): Array<Record<string, unknown>> {
  return (values ?? [])
    .map((lb) => ({ targetGroupArn: lb.targetGroupArn, containerName: lb.containerName, containerPort: lb.containerPort }))
    .sort((a, b) => stableStringify(a).localeCompare(stableStringify(b)));
}

function sorted(values: string[] | undefined): string[] {
  return [...(values ?? [])].sort();
}

function pick<T extends object>(value: T | undefined, keys: Array<keyof T & string>): Record<string, unknown> | undefined {
  if (!value) return undefined;
  return Object.fromEntries(keys.filter((k) => value[k] !== undefined).map((k) => [k, value[k]]));
}
