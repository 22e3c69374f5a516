/**
 * Drift for the reconcile to repair, made the way it happens: registrations lost (an event dropped or its retries
 * exhausted) and instances at a wrong address (written by someone else). Pure: it plans Consul transactions from
 * what a synthetic node holds; the benchmark sends them.
 */
import { buildDeregisterTxnOps, healthCheckId, MAX_TXN_OPS, META, type CatalogService, type TxnOp } from '../../layers/domain/registration';

/** A service entry of a synthetic node, as `/v1/catalog/node-services` returns it. */
export interface NodeEntry {
  ID: string;
  Service: string;
  Kind?: string;
  Address: string;
  Port: number;
  Tags?: string[] | null;
  Meta?: Record<string, string> | null;
}

export interface DriftPlan {
  /** Task ARNs whose every entry (instance, proxy, their checks) is deleted. */
  lost: string[];
  /** Task ARNs whose instance is moved to another address. */
  moved: string[];
  /** The transactions making the drift, each of at most Consul's 128 operations. */
  transactions: TxnOp[][];
}

/**
 * Drifts `share` of the tasks on `node` (every n-th task by ARN, n = round(1 / share)), alternately losing the
 * task's registration and moving its instance to an address in 10.255.0.0/16 that no simulated task has.
 *
 * @example planDrift('cluster-1', entries, 0.05) // 5 % of the node's tasks: half lost, half moved
 */
export function planDrift(node: string, entries: readonly NodeEntry[], share: number): DriftPlan {
  if (!(share > 0 && share <= 1)) throw new RangeError(`share must be within (0, 1], got ${share}`);
  const byTask = new Map<string, NodeEntry[]>();
  for (const entry of entries) {
    const taskArn = entry.Meta?.[META.taskArn];
    if (!taskArn) continue;
    const list = byTask.get(taskArn) ?? [];
    list.push(entry);
    byTask.set(taskArn, list);
  }
  const every = Math.max(1, Math.round(1 / share));
  const chosen = [...byTask.keys()].sort().filter((_, i) => i % every === every - 1);
  const lost: string[] = [];
  const moved: string[] = [];
  const ops: TxnOp[][] = [];
  chosen.forEach((taskArn, i) => {
    const taskEntries = byTask.get(taskArn) ?? [];
    const instance = taskEntries.find((e) => e.Kind !== 'connect-proxy');
    if (i % 2 === 0 || !instance) {
      lost.push(taskArn);
      const services = taskEntries.map((e) => ({ ID: e.ID, Service: e.Service }));
      ops.push(buildDeregisterTxnOps(node, { services, checkIds: services.map((s) => healthCheckId(s.ID)) }));
    } else {
      moved.push(taskArn);
      const { ID, Service, Address: _address, Port, Tags, Meta, Kind } = instance;
      const service: CatalogService = { ID, Service, Address: driftAddress(moved.length), Port, Tags: Tags ?? [], Meta: Meta ?? {}, ...(Kind === 'ingress-gateway' ? { Kind } : {}) };
      ops.push([{ Service: { Verb: 'set', Node: node, Service: service } }]);
    }
  });
  return { lost, moved, transactions: packOps(ops) };
}

/** An address no simulated task has (the simulated VPC hands out 10.0.0.0/16): the n-th of 10.255.0.0/16. */
export function driftAddress(n: number): string {
  return `10.255.${(n >> 8) & 255}.${n & 255}`;
}

/** Groups per-task operation lists into transactions of at most `maxOps`, never splitting one task's operations. */
export function packOps(groups: readonly TxnOp[][], maxOps = MAX_TXN_OPS): TxnOp[][] {
  const transactions: TxnOp[][] = [];
  let current: TxnOp[] = [];
  for (const group of groups) {
    if (current.length > 0 && current.length + group.length > maxOps) {
      transactions.push(current);
      current = [];
    }
    current.push(...group);
  }
  if (current.length > 0) transactions.push(current);
  return transactions;
}
