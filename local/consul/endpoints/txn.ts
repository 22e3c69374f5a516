import { decodeCheck, decodeNode, decodeService, preApplyService } from '../catalog-decode';
import { DecodeError, field, isObject, parseJsonBody, readInt, readObject, readString, type JsonObject } from '../decode';
import type { EndpointContext, EndpointResponse, Route } from '../endpoint';
import { tooLarge } from '../errors';
import { KV_MAX_VALUE_SIZE } from '../store/kv-ops';
import { WriteTxn } from '../store/store';
import { applyTxnOp, isReadOp, TxnOpError, type TxnOp, type TxnResult } from '../store/txn-ops';
import { cloneState } from '../store/types';
import { decodeOr400 } from './common';

/**
 * `PUT /v1/txn`: up to {@link MAX_TXN_OPS} KV, Node, Service and Check operations applied atomically in one Raft
 * write — one index bump for, say, a service instance and its sidecar proxy. Any failed operation rolls the whole
 * transaction back and is answered 409 with `{"Results": null, "Errors": [{"OpIndex", "What"}]}`. A transaction
 * of reads only skips Raft and answers like a read.
 */

/** The transaction documentation allows up to 128 operations per transaction. */
export const MAX_TXN_OPS = 128;
/** Consul's default `txn_max_req_len`. */
export const MAX_TXN_BODY = 512 * 1024;

const PARSE_FAILED = 'Failed to parse body: ';

interface TxnError {
  OpIndex: number;
  What: string;
}

/**
 * Go decodes `[]byte` from standard, padded base64 and fails with `illegal base64 data at input byte N`; Node's
 * decoder is lenient, so the check is made here first.
 */
function decodeBase64(text: string): Buffer {
  const bad = text.search(/[^A-Za-z0-9+/=]/);
  if (bad !== -1) throw new DecodeError(`illegal base64 data at input byte ${bad}`);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) {
    throw new DecodeError(`illegal base64 data at input byte ${Math.floor(text.length / 4) * 4}`);
  }
  return Buffer.from(text, 'base64');
}

function decodeOp(raw: unknown): TxnOp | undefined {
  if (!isObject(raw)) throw new DecodeError('json: cannot unmarshal value into Go value of type api.TxnOp');
  const kv = readObject(raw, 'KV', 'TxnOp', 'api.KVTxnOp');
  if (kv) {
    const value = field(kv, 'Value');
    if (value !== undefined && value !== null && typeof value !== 'string') {
      throw new DecodeError('json: cannot unmarshal non-string into Go struct field KVTxnOp.KV.Value of type []uint8');
    }
    return {
      type: 'KV',
      verb: readString(kv, 'Verb', 'KVTxnOp'),
      key: readString(kv, 'Key', 'KVTxnOp'),
      value: typeof value === 'string' ? decodeBase64(value) : null,
      flags: readInt(kv, 'Flags', 'KVTxnOp', 'uint64'),
      index: readInt(kv, 'Index', 'KVTxnOp', 'uint64'),
      session: readString(kv, 'Session', 'KVTxnOp'),
    };
  }
  const node = readObject(raw, 'Node', 'TxnOp', 'api.NodeTxnOp');
  if (node) {
    const body: JsonObject = readObject(node, 'Node', 'NodeTxnOp', 'api.Node') ?? {};
    return {
      type: 'Node',
      verb: readString(node, 'Verb', 'NodeTxnOp'),
      node: decodeNode(body, 'Node', 'Meta'),
      modifyIndex: readInt(body, 'ModifyIndex', 'Node', 'uint64'),
    };
  }
  const service = readObject(raw, 'Service', 'TxnOp', 'api.ServiceTxnOp');
  if (service) {
    const body: JsonObject = readObject(service, 'Service', 'ServiceTxnOp', 'api.AgentService') ?? {};
    return {
      type: 'Service',
      verb: readString(service, 'Verb', 'ServiceTxnOp'),
      node: readString(service, 'Node', 'ServiceTxnOp'),
      service: decodeService(body, 'AgentService'),
      modifyIndex: readInt(body, 'ModifyIndex', 'AgentService', 'uint64'),
    };
  }
  const check = readObject(raw, 'Check', 'TxnOp', 'api.CheckTxnOp');
  if (check) {
    const body: JsonObject = readObject(check, 'Check', 'CheckTxnOp', 'api.HealthCheck') ?? {};
    return {
      type: 'Check',
      verb: readString(check, 'Verb', 'CheckTxnOp'),
      check: decodeCheck(body, 'HealthCheck', ''),
      modifyIndex: readInt(body, 'ModifyIndex', 'HealthCheck', 'uint64'),
      serviceName: readString(body, 'ServiceName', 'HealthCheck'),
    };
  }
  // An element naming no known operation is skipped, as Consul's convertOps does.
  return undefined;
}

/** Validation and ACL checks Consul's `Txn.preCheck` runs before anything reaches Raft. */
function preCheck(ctx: EndpointContext, op: TxnOp): string | undefined {
  const authz = ctx.authz;
  const level = isReadOp(op) ? 'read' : 'write';
  switch (op.type) {
    case 'KV':
      if (op.value && op.value.length > KV_MAX_VALUE_SIZE) {
        return `Value for key ${JSON.stringify(op.key)} is too large (${op.value.length} > ${KV_MAX_VALUE_SIZE} bytes)`;
      }
      return authz.allowed('key', level, op.key) ? undefined : authz.denial('key', level, op.key);
    case 'Node':
      if (op.verb !== 'get' && op.node.Node === '') return 'Must provide node';
      return authz.allowed('node', level, op.node.Node) ? undefined : authz.denial('node', level, op.node.Node);
    case 'Service': {
      if (op.verb === 'set' || op.verb === 'cas') {
        const invalid = preApplyService(op.service);
        if (invalid) return invalid;
      }
      // Consul's vetServiceTxnOp authorizes service:write on the name the operation carries, not the stored
      // entry's: a delete by ID alone is checked against "".
      const name = op.service.Service;
      return authz.allowed('service', level, name) ? undefined : authz.denial('service', level, name);
    }
    case 'Check': {
      if (op.check.ServiceID !== '') {
        // Consul's vetCheckTxnOp authorizes service:write on the check's ServiceName as sent.
        const name = op.serviceName ?? '';
        return authz.allowed('service', level, name) ? undefined : authz.denial('service', level, name);
      }
      return authz.allowed('node', level, op.check.Node) ? undefined : authz.denial('node', level, op.check.Node);
    }
  }
}

/** Thrown inside the Raft write to roll it back. */
class Rollback extends Error {
  constructor(readonly errors: TxnError[]) {
    super('transaction rolled back');
  }
}

function applyAll(txn: WriteTxn, ops: readonly TxnOp[], datacenter: string): TxnResult[] {
  const results: TxnResult[] = [];
  const errors: TxnError[] = [];
  // Like Consul, keep going after a failure so every failing operation is reported, then roll back.
  ops.forEach((op, OpIndex) => {
    try {
      results.push(...applyTxnOp(txn, op, datacenter));
    } catch (err) {
      if (!(err instanceof TxnOpError)) throw err;
      errors.push({ OpIndex, What: err.message });
    }
  });
  if (errors.length > 0) throw new Rollback(errors);
  return results;
}

const answer = (results: TxnResult[]): unknown => ({ Results: results.length > 0 ? results : null, Errors: null });
const conflict = (errors: TxnError[], index?: number): EndpointResponse => ({
  status: 409,
  json: { Results: null, Errors: errors },
  index,
});

async function txnHandler(ctx: EndpointContext): Promise<EndpointResponse> {
  const body = await ctx.body();
  if (body.length > MAX_TXN_BODY) throw tooLarge(`Request body too large, max size: ${MAX_TXN_BODY} bytes.`);
  const parsed = decodeOr400(PARSE_FAILED, () => parseJsonBody(body));
  const ops = decodeOr400(PARSE_FAILED, () => {
    if (!Array.isArray(parsed)) {
      throw new DecodeError('json: cannot unmarshal object into Go value of type api.TxnOps');
    }
    return parsed.map(decodeOp).filter((op): op is TxnOp => op !== undefined);
  });
  if (Array.isArray(parsed) && parsed.length > MAX_TXN_OPS) {
    throw tooLarge(`Transaction contains too many operations (${parsed.length} > ${MAX_TXN_OPS})`);
  }
  const refused = ops.flatMap((op, OpIndex) => {
    const What = preCheck(ctx, op);
    return What === undefined ? [] : [{ OpIndex, What }];
  });
  const readOnly = ops.every(isReadOp);
  if (refused.length > 0) return conflict(refused, readOnly ? ctx.store.lastIndex : undefined);
  if (readOnly) {
    // Reads are served from a private copy without touching Raft; they answer query meta like any read.
    const scratch = new WriteTxn(cloneState(ctx.store.state), ctx.store.lastIndex);
    try {
      return { json: answer(applyAll(scratch, ops, ctx.agent.datacenter)), index: ctx.store.lastIndex };
    } catch (err) {
      if (err instanceof Rollback) return conflict(err.errors, ctx.store.lastIndex);
      throw err;
    }
  }
  try {
    return ctx.store.write((txn) => ({ json: answer(applyAll(txn, ops, ctx.agent.datacenter)) }));
  } catch (err) {
    if (err instanceof Rollback) return conflict(err.errors);
    throw err;
  }
}

export const txnRoutes: readonly Route[] = [
  { pattern: '/v1/txn', methods: ['PUT'], handler: txnHandler, leader: 'write' },
];
