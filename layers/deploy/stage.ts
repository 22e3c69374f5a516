import { createHash } from 'node:crypto';
import type { Service, Task, TaskDefinition } from '@aws-sdk/client-ecs';
import type { MeshSpec } from '../domain/spec/schema';
import { buildCluster } from '../domain/ecs/cluster';
import { buildCreateService, buildUpdateService } from '../domain/ecs/service';
import { decideService } from './service-decision';
import { resolveTarget, type ServiceTarget } from '../domain/ecs/targets';
import type { ServiceContext, TaskDefinitionContext } from '../domain/ecs/context';
import { configParameterNames, instanceId, taskIdFromArn } from '../domain/naming';
import { IMAGE_KEY } from '../domain/ecs/containers';
import { renderedConfiguration } from './config-store';
import type { CatalogServiceEntry, ConsulApi } from '../adapters/consul';
import type { EcsApi } from '../adapters/ecs';
import { ConsulUnavailableError, DeploymentFailedError } from '../errors';
import type { ChangeAction, StageStatus } from './types';

export type EcsStage = StageStatus['stage'];

/** The ECS services of a stage: the servers, the mesh gateway, the services of one cluster, or the ingress gateway. */
export function stageTargets(spec: MeshSpec, stage: EcsStage, cluster?: string): ServiceTarget[] {
  if (stage === 'servers') return [{ role: 'server' }];
  if (stage === 'ingress') return [{ role: 'ingress-gateway' }];
  if (stage === 'mesh-gateway') return [{ role: 'mesh-gateway' }];
  const found = spec.clusters.find((c) => c.name === cluster);
  if (!found) throw new DeploymentFailedError(`the spec has no service cluster "${cluster}"`);
  return found.services.map((s) => ({ role: 'service', service: s.name }));
}

/** The ECS calls the ensure step makes. */
export type EnsureEcs = Pick<EcsApi, 'describeClusters' | 'createCluster' | 'describeTaskDefinition' | 'registerTaskDefinition' | 'describeServices' | 'createService' | 'updateService'>;

export interface EnsureDeps {
  ecs: EnsureEcs;
  taskContext: Omit<TaskDefinitionContext, 'images'>;
  serviceContext: Omit<ServiceContext, 'taskDefinition'>;
}

/**
 * Brings a stage's cluster, task definitions and services to the spec. Idempotent: what already matches is only
 * read (DescribeClusters, DescribeTaskDefinition, DescribeServices), so re-running an unchanged spec makes no
 * write call; a changed service gets a new task-definition revision and a rolling UpdateService.
 */
export async function ensureStage(
  spec: MeshSpec,
  stage: EcsStage,
  images: Record<string, string>,
  deps: EnsureDeps,
  cluster?: string,
): Promise<StageStatus> {
  const targets = stageTargets(spec, stage, cluster);
  const clusterName = resolveTarget(spec, targets[0]).cluster;
  await ensureCluster(spec, clusterName, deps.ecs);
  const ctx: TaskDefinitionContext = { ...deps.taskContext, images, configHashes: configHashes(spec) };
  const services: StageStatus['services'] = [];
  for (const target of targets) {
    const resolved = resolveTarget(spec, target);
    const { action, taskDefinitionArn, runningCount, pendingCount } = await ensureService(spec, target, ctx, deps);
    services.push({ name: resolved.serviceName, action, taskDefinitionArn, desiredCount: resolved.desiredCount, runningCount, pendingCount });
  }
  const wan = spec.meshGateway?.wan;
  const expected =
    stage === 'servers'
      ? { expectedPeers: spec.consul.servers.count }
      : stage === 'mesh-gateway' && wan
        ? { expectedWan: { port: wan.port, ...(wan.mode === 'nlb' && wan.address ? { address: wan.address } : {}) } }
        : {};
  return { stage, cluster: clusterName, ready: false, round: 0, waitingFor: 'ECS to start the tasks', services, ...expected };
}

/**
 * A hash of each container's rendered configuration (the server's consul.hcl, each dataplane's JSON), carried in
 * the task definition: a configuration-only change is then a task-definition change, and ECS replaces the tasks,
 * which read their configuration from SSM only when they start.
 */
export function configHashes(spec: MeshSpec): Record<string, string> {
  const names = configParameterNames(spec);
  const files = renderedConfiguration(spec);
  const hash = (parameter: string) => createHash('sha256').update(files.get(parameter) ?? '').digest('hex').slice(0, 16);
  const hashes: Record<string, string> = { [IMAGE_KEY.server]: hash(names.serverHcl) };
  for (const cluster of spec.clusters) for (const service of cluster.services) hashes[service.name] = hash(names.dataplane(service.name));
  if (spec.ingress) hashes[spec.ingress.name] = hash(names.dataplane(spec.ingress.name));
  if (spec.meshGateway) hashes[spec.meshGateway.name] = hash(names.dataplane(spec.meshGateway.name));
  return hashes;
}

async function ensureCluster(spec: MeshSpec, name: string, ecs: EnsureEcs): Promise<void> {
  const clusters = await ecs.describeClusters([name]);
  if (clusters.some((c) => c.status === 'ACTIVE')) return;
  await ecs.createCluster(buildCluster(spec, name));
}

/** The latest ACTIVE revision of a family, or undefined when it has none. */
async function latestRevision(family: string, ecs: EnsureEcs): Promise<TaskDefinition | undefined> {
  try {
    return (await ecs.describeTaskDefinition(family)).taskDefinition;
  } catch (error) {
    // ECS answers ClientException "Unable to describe task definition." for a family with no ACTIVE revision.
    if ((error as Error).name !== 'ClientException') throw error;
    return undefined;
  }
}

/**
 * Creates or updates one ECS service, or leaves it alone, as `decideService` decides — the same decision the plan's
 * change set reports. A new task-definition revision is registered only when the latest ACTIVE one differs from
 * what the spec wants. Returns what it did and the counts DescribeServices reported before (0 for a new service),
 * so an unchanged service whose tasks already run is not shown as 0 running.
 */
async function ensureService(
  spec: MeshSpec,
  target: ServiceTarget,
  taskContext: TaskDefinitionContext,
  deps: EnsureDeps,
): Promise<{ action: ChangeAction; taskDefinitionArn: string; runningCount: number; pendingCount: number }> {
  const resolved = resolveTarget(spec, target);
  const latest = await latestRevision(resolved.family, deps.ecs);
  const services = await deps.ecs.describeServices(resolved.cluster, [resolved.serviceName]);
  const current = services.find((s) => s.status !== 'INACTIVE');
  const decision = decideService(spec, target, { taskContext, serviceContext: deps.serviceContext }, { service: current, latest });
  const counts = { runningCount: current?.runningCount ?? 0, pendingCount: current?.pendingCount ?? 0 };
  let taskDefinitionArn = latest?.taskDefinitionArn ?? '';
  if (decision.action === 'unchanged') return { action: 'unchanged', taskDefinitionArn, ...counts };
  if (decision.immutableChanges.length > 0) {
    // The Plan step refuses such a spec before anything is written; this guards a state that changed since.
    throw new DeploymentFailedError(
      `service ${resolved.serviceName} needs changes UpdateService cannot make (${decision.immutableChanges.join('; ')}): delete the service or revert the spec`,
    );
  }
  if (decision.taskDefinitionDiff.changed) {
    const registered = await deps.ecs.registerTaskDefinition(decision.taskDefinition);
    if (!registered?.taskDefinitionArn) throw new DeploymentFailedError(`ECS registered no task definition for ${decision.taskDefinition.family}`);
    taskDefinitionArn = registered.taskDefinitionArn;
  }
  const ctx: ServiceContext = { ...deps.serviceContext, taskDefinition: taskDefinitionArn };
  if (decision.action === 'create') {
    await deps.ecs.createService(buildCreateService(spec, target, ctx));
    return { action: 'create', taskDefinitionArn, runningCount: 0, pendingCount: 0 };
  }
  await deps.ecs.updateService(buildUpdateService(spec, target, ctx));
  return { action: 'update', taskDefinitionArn, ...counts };
}

/** The ECS calls a stage check makes (and the stopped reason of a failed deployment). */
export type CheckEcs = Pick<EcsApi, 'describeServices' | 'listTaskArns' | 'describeTasks'>;

export interface CheckDeps {
  ecs: CheckEcs;
  consul: ConsulApi;
}

/**
 * Whether a mesh gateway's registration carries the spec's WAN address. A task registered while the event handlers
 * still held the previous spec (they cache it for a few seconds) carries the previous `wan` until its next event or
 * the reconcile rewrites it; the peering stage that follows compares the stored token with these addresses (a token
 * names them, peering.ts), so the stage waits for the new ones. No expectation (other stages): true.
 */
function carriesWan(service: CatalogServiceEntry, expected: StageStatus['expectedWan']): boolean {
  if (!expected) return true;
  const wan = service.TaggedAddresses?.wan;
  return wan?.Address === (expected.address ?? service.Address) && wan.Port === expected.port;
}

/**
 * One round of a stage's wait loop: are its ECS services stable (one deployment, runningCount == desiredCount,
 * DESIGN.md section 7) and does Consul confirm them (servers: a leader and the expected peers; services and the
 * gateway: every running task registered and passing)? A failed ECS deployment (circuit breaker) throws
 * `DeploymentFailed` with the stopped reason of its tasks; everything else answers "not ready yet".
 */
export async function checkStage(previous: StageStatus, deps: CheckDeps): Promise<StageStatus> {
  const round = previous.round + 1;
  const names = previous.services.map((s) => s.name);
  // Any number of services: the adapter asks ECS for 10 at a time (DescribeServices' limit).
  const services = await deps.ecs.describeServices(previous.cluster, names);
  // A deleted service can still be described as INACTIVE next to the ACTIVE one of the same name.
  const byName = new Map(services.filter((s) => s.status !== 'INACTIVE').map((s) => [s.serviceName, s]));
  const status: StageStatus = { ...previous, round, ready: false, services: [] };
  const unstable: string[] = [];
  for (const entry of previous.services) {
    const service = byName.get(entry.name);
    if (!service) throw new DeploymentFailedError(`service ${entry.name} of cluster ${previous.cluster} disappeared`);
    await failIfDeploymentFailed(service, previous.cluster, deps.ecs);
    const primary = service.deployments?.find((d) => d.status === 'PRIMARY');
    status.services.push({
      ...entry,
      desiredCount: service.desiredCount ?? 0,
      runningCount: service.runningCount ?? 0,
      pendingCount: service.pendingCount ?? 0,
      rolloutState: primary?.rolloutState,
    });
    const stable = (service.deployments?.length ?? 0) === 1 && service.runningCount === service.desiredCount;
    if (!stable) unstable.push(`${entry.name} (${service.runningCount ?? 0}/${service.desiredCount ?? 0} running, ${service.deployments?.length ?? 0} deployments)`);
  }
  if (unstable.length > 0) return { ...status, waitingFor: `ECS services to become stable: ${unstable.join(', ')}` };

  try {
    if (previous.stage === 'servers') {
      const [leader, peers] = await Promise.all([deps.consul.leader(), deps.consul.peers()]);
      status.consul = { leader, peers };
      const expected = previous.expectedPeers ?? 0;
      if (!leader) return { ...status, waitingFor: 'Consul to elect a leader' };
      if (peers.length !== expected) return { ...status, waitingFor: `Consul peers: ${peers.length} of ${expected}` };
      return { ...status, ready: true, waitingFor: '' };
    }
    const missing: string[] = [];
    for (const entry of status.services) {
      const taskIds = await runningTaskIds(previous.cluster, entry.name, deps.ecs);
      const health = await deps.consul.healthService(entry.name);
      const passing = new Set(health.filter((h) => h.Checks.every((c) => c.Status === 'passing') && carriesWan(h.Service, previous.expectedWan)).map((h) => h.Service.ID));
      const registered = taskIds.filter((id) => passing.has(instanceId(entry.name, id))).length;
      entry.registeredPassing = registered;
      const wan = previous.expectedWan ? ` with WAN address ${previous.expectedWan.address ?? "the task's own"}:${previous.expectedWan.port}` : '';
      if (registered < taskIds.length || taskIds.length < entry.desiredCount) missing.push(`${entry.name} (${registered}/${entry.desiredCount} passing in Consul${wan})`);
    }
    if (missing.length > 0) return { ...status, waitingFor: `Consul registrations: ${missing.join(', ')}` };
    return { ...status, ready: true, waitingFor: '' };
  } catch (error) {
    // Consul may not answer yet while its servers start: that is waiting, not failing. ACL denials still throw.
    if (error instanceof ConsulUnavailableError) return { ...status, waitingFor: `Consul to answer (${error.message})` };
    throw error;
  }
}

async function runningTaskIds(cluster: string, serviceName: string, ecs: CheckEcs): Promise<string[]> {
  return (await ecs.listTaskArns({ cluster, serviceName, desiredStatus: 'RUNNING' })).map(taskIdFromArn);
}

/** A deployment the circuit breaker failed ends the stage, with ECS's own words and a stopped task's reason. */
async function failIfDeploymentFailed(service: Service, cluster: string, ecs: StoppedReasonEcs): Promise<void> {
  const failed = service.deployments?.find((d) => d.rolloutState === 'FAILED');
  if (!failed) return;
  const reason = await lastStoppedReason(cluster, service.serviceName ?? '', ecs);
  const event = service.events?.[0]?.message;
  throw new DeploymentFailedError(
    `service ${service.serviceName} in ${cluster}: deployment ${failed.id ?? ''} failed${failed.rolloutStateReason ? ` (${failed.rolloutStateReason})` : ''}` +
      `${reason ? `; task stopped: ${reason}` : ''}${event ? `; ECS: ${event}` : ''}`,
  );
}

export type StoppedReasonEcs = Pick<EcsApi, 'listTaskArns' | 'describeTasks'>;

/** The stoppedReason of the most recently stopped task of a service, if ECS still remembers one. */
export async function lastStoppedReason(cluster: string, serviceName: string, ecs: StoppedReasonEcs): Promise<string | undefined> {
  const taskArns = await ecs.listTaskArns({ cluster, serviceName, desiredStatus: 'STOPPED' }, { limit: 10 });
  if (taskArns.length === 0) return undefined;
  const tasks = await ecs.describeTasks(cluster, taskArns);
  const newestFirst = tasks
    .filter((t): t is Task & { stoppedAt: Date } => t.stoppedAt instanceof Date)
    .sort((a, b) => b.stoppedAt.getTime() - a.stoppedAt.getTime());
  // A task the scheduler or a user stopped (a rollback drains the failed deployment's healthy tasks too) says
  // nothing about why the deployment failed: the newest task that failed on its own does.
  const failed = newestFirst.find((t) => t.stopCode !== 'ServiceSchedulerInitiated' && t.stopCode !== 'UserInitiated');
  const task = failed ?? newestFirst[0] ?? tasks[0];
  if (!task) return undefined;
  const exit = task.containers?.find((c) => c.exitCode !== undefined && c.exitCode !== 0);
  return [task.stopCode, task.stoppedReason, exit ? `container ${exit.name} exited with code ${exit.exitCode}` : undefined].filter(Boolean).join(': ');
}
