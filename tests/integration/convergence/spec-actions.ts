import fc from 'fast-check';
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import type { LocalCloud } from '@consul-mesh/local-cloud';
import { referenceSpec, sfnClient, startDeployment, stopWhenEntered, waitForDeployment, type DeploymentRun, type RawService } from '../deploy/harness';

/**
 * The spec side of the convergence property: what an operator changes in the mesh's spec between deployments.
 *
 * The model is the reference spec with some of its mesh services removed and some desired counts changed; the shared
 * cloud keeps its state from one sequence to the next, and so does the model (a service removed in one sequence can
 * be added back in a later one).
 */
export interface SpecModel {
  /** Mesh services the spec no longer has. */
  removed: readonly string[];
  /** Desired counts that differ from the reference spec's. */
  desired: Readonly<Record<string, number>>;
}

export const REFERENCE_MODEL: SpecModel = { removed: [], desired: {} };

/**
 * A change to the spec, resolved when it runs (`pick` chooses among the services it can apply to then):
 * remove a mesh service (never a cluster's last one: a cluster lists at least one service), add a removed one back,
 * or set a service's desired count (0 often: scaling to zero in the spec is a change of its own).
 */
export type SpecChange = { kind: 'removeService'; pick: number } | { kind: 'restoreService'; pick: number } | { kind: 'scaleInSpec'; pick: number; desiredCount: number };

/** Where a stopped deployment is stopped: as soon as it enters this state (or when it ends first). */
export const STOP_POINTS = ['Plan', 'StoreConfig', 'ServersCheck', 'ApplyConfigEntries', 'ClusterCheck', 'IngressCheck', 'RemoveStart', 'RemoveCheck'] as const;

export type SpecAction =
  /** The change, then a deployment of the spec through the deploy state machine, to its end. */
  | { kind: 'deploy'; change: SpecChange }
  /** The change, then a deployment stopped with StopExecution once it reached `stopAt`: no Catch runs. */
  | { kind: 'stoppedDeploy'; change: SpecChange; stopAt: (typeof STOP_POINTS)[number] };

const change: fc.Arbitrary<SpecChange> = fc.oneof(
  fc.record({ kind: fc.constant('removeService' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('restoreService' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('scaleInSpec' as const), pick: fc.nat(), desiredCount: fc.constantFrom(0, 0, 1, 2) }),
);

export function specActions(): fc.Arbitrary<SpecAction> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('deploy' as const), change }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('stoppedDeploy' as const), change, stopAt: fc.constantFrom(...STOP_POINTS) }) },
  );
}

/** The reference spec's mesh services, by cluster. */
function referenceServices(): Array<{ cluster: string; name: string }> {
  const raw = referenceSpec() as { clusters: Array<{ name: string; services: RawService[] }> };
  return raw.clusters.flatMap((c) => c.services.map((s) => ({ cluster: c.name, name: s.name })));
}

/** The model after `change`, or undefined when it applies to nothing now (nothing removed to restore, say). */
export function applyChange(model: SpecModel, change: SpecChange): { model: SpecModel; description: string } | undefined {
  const all = referenceServices();
  const present = all.filter((s) => !model.removed.includes(s.name));
  switch (change.kind) {
    case 'removeService': {
      const removable = present.filter((s) => present.some((o) => o.cluster === s.cluster && o.name !== s.name));
      if (removable.length === 0) return undefined;
      const target = removable[change.pick % removable.length];
      return { model: { ...model, removed: [...model.removed, target.name] }, description: `remove ${target.name}` };
    }
    case 'restoreService': {
      if (model.removed.length === 0) return undefined;
      const target = model.removed[change.pick % model.removed.length];
      return { model: { ...model, removed: model.removed.filter((n) => n !== target) }, description: `add ${target} back` };
    }
    case 'scaleInSpec': {
      const target = present[change.pick % present.length];
      return { model: { ...model, desired: { ...model.desired, [target.name]: change.desiredCount } }, description: `${target.name} desiredCount ${change.desiredCount}` };
    }
  }
}

/**
 * The spec of a model, as `meshctl deploy` submits it: the reference spec without the removed services, and without
 * what refers to them (upstreams, intentions), with the model's desired counts.
 */
export function specOf(model: SpecModel): Record<string, unknown> {
  return referenceSpec((raw) => {
    const gone = (name: string) => model.removed.includes(name);
    for (const cluster of raw.clusters) {
      cluster.services = cluster.services.filter((s) => !gone(s.name));
      for (const service of cluster.services) {
        const desired = model.desired[service.name];
        if (desired !== undefined) service.desiredCount = desired;
        const upstreams = (service.upstreams as Array<{ service: string }> | undefined)?.filter((u) => !gone(u.service));
        if (upstreams && upstreams.length > 0) service.upstreams = upstreams;
        else delete service.upstreams;
      }
    }
    raw.intentions = (raw.intentions as Array<{ source: string; destination: string }>).filter((i) => !gone(i.source) && !gone(i.destination));
  });
}

/** The mesh services a model's spec has (the gateway aside). */
export function modelServices(model: SpecModel): string[] {
  return referenceServices()
    .map((s) => s.name)
    .filter((n) => !model.removed.includes(n));
}

export function describeSpecAction(action: SpecAction, description = 'no change'): string {
  return action.kind === 'deploy' ? `deploy (${description})` : `deploy (${description}) stopped at ${action.stopAt}`;
}

/**
 * Runs a deployment to its end while the scheduled reconcile keeps ticking (every second here, every minute on AWS):
 * a task whose registering event the faults dropped is registered by a tick, as it would be in production.
 */
export async function deployWithTicks(cloud: LocalCloud, spec: Record<string, unknown>, tick: () => void): Promise<DeploymentRun> {
  const ticker = setInterval(tick, 1000);
  try {
    return await waitForDeployment(cloud, await startDeployment(cloud, spec), { timeoutMs: 90_000 });
  } finally {
    clearInterval(ticker);
  }
}

/**
 * Starts a deployment and stops it with StopExecution (no Catch runs) as soon as it has entered `stopAt`, or not at
 * all when it ended first; the scheduled reconcile keeps ticking meanwhile. Returns the execution's final status.
 */
export async function stoppedDeployment(cloud: LocalCloud, spec: Record<string, unknown>, stopAt: string, tick: () => void): Promise<{ status: string; error?: string; cause?: string }> {
  const executionArn = await startDeployment(cloud, spec);
  const ticker = setInterval(tick, 1000);
  try {
    await stopWhenEntered(cloud, executionArn, stopAt);
    const { status, error, cause } = await sfnClient(cloud).send(new DescribeExecutionCommand({ executionArn }));
    return { status: status ?? 'UNKNOWN', error, cause };
  } finally {
    clearInterval(ticker);
  }
}
