import type { EcsApi } from '../adapters/ecs';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { GetParametersByPathCommand } from '@aws-sdk/client-ssm';
import { validateMeshSpec } from '../domain/spec/load';
import type { MeshSpec } from '../domain/spec/schema';
import { configParameterNames, SERVER_SERVICE_NAME } from '../domain/naming';
import { specHash } from '../domain/ecs/hash';
import { resolveTarget, deployStages } from '../domain/ecs/targets';
import { ConcurrentOperationError, SpecInvalidError } from '../errors';
import { meshParameterPrefix } from '../domain/naming';
import { acquireLock, lockState, releaseLock, type HolderStatus, type LockDeps, type LockValue } from './lock';
import { planImages } from './images';
import { stackFitIssues, type StackLimits } from './stack-fit';
import type { DeploymentPlan, ServiceChange } from './types';

export interface PlanInput {
  deploymentId: string;
  spec: unknown;
  executionId: string;
  settings?: { pollSeconds?: number; maxRounds?: number };
}

/**
 * The first step of a deployment: validate the spec (nothing starts for an invalid one), take the mesh's lock
 * (one deployment per mesh at a time), and describe what the deployment will touch, in stage order.
 */
export async function planDeployment(
  input: PlanInput,
  deps: {
    ecs: Pick<EcsApi, 'describeServices'>;
    ssm: Pick<SSMClient, 'send'>;
    defaults: { pollSeconds: number; maxRounds: number };
    /** Whether a lock's holder still runs; a lock of an ended execution is taken over at once. */
    holders?: HolderStatus;
    onTakeover?: LockDeps['onTakeover'];
    /** The stack's region and secrets path (stack-fit.ts). */
    limits?: StackLimits;
  },
): Promise<DeploymentPlan> {
  const result = validateMeshSpec({ object: input.spec });
  if (!result.ok) throw new SpecInvalidError(result.issues);
  const spec = result.spec;
  // Before the lock and any write: a spec this stack cannot run (another region, secrets its tasks cannot read).
  const misfits = stackFitIssues(spec, deps.limits ?? {});
  if (misfits.length > 0) throw new SpecInvalidError(misfits);
  const images = planImages(spec);
  const lockName = configParameterNames(spec).lock;
  await acquireLock(lockName, input.executionId, { ssm: deps.ssm, holders: deps.holders, onTakeover: deps.onTakeover });
  // A rollout of one of the mesh's services changes what this deployment would change: wait for it to end.
  // (The rollout checks the mesh lock the same way, so each refuses while the other runs.)
  const rollouts = await runningRollouts(spec, { ssm: deps.ssm, holders: deps.holders });
  if (rollouts.length > 0) {
    await releaseLock(lockName, input.executionId, { ssm: deps.ssm });
    throw new ConcurrentOperationError(`a rollout of ${rollouts.join(', ')} is running in mesh "${spec.name}": deploy once it has ended`);
  }
  const changes = await previewChanges(spec, deps.ecs);
  return {
    mesh: spec.name,
    deploymentId: input.deploymentId,
    specHash: specHash(spec),
    images,
    serverCluster: { cluster: spec.consul.servers.cluster, services: [SERVER_SERVICE_NAME] },
    serviceClusters: spec.clusters.map((c) => ({ cluster: c.name, services: c.services.map((s) => s.name) })),
    ingressCluster: spec.ingress ? { cluster: spec.ingress.cluster, services: [spec.ingress.name] } : null,
    hasIngress: spec.ingress !== undefined,
    changes,
    pollSeconds: input.settings?.pollSeconds ?? deps.defaults.pollSeconds,
    maxRounds: input.settings?.maxRounds ?? deps.defaults.maxRounds,
    lockName,
    lockHolder: input.executionId,
  };
}

/** Services whose rollout lock (`/consul-mesh/<mesh>/rollouts/<service>/lock`) is live: held by a running rollout. */
export async function runningRollouts(spec: Pick<MeshSpec, 'name'>, deps: Pick<LockDeps, 'ssm' | 'holders'>, now = Date.now()): Promise<string[]> {
  const { ssm } = deps;
  const path = `${meshParameterPrefix(spec)}/rollouts`;
  const services: string[] = [];
  let NextToken: string | undefined;
  do {
    const page = await ssm.send(new GetParametersByPathCommand({ Path: path, Recursive: true, NextToken }));
    for (const parameter of page.Parameters ?? []) {
      if (!parameter.Name?.endsWith('/lock') || !parameter.Value) continue;
      let lock: LockValue;
      try {
        lock = JSON.parse(parameter.Value) as LockValue;
      } catch {
        continue; // Not a lock we wrote: ignore it rather than block every deployment.
      }
      if ((await lockState(lock, deps, now)) === 'live') services.push(parameter.Name.slice(path.length + 1, -'/lock'.length));
    }
    NextToken = page.NextToken;
  } while (NextToken);
  return services;
}

/**
 * Which services exist and at what size (read only). The exact create/update/unchanged decision, which needs the
 * resolved images, is made by each stage's ensure step and reported in its status.
 */
async function previewChanges(spec: MeshSpec, ecs: Pick<EcsApi, 'describeServices'>): Promise<ServiceChange[]> {
  const targets = deployStages(spec).flat().map((t) => ({ target: t, resolved: resolveTarget(spec, t) }));
  const byCluster = new Map<string, typeof targets>();
  for (const t of targets) byCluster.set(t.resolved.cluster, [...(byCluster.get(t.resolved.cluster) ?? []), t]);
  const changes: ServiceChange[] = [];
  for (const [cluster, list] of byCluster) {
    let existing = new Map<string, { desiredCount?: number; status?: string }>();
    try {
      const services = await ecs.describeServices(cluster, list.map((t) => t.resolved.serviceName));
      for (const s of services) if (s.status !== 'INACTIVE') existing.set(s.serviceName ?? '', s);
    } catch (error) {
      if ((error as Error).name !== 'ClusterNotFoundException') throw error;
      existing = new Map();
    }
    for (const { resolved } of list) {
      const found = existing.get(resolved.serviceName);
      const reasons = !found
        ? ['does not exist']
        : found.desiredCount !== resolved.desiredCount
          ? [`desiredCount ${found.desiredCount} → ${resolved.desiredCount}`]
          : [];
      changes.push({
        cluster,
        service: resolved.serviceName,
        role: resolved.role,
        action: !found ? 'create' : reasons.length ? 'update' : 'unchanged',
        reasons,
        desiredCount: resolved.desiredCount,
      });
    }
  }
  return changes;
}
