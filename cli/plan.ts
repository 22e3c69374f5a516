import type { ContainerDefinition, DeploymentConfiguration, Service } from '@aws-sdk/client-ecs';
import type { EcsApi } from '../layers/adapters/ecs';
import { planImages, type ImageJob } from '../layers/deploy/images';
import type { ServiceChange } from '../layers/deploy/types';
import { show } from '../layers/domain/ecs/diff-task-definition';
import { stableStringify } from '../layers/domain/ecs/hash';
import { appContainerName, DATAPLANE_CONTAINER, IMAGE_KEY, SERVER_CONTAINER } from '../layers/domain/ecs/containers';
import { buildCreateService } from '../layers/domain/ecs/service';
import { deployStages, resolveTarget, type ResolvedTarget, type ServiceTarget } from '../layers/domain/ecs/targets';
import type { MeshSpec } from '../layers/domain/spec/schema';

/** The ECS calls the plan makes: all read only (DescribeClusters, DescribeServices, DescribeTaskDefinition). */
export interface PlanClients {
  ecs: Pick<EcsApi, 'describeClusters' | 'describeServices' | 'describeTaskDefinition'>;
}

/**
 * buildCreateService insists on subnets in awsvpc mode (CreateService would fail without them). The plan only
 * reads the desired count and deployment configuration from it, which do not depend on them, so when ECS has
 * no service to take the subnets from, a stand-in satisfies the builder.
 */
const STAND_IN_SUBNETS = ['subnet-00000000'];

/** The image a target's main container should run: an exact reference, or an ECR repository and content tag. */
type WantedImage = { kind: 'exact'; image: string } | { kind: 'ecr'; repository: string; tag: string };

/**
 * What a deployment of `spec` would do to each ECS service (the Consul servers, the mesh services, the ingress
 * gateway), in deployment order, without changing anything:
 * - `create` when the cluster or the service does not exist (or the service is not ACTIVE);
 * - `update` when the desired count, the deployment configuration (minimum healthy / maximum percent, circuit
 *   breaker) or an image of the service's current task definition (its main container, and the dataplane sidecar)
 *   differs from the spec — a built image is expected in the ECR repository `<mesh>/<name>` with the tag
 *   `ctx-<32 hex of the context hash>-<arm64|amd64>`; or the CPU architecture of its task definition differs;
 * - `unchanged` otherwise.
 * The spec's build contexts must carry their content hashes (see spec-input.ts).
 */
export async function planChanges(spec: MeshSpec, clients: PlanClients): Promise<ServiceChange[]> {
  const targets = deployStages(spec)
    .flat()
    .map((target) => ({ target, resolved: resolveTarget(spec, target) }));
  const activeClusters = await describeActiveClusters(unique(targets.map((t) => t.resolved.cluster)), clients);
  const services = new Map<string, Service>();
  for (const cluster of activeClusters) {
    const names = targets.filter((t) => t.resolved.cluster === cluster).map((t) => t.resolved.serviceName);
    for (const service of await describeServices(cluster, names, clients)) services.set(`${cluster}/${service.serviceName}`, service);
  }

  const jobs = new Map(planImages(spec).map((job) => [job.name, job]));

  const changes: ServiceChange[] = [];
  for (const { target, resolved } of targets) {
    const base = { cluster: resolved.cluster, service: resolved.serviceName, role: resolved.role, desiredCount: resolved.desiredCount };
    if (!activeClusters.has(resolved.cluster)) {
      changes.push({ ...base, action: 'create', reasons: [`cluster ${resolved.cluster} does not exist`] });
      continue;
    }
    const current = services.get(`${resolved.cluster}/${resolved.serviceName}`);
    if (!current || current.status !== 'ACTIVE') {
      changes.push({ ...base, action: 'create', reasons: [current ? `service is ${current.status}` : 'service does not exist'] });
      continue;
    }
    const reasons = [
      ...compareService(spec, target, current),
      ...(await compareImages(current, wantedImages(spec, resolved, jobs), spec.network.cpuArchitecture, clients)),
    ];
    changes.push({ ...base, action: reasons.length > 0 ? 'update' : 'unchanged', reasons });
  }
  return changes;
}

async function describeActiveClusters(names: string[], clients: PlanClients): Promise<Set<string>> {
  const active = new Set<string>();
  // Unknown clusters come back in `failures` (reason MISSING), not as an error.
  for (const c of await clients.ecs.describeClusters(names)) if (c.status === 'ACTIVE' && c.clusterName) active.add(c.clusterName);
  return active;
}

async function describeServices(cluster: string, names: string[], clients: PlanClients): Promise<Service[]> {
  const byName = new Map<string, Service>();
  // Unknown services come back in `failures` (reason MISSING). A deleted service stays describable as
  // INACTIVE for a while, next to a new ACTIVE one of the same name: the ACTIVE one wins.
  for (const s of await clients.ecs.describeServices(cluster, names)) {
    const name = s.serviceName ?? '';
    if (!byName.has(name) || s.status === 'ACTIVE') byName.set(name, s);
  }
  return [...byName.values()];
}

/** Desired count and deployment configuration, the way the deploy step would set them (buildCreateService). */
function compareService(spec: MeshSpec, target: ServiceTarget, current: Service): string[] {
  const subnets = current.networkConfiguration?.awsvpcConfiguration?.subnets;
  const desired = buildCreateService(spec, target, { subnets: subnets && subnets.length > 0 ? subnets : STAND_IN_SUBNETS });
  const reasons: string[] = [];
  if (desired.desiredCount !== current.desiredCount) reasons.push(`desiredCount: ${show(current.desiredCount)} → ${show(desired.desiredCount)}`);
  const want = deploymentFields(desired.deploymentConfiguration);
  const have = deploymentFields(current.deploymentConfiguration);
  for (const key of Object.keys(want) as Array<keyof typeof want>) {
    if (stableStringify(want[key] ?? null) !== stableStringify(have[key] ?? null)) reasons.push(`deploymentConfiguration.${key}: ${show(have[key])} → ${show(want[key])}`);
  }
  return reasons;
}

function deploymentFields(config: DeploymentConfiguration | undefined) {
  const breaker = config?.deploymentCircuitBreaker;
  return {
    minimumHealthyPercent: config?.minimumHealthyPercent,
    maximumPercent: config?.maximumPercent,
    deploymentCircuitBreaker: breaker ? { enable: breaker.enable, rollback: breaker.rollback } : undefined,
  };
}

/**
 * The images of the service's current task definition against the ones the spec asks for, container by container,
 * and its CPU architecture against the spec's. A revision without runtimePlatform runs X86_64 (Fargate's default).
 */
async function compareImages(
  current: Service,
  wanted: Array<{ container: string; image: WantedImage }>,
  architecture: MeshSpec['network']['cpuArchitecture'],
  clients: PlanClients,
): Promise<string[]> {
  if (!current.taskDefinition) return ['the service has no task definition'];
  let containers: ContainerDefinition[];
  const reasons: string[] = [];
  try {
    const { taskDefinition } = await clients.ecs.describeTaskDefinition(current.taskDefinition);
    containers = taskDefinition?.containerDefinitions ?? [];
    const running = taskDefinition?.runtimePlatform?.cpuArchitecture ?? 'X86_64';
    if (running !== architecture) reasons.push(`runtimePlatform.cpuArchitecture: ${running} → ${architecture}`);
  } catch (error) {
    // ECS answers ClientException for a task definition it cannot find.
    if ((error as Error).name !== 'ClientException') throw error;
    return [`task definition ${current.taskDefinition} cannot be described: ${(error as Error).message}`];
  }
  for (const { container: name, image } of wanted) {
    const container = containers.find((c) => c.name === name);
    if (!container) {
      reasons.push(`task definition ${current.taskDefinition} has no container ${name}`);
      continue;
    }
    const have = container.image ?? '';
    if (!matches(have, image)) reasons.push(`image of ${name}: ${have || '(none)'} → ${image.kind === 'exact' ? image.image : `${image.repository}:${image.tag}`}`);
  }
  return reasons;
}

/**
 * A built image lives at `<account>.dkr.ecr.<region>.amazonaws.com/<mesh>/<service>:<tag>`; the registry host
 * is the environment's, so the repository and tag are what must match.
 */
function matches(image: string, wanted: WantedImage): boolean {
  if (wanted.kind === 'exact') return image === wanted.image;
  const ref = `${wanted.repository}:${wanted.tag}`;
  return image === ref || image.endsWith(`/${ref}`);
}

/**
 * The containers whose images the spec decides, per ECS service: the server container; a mesh service's app
 * container and its consul-dataplane sidecar; the gateway's consul-dataplane, which runs the gateway's own image
 * if the spec names one, else the dataplane image.
 */
function wantedImages(spec: MeshSpec, target: ResolvedTarget, jobs: Map<string, ImageJob>): Array<{ container: string; image: WantedImage }> {
  const wanted: Array<{ container: string; image: WantedImage }> = [];
  const add = (container: string, image: WantedImage | undefined) => {
    if (image) wanted.push({ container, image });
  };
  const dataplane = toWanted(jobs.get(IMAGE_KEY.dataplane));
  if (target.role === 'server') add(SERVER_CONTAINER, toWanted(jobs.get(IMAGE_KEY.server)));
  if (target.role === 'service') {
    add(appContainerName(target.serviceName), toWanted(jobs.get(target.serviceName)));
    add(DATAPLANE_CONTAINER, dataplane);
  }
  if (target.role === 'ingress-gateway') add(DATAPLANE_CONTAINER, spec.ingress?.image ? { kind: 'exact', image: spec.ingress.image } : dataplane);
  return wanted;
}

function toWanted(job: ImageJob | undefined): WantedImage | undefined {
  if (job?.repository && job.tag) return { kind: 'ecr', repository: job.repository, tag: job.tag };
  if (job?.image) return { kind: 'exact', image: job.image };
  return undefined;
}

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}
