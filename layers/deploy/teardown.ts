import * as z from 'zod';
import type { EcrApi } from '../adapters/ecr';
import type { SsmApi } from '../adapters/ssm';
import type { ConsulApi, PeeringStatus } from '../adapters/consul';
import { loadDeployedSpec } from '../churn/deployed-spec';
import { causeMessage } from '../executions/json';
import { configParameterNames, type MeshRole } from '../domain/naming';
import { DNS_LABEL, DNS_LABEL_HINT } from '../domain/spec/names';
import { validateSpecObject } from '../domain/spec/validate';
import type { MeshSpec } from '../domain/spec/schema';
import { ConcurrentOperationError, InvalidInputError, isConsulAclDenied, SpecInvalidError } from '../errors';
import { acquireLock, releaseLock, type HolderStatus, type LockDeps } from './lock';
import { markedPeers, MESH_META } from './peering';
import { rolloutRefusal, runningRollouts } from './plan';
import {
  deleteClusters,
  deleteConfigEntries,
  deleteMeshKv,
  deleteParameters,
  deleteRepositories,
  deleteServices,
  deregisterStoppedInstances,
  deregisterTaskDefinitions,
  drainStatus,
  findMeshResources,
  scaleToZero,
  type RemoveConsul,
  type RemoveEcs,
} from './remove';

/**
 * The teardown of a mesh (`meshctl destroy`, `DELETE /mesh`): the steps of the destroy state machine
 * (state-machines/destroy-mesh.asl.json), built on the removal primitives of ./remove.ts. The order is the
 * deployment's reversed: the ingress, the service clusters, then (while the Consul servers still run, since they
 * *are* Consul) the mesh's registrations, config entries and KV, then the servers, then the clusters, task
 * definitions and parameters; the secrets and the ECR images only on `purge`. Every step is idempotent, so a second
 * teardown finds nothing and says so.
 */

export const DESTROY_STAGES = ['ingress', 'services', 'servers'] as const;
export type DestroyStage = (typeof DESTROY_STAGES)[number];
const STAGE_ROLE = { ingress: 'ingress-gateway', services: 'service', servers: 'server' } as const;

const ServiceRefSchema = z.object({ cluster: z.string(), service: z.string(), role: z.enum(['server', 'service', 'ingress-gateway', 'mesh-gateway']) });

export const DestroyInputSchema = z.object({
  destroyId: z.string().regex(/^[A-Za-z0-9._-]{1,80}$/, 'must be letters, digits, . _ -'),
  mesh: z.string().regex(DNS_LABEL, `must be ${DNS_LABEL_HINT}`),
  purge: z.boolean().default(false),
  /** The mesh's spec, when the caller has one: its clusters are searched too (a mesh service in a cluster it did not create). */
  spec: z.unknown().optional(),
  settings: z.object({ pollSeconds: z.number().int().min(0).optional(), maxRounds: z.number().int().min(1).optional() }).optional(),
});
export type DestroyInput = z.input<typeof DestroyInputSchema>;

export const DestroyPlanSchema = z.object({
  mesh: z.string(),
  destroyId: z.string(),
  purge: z.boolean(),
  lockName: z.string(),
  lockHolder: z.string(),
  pollSeconds: z.number(),
  maxRounds: z.number(),
  stages: z.object({ ingress: z.array(ServiceRefSchema), services: z.array(ServiceRefSchema), servers: z.array(ServiceRefSchema) }),
  clusters: z.array(z.string()),
  families: z.array(z.string()),
});
export type DestroyPlan = z.output<typeof DestroyPlanSchema>;

export const StageRemovalSchema = z.object({
  stage: z.enum(DESTROY_STAGES),
  round: z.number(),
  done: z.boolean(),
  scaled: z.array(z.string()),
  deleted: z.array(z.string()),
  remaining: z.array(z.object({ id: z.string(), tasks: z.number() })),
});
export type StageRemoval = z.output<typeof StageRemovalSchema>;

export const ConsulRemovalSchema = z.object({
  skipped: z.string().optional(),
  registrations: z.array(z.string()),
  nodes: z.array(z.string()),
  stillRunning: z.array(z.string()),
  configEntries: z.array(z.string()),
  kv: z.array(z.string()),
  /** The cluster peerings deleted (the deployed spec's peers and the peerings marked as the mesh's). */
  peerings: z.array(z.string()).default([]),
});
export type ConsulRemoval = z.output<typeof ConsulRemovalSchema>;

export const CleanupSchema = z.object({
  round: z.number(),
  done: z.boolean(),
  clusters: z.array(z.string()),
  busyClusters: z.array(z.string()),
  taskDefinitions: z.array(z.string()),
  parameters: z.array(z.string()),
  keptParameters: z.array(z.string()),
  repositories: z.array(z.string()),
  keptRepositories: z.array(z.string()),
});
export type Cleanup = z.output<typeof CleanupSchema>;

function specOf(raw: unknown, mesh: string): MeshSpec | undefined {
  if (raw === undefined || raw === null) return undefined;
  const result = validateSpecObject(raw);
  if (!result.ok) throw new SpecInvalidError(result.issues);
  if (result.spec.name !== mesh) throw new InvalidInputError('the spec names another mesh', [{ path: 'spec.name', message: `must be "${mesh}", the mesh to destroy` }]);
  return result.spec;
}

export interface PrepareDestroyDeps {
  ecs: RemoveEcs;
  ssm: LockDeps['ssm'] & Pick<SsmApi, 'getParametersByPath'>;
  defaults: { pollSeconds: number; maxRounds: number };
  holders?: HolderStatus;
  onTakeover?: LockDeps['onTakeover'];
}

/**
 * The first step: take the mesh lock (the deployment's: a teardown is refused while a deployment runs, and a
 * deployment while a teardown runs, the refusal naming the holder), refuse while a rollout of one of the mesh's
 * services runs, and find what ECS holds of the mesh, by its tags.
 *
 * @throws ConcurrentOperationError naming the deployment, rollout or teardown that runs.
 */
export async function prepareDestroy(input: DestroyInput & { executionId: string }, deps: PrepareDestroyDeps): Promise<DestroyPlan> {
  const parsed = DestroyInputSchema.parse(input);
  const spec = specOf(parsed.spec, parsed.mesh);
  const lockName = configParameterNames({ name: parsed.mesh }).lock;
  await acquireLock(lockName, input.executionId, { ssm: deps.ssm, holders: deps.holders, onTakeover: deps.onTakeover });
  const rollouts = await runningRollouts({ name: parsed.mesh }, { ssm: deps.ssm, holders: deps.holders });
  if (rollouts.length > 0) {
    await releaseLock(lockName, input.executionId, { ssm: deps.ssm });
    throw new ConcurrentOperationError(rolloutRefusal(parsed.mesh, rollouts, 'destroy it once the rollout has ended'));
  }
  const hints = spec ? [spec.consul.servers.cluster, ...spec.clusters.map((c) => c.name), ...(spec.ingress ? [spec.ingress.cluster] : []), ...(spec.meshGateway ? [spec.meshGateway.cluster] : [])] : [];
  const found = await findMeshResources(deps.ecs, parsed.mesh, { clusters: hints });
  // The mesh gateway goes with the services that dial through it (after them in the list: removals run in order).
  const roleStage = (role: MeshRole): DestroyStage => (role === 'mesh-gateway' ? 'services' : (Object.keys(STAGE_ROLE) as DestroyStage[]).find((s) => STAGE_ROLE[s] === role) ?? 'services');
  const refs = (stage: DestroyStage) => found.services.filter((s) => roleStage(s.role) === stage).map(({ cluster, service, role }) => ({ cluster, service, role }));
  return {
    mesh: parsed.mesh,
    destroyId: parsed.destroyId,
    purge: parsed.purge,
    lockName,
    lockHolder: input.executionId,
    pollSeconds: parsed.settings?.pollSeconds ?? deps.defaults.pollSeconds,
    maxRounds: parsed.settings?.maxRounds ?? deps.defaults.maxRounds,
    stages: { ingress: refs('ingress'), services: refs('services'), servers: refs('servers') },
    clusters: [...new Set([...found.clusters, ...hints])],
    families: found.families,
  };
}

/**
 * One round of a stage's removal: scale its services to 0 (once; later rounds find them at 0), check whether their
 * tasks have stopped, and delete the services once they have. The state machine calls it again after a Wait until
 * `done`, at most `maxRounds` times. As ECS stops each task, the task-event handler deregisters it from Consul: a
 * registration goes when its task stops, never before.
 */
export async function removeStage(plan: DestroyPlan, stage: DestroyStage, previous: StageRemoval | undefined, deps: { ecs: RemoveEcs }): Promise<StageRemoval> {
  const refs = plan.stages[stage];
  const scaled = await scaleToZero(deps.ecs, plan.mesh, refs);
  const status = await drainStatus(deps.ecs, plan.mesh, refs);
  const deleted = status.drained ? await deleteServices(deps.ecs, plan.mesh, refs) : [];
  return {
    stage,
    round: (previous?.round ?? 0) + 1,
    done: status.drained,
    scaled: [...(previous?.scaled ?? []), ...scaled],
    deleted: [...(previous?.deleted ?? []), ...deleted],
    remaining: status.remaining,
  };
}

/**
 * The teardown's first step in Consul: the mesh's cluster peerings, deleted while its mesh gateways still run. The
 * peer learns of a deleted peering through the peering's stream, which runs through the gateways
 * (`PeerThroughMeshGateways`): deleted once they are gone, the peer's side stays FAILING for ever instead of becoming
 * TERMINATED. The peerings are the deployed spec's peers and every one Consul lists with this mesh's mark
 * (`meshPeerings`). Nothing to do when the servers are gone (Consul with them) or the mesh has no peering.
 */
export async function removeMeshPeerings(
  plan: DestroyPlan,
  rawSpec: unknown,
  deps: { consul: () => Promise<Pick<ConsulApi, 'deletePeering' | 'readPeering' | 'listPeerings'> & Parameters<typeof loadDeployedSpec>[0]>; pauseMs?: number },
): Promise<{ peerings: string[] }> {
  if (plan.stages.servers.length === 0) return { peerings: [] };
  const consul = await deps.consul();
  const spec = (await loadDeployedSpec(consul, plan.mesh, { maxAgeMs: 0 })) ?? specOf(rawSpec, plan.mesh);
  const { deleted, deleting } = await deletePeerings(consul, plan.mesh, spec);
  // A deleted peering is marked for deletion; Consul's leader tells the peer (Terminated, over the stream) and then
  // removes it. Wait until it is gone, so the next states do not stop the gateways before the peer was told (one
  // still DELETING from an earlier attempt of this step too). Bounded: a peer that cannot be told (its side down)
  // does not hold the teardown up, its side stays FAILING.
  const pauseMs = deps.pauseMs ?? 100;
  for (let round = 0; round < PEERING_GONE_ROUNDS; round += 1) {
    const left = [];
    for (const name of new Set([...deleted, ...deleting])) if (await consul.readPeering(name)) left.push(name);
    if (left.length === 0) break;
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
  return { peerings: deleted };
}

/** At most 10 s (100 rounds of 100 ms) of waiting for deleted peerings to be gone. */
const PEERING_GONE_ROUNDS = 100;

/**
 * The peerings a teardown deletes: the deployed spec's peers, and every peering `GET /v1/peerings` lists with this
 * mesh's mark (`Meta` `consul-mesh:mesh`, peering.ts's peeringMark). The marks cover a deployment that stored its new
 * spec and stopped before its peering stage deleted the peers it dropped: no spec names those peerings any more, and
 * left behind they keep the other side FAILING for ever. A peering neither named nor marked is someone else's and is
 * never touched. `listed` is Consul's list, or undefined when the orchestrator's policy has no `peering` rule (Consul
 * answers 403 to `GET /v1/peerings` without peering:read): the ACL step gives the rule to every mesh that has, had or
 * still marks peerings (acl-policies.ts), so without it the mesh made none.
 */
async function meshPeerings(
  consul: Pick<ConsulApi, 'listPeerings'>,
  mesh: string,
  spec: Pick<MeshSpec, 'peers'> | undefined,
): Promise<{ names: string[]; listed: PeeringStatus[] | undefined }> {
  let listed: PeeringStatus[] | undefined;
  try {
    listed = await consul.listPeerings();
  } catch (error) {
    if (!isConsulAclDenied(error)) throw error;
  }
  const marked = markedPeers(mesh, listed ?? []).map((p) => p.name);
  return { names: [...new Set([...(spec?.peers ?? []).map((p) => p.name), ...marked])], listed };
}

/**
 * Deletes the mesh's peerings (meshPeerings). `deleted` names those Consul had (any state; all of them when it could
 * not list), so a second teardown does not report again what the first deleted; `deleting` the mesh's marked ones
 * already DELETING (an earlier attempt of the step deleted them), which Consul removes by itself.
 */
async function deletePeerings(
  consul: Pick<ConsulApi, 'deletePeering' | 'listPeerings'>,
  mesh: string,
  spec: Pick<MeshSpec, 'peers'> | undefined,
): Promise<{ deleted: string[]; deleting: string[] }> {
  const { names, listed } = await meshPeerings(consul, mesh, spec);
  const deleted: string[] = [];
  for (const name of names) {
    // A DELETE of a peering that is gone is no error (idempotent).
    await consul.deletePeering(name);
    if (!listed || listed.some((p) => p.Name === name)) deleted.push(name);
  }
  const deleting = (listed ?? []).filter((p) => p.State === 'DELETING' && p.Meta?.[MESH_META] === mesh && !deleted.includes(p.Name)).map((p) => p.Name);
  return { deleted, deleting };
}

/**
 * The mesh's leftovers in Consul, removed while the servers still run: its cluster peerings first (the peers stop
 * importing its services, and their side of each peering becomes TERMINATED instead of FAILING for ever; what the
 * mesh keeps about each peer in SSM, named by the spec or only marked (an acceptor's token and re-key record, a
 * dialer's token request), lives under its prefix and goes with its other parameters in the cleanup), registrations
 * whose task has stopped (events lost), the config entries of the deployed spec (intentions, then the ingress-gateway entry, then the
 * service-defaults), and the KV under `consul-mesh/<mesh>/` with the deployed spec last of all (the task-event
 * handler and the reconcile act for a mesh only while it has one). With no server service left, Consul has gone with
 * its servers: there is nothing to remove, and nothing could be.
 */
export async function removeFromConsul(
  plan: DestroyPlan,
  rawSpec: unknown,
  deps: { consul: () => Promise<RemoveConsul & Pick<ConsulApi, 'deletePeering' | 'listPeerings'> & Parameters<typeof loadDeployedSpec>[0]>; ecs: Pick<RemoveEcs, 'describeTasks'> },
): Promise<ConsulRemoval> {
  const none = { registrations: [], nodes: [], stillRunning: [], configEntries: [], kv: [], peerings: [] };
  if (plan.stages.servers.length === 0) return { ...none, skipped: 'the Consul servers are gone: nothing of the mesh is left in Consul' };
  const consul = await deps.consul();
  const spec = (await loadDeployedSpec(consul, plan.mesh, { maxAgeMs: 0 })) ?? specOf(rawSpec, plan.mesh);
  // Deleted already by the teardown's first step (removeMeshPeerings); again here, which costs nothing (a peering
  // that is gone is no error), for a teardown that skipped it.
  const { deleted: peerings } = await deletePeerings(consul, plan.mesh, spec);
  const instances = await deregisterStoppedInstances(consul, deps.ecs, plan.mesh);
  const configEntries = spec ? await deleteConfigEntries(consul, spec) : [];
  const kv = await deleteMeshKv(consul, plan.mesh);
  return { registrations: instances.instances, nodes: instances.nodes, stillRunning: instances.stillRunning, configEntries, kv, peerings };
}

/**
 * What is left once no task runs: the task-definition revisions of the mesh's families, its SSM parameters (the
 * secrets only on purge), its ECR repositories (only on purge) and its clusters. A cluster whose last services are
 * still DRAINING is `busy`: the state machine comes back after a Wait.
 */
export async function cleanUpAccount(
  plan: DestroyPlan,
  previous: Cleanup | undefined,
  deps: { ecs: RemoveEcs; parameters: Pick<SsmApi, 'listUnder' | 'deleteParameters'>; repositories: Pick<EcrApi, 'listNames' | 'deleteRepository'>; ssmRoot?: string },
): Promise<Cleanup> {
  const taskDefinitions = await deregisterTaskDefinitions(deps.ecs, plan.mesh, plan.families);
  const parameters = await deleteParameters(deps.parameters, plan.mesh, { purge: plan.purge, root: deps.ssmRoot });
  const repositories = plan.purge ? await deleteRepositories(deps.repositories, plan.mesh) : [];
  const keptRepositories = plan.purge ? [] : await deps.repositories.listNames(`${plan.mesh}/`);
  const clusters = await deleteClusters(deps.ecs, plan.mesh, plan.clusters);
  return {
    round: (previous?.round ?? 0) + 1,
    done: clusters.busy.length === 0,
    clusters: [...(previous?.clusters ?? []), ...clusters.deleted],
    busyClusters: clusters.busy,
    taskDefinitions: [...(previous?.taskDefinitions ?? []), ...taskDefinitions],
    parameters: [...(previous?.parameters ?? []), ...parameters.deleted],
    keptParameters: parameters.kept.filter((n) => n !== plan.lockName),
    repositories: [...(previous?.repositories ?? []), ...repositories],
    keptRepositories,
  };
}

export interface DestroySummary {
  mesh: string;
  destroyId: string;
  purge: boolean;
  /** True when the teardown found nothing of the mesh to remove (a second teardown). */
  nothingToDo: boolean;
  removed: {
    services: string[];
    clusters: string[];
    taskDefinitions: number;
    registrations: number;
    configEntries: string[];
    kv: number;
    parameters: number;
    repositories: string[];
    /** The cluster peerings deleted (in Consul, before anything else of the mesh there): the spec's and the marked. */
    peerings: string[];
  };
  kept: { parameters: string[]; repositories: string[] };
  /** Why the Consul part did nothing, when it did nothing. */
  consulSkipped?: string;
}

/**
 * The last step: release the lock and report what was removed and what was kept. The peerings are those the first
 * step deleted (`peerings`, removeMeshPeerings) and any the Consul step found left: the first step waits until its
 * deleted ones are gone, so the Consul step no longer sees them.
 */
export async function finishDestroy(
  input: {
    plan: DestroyPlan;
    peerings?: { peerings: string[] };
    ingress: StageRemoval;
    services: StageRemoval;
    consul: ConsulRemoval;
    servers: StageRemoval;
    cleanup: Cleanup;
  },
  deps: { ssm: LockDeps['ssm'] },
): Promise<DestroySummary> {
  const { plan, consul, cleanup } = input;
  await releaseLock(plan.lockName, plan.lockHolder, { ssm: deps.ssm });
  const services = [input.ingress, input.services, input.servers].flatMap((s) => s.deleted);
  const removed = {
    services,
    clusters: cleanup.clusters,
    taskDefinitions: cleanup.taskDefinitions.length,
    registrations: consul.registrations.length,
    configEntries: consul.configEntries,
    kv: consul.kv.length,
    parameters: cleanup.parameters.length,
    repositories: cleanup.repositories,
    peerings: [...new Set([...(input.peerings?.peerings ?? []), ...(consul.peerings ?? [])])],
  };
  const scaled = [input.ingress, input.services, input.servers].some((s) => s.scaled.length > 0);
  const nothingToDo = !scaled && Object.values(removed).every((v) => (Array.isArray(v) ? v.length === 0 : v === 0));
  return {
    mesh: plan.mesh,
    destroyId: plan.destroyId,
    purge: plan.purge,
    nothingToDo,
    removed,
    kept: { parameters: cleanup.keptParameters, repositories: cleanup.keptRepositories },
    ...(consul.skipped ? { consulSkipped: consul.skipped } : {}),
  };
}

/** A failed teardown: release the lock (if this execution holds it) and state the stage and cause. */
export async function recordDestroyFailure(
  input: { mesh: string; failedStage: string; error: { Error?: string; Cause?: string }; executionId: string },
  deps: { ssm: LockDeps['ssm'] },
): Promise<{ error: string; cause: string }> {
  await releaseLock(configParameterNames({ name: input.mesh }).lock, input.executionId, { ssm: deps.ssm });
  const error = input.error.Error ?? 'DestroyFailed';
  return { error, cause: `teardown of mesh "${input.mesh}" failed in ${input.failedStage}: ${causeMessage(input.error.Cause)}` };
}


