import type { HistoryEvent } from '@aws-sdk/client-sfn';

/**
 * A teardown's progress, read from its execution history (the only store, as for deployments): one entry per stage
 * of state-machines/destroy-mesh.asl.json, in its order, and per draining stage the tasks ECS is still stopping.
 */
export const DESTROY_PROGRESS_STAGES = ['prepare', 'ingress', 'services', 'consul', 'servers', 'cleanup', 'summary'] as const;
export type DestroyProgressStage = (typeof DESTROY_PROGRESS_STAGES)[number];

// A type, not an interface: the API's view (a loose zod object) needs it to be indexable.
export type DestroyStageProgress = {
  name: DestroyProgressStage;
  state: 'pending' | 'running' | 'done' | 'failed' | 'cancelled';
  /** Draining stages: the services removed so far and the tasks still stopping (`cluster/service`). */
  deleted?: string[];
  remaining?: Array<{ id: string; tasks: number }>;
  round?: number;
};

export const TEARDOWN_STATE_STAGE: Record<string, DestroyProgressStage> = {
  Prepare: 'prepare',
  // The cluster peerings go before anything else (while the mesh gateways run): part of preparing the teardown.
  RemovePeerings: 'prepare',
  IngressRemove: 'ingress',
  'IngressRemoved?': 'ingress',
  IngressWait: 'ingress',
  IngressTimedOut: 'ingress',
  ServicesRemove: 'services',
  'ServicesRemoved?': 'services',
  ServicesWait: 'services',
  ServicesTimedOut: 'services',
  RemoveFromConsul: 'consul',
  ServersRemove: 'servers',
  'ServersRemoved?': 'servers',
  ServersWait: 'servers',
  ServersTimedOut: 'servers',
  Cleanup: 'cleanup',
  'CleanedUp?': 'cleanup',
  CleanupWait: 'cleanup',
  CleanupTimedOut: 'cleanup',
  Finish: 'summary',
};

/** The stage key of the state a draining step writes its status to (`ResultPath`). */
const STAGE_RESULT: Partial<Record<string, 'ingress' | 'services' | 'servers'>> = { IngressRemove: 'ingress', ServicesRemove: 'services', ServersRemove: 'servers' };

/**
 * Reduces a teardown's history to its stages. Events are applied in id order; a stage is running from its first
 * state until a later stage's first state (then done), a `Failed:<stage>` state marks it failed, and an aborted or
 * timed-out execution leaves the running stage cancelled.
 */
export function destroyProgress(events: readonly HistoryEvent[]): DestroyStageProgress[] {
  const stages: DestroyStageProgress[] = DESTROY_PROGRESS_STAGES.map((name) => ({ name, state: 'pending' }));
  const byName = new Map(stages.map((s) => [s.name, s]));
  const sorted = [...events].sort((a, b) => (a.id ?? 0) - (b.id ?? 0));
  for (const event of sorted) {
    const type = event.type ?? '';
    if (type.endsWith('StateEntered')) {
      const name = event.stateEnteredEventDetails?.name ?? '';
      if (name.startsWith('Failed:')) {
        const failed = byName.get(name.slice('Failed:'.length) as DestroyProgressStage);
        if (failed) failed.state = 'failed';
        continue;
      }
      const stage = TEARDOWN_STATE_STAGE[name];
      if (!stage) continue;
      const index = DESTROY_PROGRESS_STAGES.indexOf(stage);
      for (const s of stages.slice(0, index)) if (s.state === 'running' || s.state === 'pending') s.state = 'done';
      const current = byName.get(stage)!;
      if (current.state === 'pending') current.state = 'running';
    } else if (type.endsWith('StateExited')) {
      const key = STAGE_RESULT[event.stateExitedEventDetails?.name ?? ''];
      if (!key) continue;
      const status = readStageStatus(event.stateExitedEventDetails?.output, key);
      if (status) Object.assign(byName.get(key)!, status);
    } else if (type === 'ExecutionSucceeded') {
      for (const s of stages) if (s.state === 'running' || s.state === 'pending') s.state = 'done';
    } else if (type === 'ExecutionAborted' || type === 'ExecutionTimedOut') {
      for (const s of stages) if (s.state === 'running') s.state = 'cancelled';
    }
  }
  return stages;
}

function readStageStatus(output: string | undefined, key: string): Pick<DestroyStageProgress, 'deleted' | 'remaining' | 'round'> | undefined {
  if (!output) return undefined;
  try {
    const status = (JSON.parse(output) as Record<string, { deleted?: string[]; remaining?: Array<{ id: string; tasks: number }>; round?: number } | null>)[key];
    return status ? { deleted: status.deleted ?? [], remaining: status.remaining ?? [], round: status.round } : undefined;
  } catch {
    return undefined;
  }
}
