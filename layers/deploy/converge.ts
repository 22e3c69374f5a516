import type { ConsulApi } from '../adapters/consul';
import type { SsmApi } from '../adapters/ssm';
import { ConsulUnavailableError } from '../errors';
import { deployStages, resolveTarget } from '../domain/ecs/targets';
import type { MeshRole } from '../domain/naming';
import type { MeshSpec } from '../domain/spec/schema';
import type { ResourceChange } from './change-set';
import { KEEP_REVISIONS } from './compute-change-set';
import { deleteClusters, deleteServices, deregisterStoppedInstances, deregisterTaskDefinitions, drainStatus, scaleToZero, type RemoveEcs, type ServiceRef } from './remove';

/** What the removal stage did so far and what it still waits for (`$.removal` in the execution). */
export interface RemovalStatus {
  ready: boolean;
  round: number;
  waitingFor: string;
  /** The `kind:id` of every removal made, in the order made (the summary reports them). */
  removed: string[];
  /** The removed services whose tasks ECS has not all stopped yet, with how many are left (the progress shows them). */
  draining?: Array<{ id: string; tasks: number }>;
}

export interface RemovalDeps {
  ecs: RemoveEcs;
  ssm: Pick<SsmApi, 'deleteParameters'>;
  /** Connected only when a config entry or a registration has to go: Consul is not needed otherwise. */
  consul: () => Promise<Pick<ConsulApi, 'getConfigEntry' | 'deleteConfigEntry' | 'nodesByMeta' | 'nodeServices' | 'catalogDeregister'>>;
}

function serviceRefs(removals: readonly ResourceChange[]): ServiceRef[] {
  return removals
    .filter((c) => c.kind === 'service')
    .map((c) => {
      const slash = c.id.indexOf('/');
      return { cluster: c.id.slice(0, slash), service: c.id.slice(slash + 1), role: (c.role ?? 'service') as MeshRole };
    });
}

/**
 * The removal stage's first step: scale every service the change set removes to 0, so ECS stops its tasks (and the
 * task-event handler deregisters each from Consul as it stops). Idempotent: a service already at 0 or gone is
 * left alone.
 */
export async function startRemovals(mesh: string, removals: readonly ResourceChange[], deps: Pick<RemovalDeps, 'ecs'>): Promise<RemovalStatus> {
  const scaled = await scaleToZero(deps.ecs, mesh, serviceRefs(removals));
  return { ready: false, round: 0, waitingFor: 'the removed services to drain', removed: scaled.map((id) => `scaled-to-0:${id}`) };
}

/**
 * One round of the removal stage's wait loop. While a removed service still has a task that is not STOPPED it only
 * reports what it waits for. Then, in this order and each step idempotent (a retried or repeated round redoes
 * nothing that is done):
 * 1. DeleteService for the drained services (ECS refuses one scaled above 0; nothing is forced);
 * 2. DeleteCluster for the removed clusters the mesh created, once empty (ECS refuses a cluster with services or
 *    tasks: such a cluster makes the round wait);
 * 3. Consul: the registrations of tasks that have stopped and whose events no handler acted on (a removed cluster's
 *    events are not the deployed spec's any more) — never one whose task still runs; then the removed config
 *    entries, intentions first (a service-defaults entry goes after the gateway listener and intentions that use
 *    its protocol: the change set lists them in that order);
 * 4. SSM: the configuration parameters of removed resources (never a secret: the change set lists none);
 * 5. the old task-definition revisions (DeregisterTaskDefinition), keeping the live and the previous one of every
 *    family still deployed.
 */
export async function checkRemovals(spec: MeshSpec, removals: readonly ResourceChange[], previous: RemovalStatus, deps: RemovalDeps): Promise<RemovalStatus> {
  const round = previous.round + 1;
  const removed = [...previous.removed];
  const refs = serviceRefs(removals);
  const drain = await drainStatus(deps.ecs, spec.name, refs);
  if (!drain.drained) {
    return { ...previous, round, waitingFor: `removed services to drain: ${drain.remaining.map((r) => `${r.id} (${r.tasks} task(s))`).join(', ')}`, draining: drain.remaining };
  }
  for (const id of await deleteServices(deps.ecs, spec.name, refs)) removed.push(`service:${id}`);
  const draining: RemovalStatus['draining'] = [];

  const clusters = removals.filter((c) => c.kind === 'cluster').map((c) => c.id);
  if (clusters.length > 0) {
    const result = await deleteClusters(deps.ecs, spec.name, clusters);
    for (const name of result.deleted) removed.push(`cluster:${name}`);
    if (result.busy.length > 0) return { ready: false, round, removed, draining, waitingFor: `removed clusters to empty: ${result.busy.join(', ')}` };
  }

  const entries = removals.filter((c) => c.kind === 'config-entry');
  if (entries.length > 0 || refs.length > 0) {
    try {
      const consul = await deps.consul();
      if (refs.length > 0) {
        const stale = await deregisterStoppedInstances(consul, deps.ecs, spec.name);
        for (const id of stale.instances) removed.push(`registration:${id}`);
      }
      for (const entry of entries) {
        const slash = entry.id.indexOf('/');
        const [kind, name] = [entry.id.slice(0, slash), entry.id.slice(slash + 1)];
        if (!(await consul.getConfigEntry(kind, name))) continue;
        await consul.deleteConfigEntry(kind, name);
        removed.push(`config-entry:${entry.id}`);
      }
    } catch (error) {
      // The servers may be electing a leader: wait a round rather than fail (ACL denials still throw).
      if (error instanceof ConsulUnavailableError) return { ready: false, round, removed, draining, waitingFor: `Consul to answer (${error.message})` };
      throw error;
    }
  }

  const parameters = removals.filter((c) => c.kind === 'parameter').map((c) => c.id);
  if (parameters.length > 0) for (const name of await deps.ssm.deleteParameters(parameters)) removed.push(`parameter:${name}`);

  const families = removals.filter((c) => c.kind === 'task-definition').map((c) => c.id);
  const deployed = new Set(deployStages(spec).flat().map((t) => resolveTarget(spec, t).family));
  for (const family of families) {
    const keepNewest = deployed.has(family) ? KEEP_REVISIONS : 0;
    for (const arn of await deregisterTaskDefinitions(deps.ecs, spec.name, [family], { keepNewest })) removed.push(`task-definition:${arn}`);
  }
  return { ready: true, round, removed, draining, waitingFor: '' };
}
