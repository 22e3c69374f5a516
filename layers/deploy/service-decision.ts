import type { RegisterTaskDefinitionCommandInput, Service, TaskDefinition } from '@aws-sdk/client-ecs';
import type { MeshSpec } from '../domain/spec/schema';
import { buildServerTaskDefinition } from '../domain/ecs/server-task-definition';
import { buildServiceTaskDefinition } from '../domain/ecs/service-task-definition';
import { buildIngressTaskDefinition } from '../domain/ecs/ingress-task-definition';
import { buildMeshGatewayTaskDefinition } from '../domain/ecs/mesh-gateway-task-definition';
import { buildCreateService } from '../domain/ecs/service';
import { diffTaskDefinition, type TaskDefinitionDiff } from '../domain/ecs/diff-task-definition';
import { planService } from '../domain/ecs/plan-service';
import type { ServiceTarget } from '../domain/ecs/targets';
import type { ServiceContext, TaskDefinitionContext } from '../domain/ecs/context';

/** What a deployment does to one ECS service, decided from the spec and what ECS holds. */
export interface ServiceDecision {
  action: 'create' | 'update' | 'unchanged';
  /** planService's reasons; a task-definition change is listed as `task definition <field>: before → after`. */
  reasons: string[];
  /** Differences UpdateService cannot make (launch type, scheduling strategy). */
  immutableChanges: string[];
  /** The task definition the spec wants, and whether it differs from the latest ACTIVE revision (→ register one). */
  taskDefinition: RegisterTaskDefinitionCommandInput;
  taskDefinitionDiff: TaskDefinitionDiff;
}

export interface DecisionContext {
  /** With the resolved images and the configuration hashes (stage.ts `configHashes`). */
  taskContext: TaskDefinitionContext;
  serviceContext: Omit<ServiceContext, 'taskDefinition'>;
}

/** The task definition the spec wants for one target (servers, a mesh service, the gateway). */
export function buildTargetTaskDefinition(spec: MeshSpec, target: ServiceTarget, ctx: TaskDefinitionContext): RegisterTaskDefinitionCommandInput {
  if (target.role === 'server') return buildServerTaskDefinition(spec, ctx);
  if (target.role === 'ingress-gateway') return buildIngressTaskDefinition(spec, ctx);
  if (target.role === 'mesh-gateway') return buildMeshGatewayTaskDefinition(spec, ctx);
  return buildServiceTaskDefinition(spec, target.service, ctx);
}

/**
 * The one service decision of the orchestrator: the plan (computeChangeSet) and the stage that applies it
 * (ensureStage) both call this, so they cannot disagree. The whole task definition is compared with the latest
 * ACTIVE revision (diffTaskDefinition, including each container's configuration hash, so a configuration-only change
 * rolls the tasks); when it differs a new revision is due and the service is compared by family, otherwise against
 * that exact revision (planService: desired count, deployment configuration, network, launch type).
 *
 * @example decideService(spec, { role: 'service', service: 'users' }, ctx, { service, latest })
 */
export function decideService(
  spec: MeshSpec,
  target: ServiceTarget,
  ctx: DecisionContext,
  current: { service?: Service; latest?: TaskDefinition },
): ServiceDecision {
  const taskDefinition = buildTargetTaskDefinition(spec, target, ctx.taskContext);
  const latest = current.latest?.taskDefinitionArn ? current.latest : undefined;
  const taskDefinitionDiff = diffTaskDefinition(taskDefinition, latest);
  const reference = taskDefinitionDiff.changed || !latest ? (taskDefinition.family ?? '') : (latest.taskDefinitionArn ?? '');
  const desired = buildCreateService(spec, target, { ...ctx.serviceContext, taskDefinition: reference });
  const service = current.service && current.service.status !== 'INACTIVE' ? current.service : undefined;
  const plan = planService(desired, service, { taskDefinitionDiff });
  return { action: plan.action, reasons: plan.reasons, immutableChanges: plan.immutableChanges, taskDefinition, taskDefinitionDiff };
}
