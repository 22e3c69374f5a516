import {
  CatalogError,
  deleteCheck,
  deleteNode,
  deleteService,
  ensureCheck,
  ensureNode,
  ensureService,
  type CheckInput,
  type NodeInput,
  type ServiceInput,
} from './catalog-ops';
import { kvCas, kvDelete, kvDeleteCas, kvDeleteTree, kvList, kvSet } from './kv-ops';
import type { WriteTxn } from './store';
import { checkKey, serviceKey } from './types';
import { renderCheck, renderKv, renderNode, renderService } from '../views';

/**
 * The operations of `/v1/txn`, applied as Consul's state store applies them (`agent/consul/state/txn.go`): each
 * operation either adds result entries or fails with a message; the caller rolls the whole write back when any
 * operation failed.
 */

export type TxnOp =
  | {
      readonly type: 'KV';
      readonly verb: string;
      readonly key: string;
      readonly value: Buffer | null;
      readonly flags: number;
      readonly index: number;
      readonly session: string;
    }
  | { readonly type: 'Node'; readonly verb: string; readonly node: NodeInput; readonly modifyIndex: number }
  | {
      readonly type: 'Service';
      readonly verb: string;
      readonly node: string;
      readonly service: ServiceInput;
      readonly modifyIndex: number;
    }
  | {
      readonly type: 'Check';
      readonly verb: string;
      readonly check: CheckInput;
      readonly modifyIndex: number;
      /** The check's `ServiceName`, which Consul's txn ACL check (vetCheckTxnOp) authorizes service:write on. */
      readonly serviceName?: string;
    };

/** One entry of `Results`: `{"KV": ...}`, `{"Node": ...}`, `{"Service": ...}` or `{"Check": ...}`. */
export type TxnResult = Record<string, unknown>;

/** A failed operation: its message becomes `Errors[].What`. */
export class TxnOpError extends Error {
  override readonly name = 'TxnOpError';
}

const READ_VERBS = new Set(['get', 'get-tree', 'get-or-empty', 'check-index', 'check-session', 'check-not-exists']);

/** True when the operation only reads (a transaction of such operations skips Raft entirely). */
export function isReadOp(op: TxnOp): boolean {
  return op.type === 'KV' ? READ_VERBS.has(op.verb) : op.verb === 'get';
}

const q = (text: string): string => JSON.stringify(text);

function applyKv(txn: WriteTxn, op: Extract<TxnOp, { type: 'KV' }>): TxnResult[] {
  const state = txn.state;
  const entry = state.kv.get(op.key);
  const input = { Key: op.key, Value: op.value, Flags: op.flags };
  // Results of writes carry no value, "to save space" (txn documentation).
  const bare = (rec: NonNullable<typeof entry>): TxnResult[] => [{ KV: renderKv(rec, false) }];
  switch (op.verb) {
    case 'set':
      return bare(kvSet(txn, input));
    case 'cas': {
      const rec = kvCas(txn, input, op.index);
      if (!rec) throw new TxnOpError(`failed to set key ${q(op.key)}, index is stale`);
      return bare(rec);
    }
    case 'lock':
    case 'unlock':
      // Sessions are not emulated, so every session ID is unknown, as Consul reports it.
      throw new TxnOpError(`invalid session ${q(op.session)}`);
    case 'get':
      if (!entry) throw new TxnOpError(`key ${q(op.key)} doesn't exist`);
      return [{ KV: renderKv(entry) }];
    case 'get-or-empty':
      if (entry) return [{ KV: renderKv(entry) }];
      return [{ KV: { LockIndex: 0, Key: op.key, Flags: 0, Value: null, CreateIndex: 0, ModifyIndex: 0 } }];
    case 'get-tree':
      return kvList(state, op.key).map((e) => ({ KV: renderKv(e) }));
    case 'check-index':
      if (!entry) throw new TxnOpError(`key ${q(op.key)} doesn't exist`);
      if (entry.ModifyIndex !== op.index) {
        throw new TxnOpError(`current modify index ${entry.ModifyIndex} != ${op.index}`);
      }
      return bare(entry);
    case 'check-session':
      if (!entry) throw new TxnOpError(`key ${q(op.key)} doesn't exist`);
      if (entry.Session !== op.session) {
        throw new TxnOpError(
          `failed session check for key ${q(op.key)}, current session ${q(entry.Session)} != ${q(op.session)}`,
        );
      }
      return bare(entry);
    case 'check-not-exists':
      if (entry) throw new TxnOpError(`key ${q(op.key)} exists`);
      return [];
    case 'delete':
      kvDelete(txn, op.key);
      return [];
    case 'delete-tree':
      kvDeleteTree(txn, op.key);
      return [];
    case 'delete-cas':
      if (!kvDeleteCas(txn, op.key, op.index)) throw new TxnOpError(`failed to delete key ${q(op.key)}, index is stale`);
      return [];
    default:
      throw new TxnOpError(`unknown KV verb ${q(op.verb)}`);
  }
}

/** CAS on a catalog entity: 0 means "must not exist", otherwise ModifyIndex must match. */
function casHolds(existing: { ModifyIndex: number } | undefined, modifyIndex: number): boolean {
  return existing ? existing.ModifyIndex === modifyIndex : modifyIndex === 0;
}

function applyNode(txn: WriteTxn, op: Extract<TxnOp, { type: 'Node' }>, datacenter: string): TxnResult[] {
  const name = op.node.Node;
  const existing = txn.state.nodes.get(name);
  switch (op.verb) {
    case 'set':
      return [{ Node: renderNode(ensureNode(txn, op.node, datacenter)) }];
    case 'cas':
      if (!casHolds(existing, op.modifyIndex)) throw new TxnOpError(`failed to set node ${q(name)}, index is stale`);
      return [{ Node: renderNode(ensureNode(txn, op.node, datacenter)) }];
    case 'get':
      if (!existing) throw new TxnOpError(`node ${q(name)} doesn't exist`);
      return [{ Node: renderNode(existing) }];
    case 'delete':
      deleteNode(txn, name);
      return [];
    case 'delete-cas':
      if (!existing || existing.ModifyIndex !== op.modifyIndex) {
        throw new TxnOpError(`failed to delete node ${q(name)}, index is stale`);
      }
      deleteNode(txn, name);
      return [];
    default:
      throw new TxnOpError(`unknown Node verb ${q(op.verb)}`);
  }
}

function applyService(txn: WriteTxn, op: Extract<TxnOp, { type: 'Service' }>): TxnResult[] {
  const id = op.service.ID;
  const existing = txn.state.services.get(serviceKey(op.node, id));
  const where = `${q(id)} on node ${q(op.node)}`;
  switch (op.verb) {
    case 'set':
      return [{ Service: renderService(ensureService(txn, op.node, op.service)) }];
    case 'cas':
      if (!casHolds(existing, op.modifyIndex)) throw new TxnOpError(`failed to set service ${where}, index is stale`);
      return [{ Service: renderService(ensureService(txn, op.node, op.service)) }];
    case 'get':
      if (!existing) throw new TxnOpError(`service ${where} doesn't exist`);
      return [{ Service: renderService(existing) }];
    case 'delete':
      deleteService(txn, op.node, id);
      return [];
    case 'delete-cas':
      if (!existing || existing.ModifyIndex !== op.modifyIndex) {
        throw new TxnOpError(`failed to delete service ${where}, index is stale`);
      }
      deleteService(txn, op.node, id);
      return [];
    default:
      throw new TxnOpError(`unknown Service verb ${q(op.verb)}`);
  }
}

function applyCheck(txn: WriteTxn, op: Extract<TxnOp, { type: 'Check' }>): TxnResult[] {
  const { Node: node, CheckID: id } = op.check;
  const existing = txn.state.checks.get(checkKey(node, id));
  const where = `${q(id)} on node ${q(node)}`;
  switch (op.verb) {
    case 'set':
      return [{ Check: renderCheck(ensureCheck(txn, op.check)) }];
    case 'cas':
      if (!casHolds(existing, op.modifyIndex)) throw new TxnOpError(`failed to set check ${where}, index is stale`);
      return [{ Check: renderCheck(ensureCheck(txn, op.check)) }];
    case 'get':
      if (!existing) throw new TxnOpError(`check ${where} doesn't exist`);
      return [{ Check: renderCheck(existing) }];
    case 'delete':
      deleteCheck(txn, node, id);
      return [];
    case 'delete-cas':
      if (!existing || existing.ModifyIndex !== op.modifyIndex) {
        throw new TxnOpError(`failed to delete check ${where}, index is stale`);
      }
      deleteCheck(txn, node, id);
      return [];
    default:
      throw new TxnOpError(`unknown Check verb ${q(op.verb)}`);
  }
}

/** Apply one operation; state-store refusals ("Missing node registration") become operation errors. */
export function applyTxnOp(txn: WriteTxn, op: TxnOp, datacenter: string): TxnResult[] {
  try {
    switch (op.type) {
      case 'KV':
        return applyKv(txn, op);
      case 'Node':
        return applyNode(txn, op, datacenter);
      case 'Service':
        return applyService(txn, op);
      case 'Check':
        return applyCheck(txn, op);
    }
  } catch (err) {
    if (err instanceof CatalogError) throw new TxnOpError(err.message);
    throw err;
  }
}
