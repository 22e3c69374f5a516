import * as z from 'zod';
import { lazy, parseEvent } from '../../layers/handler-kit';
import { createRecoveryDeps } from '../../layers/recovery/deps';
import { recoverPeeringsAfter } from '../../layers/recovery/peerings';
import { recoverDatacenter } from '../../layers/recovery/restore';
import { takeSnapshot } from '../../layers/recovery/snapshots';

/**
 * The EventBridge schedule's event (`detail-type: Scheduled Event`); an empty object runs it by hand. The snapshot
 * schedule's rule sends its constant input `{"action": "snapshot"}` instead.
 */
const Event = z.looseObject({
  'detail-type': z.literal('Scheduled Event').optional(),
  time: z.string().optional(),
  action: z.enum(['recover', 'snapshot']).optional(),
});

const deps = lazy(() => createRecoveryDeps());

/**
 * EventBridge schedule (the reconcile's rate): one KV read while the datacenter is intact; when every Consul server
 * was lost and a new, empty datacenter has a leader, restores the latest Raft snapshot (when kept), then the mesh's
 * ACLs, config entries and spec from SSM, and reconciles the catalog (layers/recovery/restore.ts). A second schedule
 * (`snapshotRate`, input `{"action": "snapshot"}`) stores a snapshot in S3 (layers/recovery/snapshots.ts): the one
 * function that holds the management token, which Consul's snapshot endpoint needs. Each tick then repairs the
 * mesh's peerings after a loss on either side (layers/recovery/peerings.ts), with the orchestrator's own token. Not
 * retried: the next tick is the retry.
 */
export async function handler(event: unknown) {
  const { action } = parseEvent(Event, event ?? {}, 'recovery trigger');
  const { churn, recoveryDeps, snapshotDeps, peeringTick } = deps();
  if (action === 'snapshot') {
    try {
      const snapshot = await snapshotDeps();
      return snapshot ? await takeSnapshot(snapshot) : { status: 'disabled' as const };
    } finally {
      churn.metrics.publishStoredMetrics();
    }
  }
  try {
    const result = await recoverDatacenter(await recoveryDeps());
    // A zero on every quiet tick: the metric exists for an alarm on restores (a restore adds its own 1).
    if (result.status !== 'restored') churn.metrics.addMetric('DatacenterRestored', 'Count', 0);
    // Then the mesh's peerings, once the datacenter is whole (layers/recovery/peerings.ts).
    const peerings = await recoverPeeringsAfter(result, peeringTick);
    return peerings ? { ...result, peerings } : result;
  } finally {
    churn.metrics.publishStoredMetrics();
  }
}
