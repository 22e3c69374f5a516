import type { ConsulApi } from '../../../layers/adapters/consul';
import { buildDeregisterTxnOps, buildRegistration, buildTombstone, buildTxnOps, guardDeregistration, guardRegistration, MAX_TXN_OPS } from '../../../layers/domain/registration';
import { referenceSpec } from '../ecs/support';
import { taskOf } from './support';

const TASK_ID = '4f9a1c2b8e7d4a6f9b0c1d2e3f4a5b6c';

describe('buildTxnOps', () => {
  const spec = referenceSpec();
  const registration = buildRegistration(spec, taskOf('task-running'));
  const ops = buildTxnOps(registration);

  it('writes the node, then service and proxy, then their checks, in one transaction', () => {
    expect(ops.map((op) => Object.keys(op)[0])).toEqual(['Node', 'Service', 'Service', 'Check', 'Check']);
    expect(ops.length).toBeLessThanOrEqual(MAX_TXN_OPS);
  });

  it('uses the txn API field names: Node.Meta for the node, Node name on service operations', () => {
    expect(ops[0]).toEqual({ Node: { Verb: 'set', Node: { Node: 'cluster-1', Address: '127.0.0.1', Datacenter: 'dc1', Meta: { 'synthetic-node': 'true', mesh: 'reference-mesh' } } } });
    expect(ops[1]).toEqual({ Service: { Verb: 'set', Node: 'cluster-1', Service: registration.services[0] } });
    expect(ops[2]).toEqual({ Service: { Verb: 'set', Node: 'cluster-1', Service: registration.services[1] } });
    expect(ops[3]).toEqual({ Check: { Verb: 'set', Check: registration.checks[0] } });
  });

  it('serialises to the JSON array /v1/txn takes, one key per operation', () => {
    const body = JSON.parse(JSON.stringify(ops)) as Array<Record<string, unknown>>;
    for (const op of body) expect(Object.keys(op)).toHaveLength(1);
  });
});

describe('buildDeregisterTxnOps', () => {
  const spec = referenceSpec();
  const ids = {
    services: [
      { ID: `users-${TASK_ID}`, Service: 'users' },
      { ID: `users-${TASK_ID}-sidecar-proxy`, Service: 'users-sidecar-proxy' },
    ],
    checkIds: [`users-${TASK_ID}:ecs-health`, `users-${TASK_ID}-sidecar-proxy:ecs-health`] };

  it('deletes checks and services on the node, each service delete naming its service (what Consul authorizes)', () => {
    expect(buildDeregisterTxnOps('cluster-1', ids)).toEqual([
      { Check: { Verb: 'delete', Check: { Node: 'cluster-1', CheckID: `users-${TASK_ID}:ecs-health` } } },
      { Check: { Verb: 'delete', Check: { Node: 'cluster-1', CheckID: `users-${TASK_ID}-sidecar-proxy:ecs-health` } } },
      { Service: { Verb: 'delete', Node: 'cluster-1', Service: { ID: `users-${TASK_ID}`, Service: 'users' } } },
      { Service: { Verb: 'delete', Node: 'cluster-1', Service: { ID: `users-${TASK_ID}-sidecar-proxy`, Service: 'users-sidecar-proxy' } } },
    ]);
  });

  it('writes the tombstone base64-encoded in the same transaction', () => {
    const tombstone = buildTombstone(spec, taskOf('task-stopped'), 'stopped', new Date('2026-11-24T10:22:00Z'));
    const ops = buildDeregisterTxnOps('cluster-1', ids, tombstone);
    const kv = ops[ops.length - 1];
    expect(kv).toEqual({ KV: { Verb: 'set', Key: `consul-mesh/reference-mesh/tombstones/cluster-1/${TASK_ID}`, Value: expect.any(String) } });
    const value = 'KV' in kv && kv.KV.Verb === 'set' ? kv.KV.Value : '';
    expect(JSON.parse(Buffer.from(value, 'base64').toString('utf8'))).toEqual({
      state: 'deregistered',
      taskArn: `arn:aws:ecs:us-east-1:111122223333:task/cluster-1/${TASK_ID}`,
      cluster: 'cluster-1',
      version: 8,
      reason: 'stopped',
      deregisteredAt: '2026-11-24T10:22:00.000Z',
    });
  });
});

describe('the Consul adapter\'s txn type', () => {
  type TxnArgument = Parameters<ConsulApi['txn']>[0];
  const spec = referenceSpec();

  it('takes the guarded operations the registration model builds, and nothing Consul would reject (checked by tsc)', () => {
    const registration = buildRegistration(spec, taskOf('task-running'));
    const guard = { instanceId: registration.services[0].ID, modifyIndex: 0, tombstoneKey: 'consul-mesh/reference-mesh/tombstones/cluster-1/x' };
    const tombstone = buildTombstone(spec, taskOf('task-stopped'), 'stopped', new Date('2026-11-24T10:22:00Z'));
    const ops: TxnArgument = [...guardRegistration(buildTxnOps(registration), guard), ...guardDeregistration(buildDeregisterTxnOps('cluster-1', { services: [], checkIds: [] }, tombstone))];
    // @ts-expect-error Consul's txn has no `sett` verb: an untyped txn would send it and fail only at run time.
    const misspelt: TxnArgument = [{ KV: { Verb: 'sett', Key: 'k', Value: '' } }];
    // @ts-expect-error a service `cas` must carry the ModifyIndex it compares against.
    const unguarded: TxnArgument = [{ Service: { Verb: 'cas', Node: 'cluster-1', Service: registration.services[0] } }];

    expect(ops.map((op) => Object.values(op)[0].Verb)).toEqual(['check-not-exists', 'set', 'cas', 'set', 'set', 'set', 'cas']);
    expect([misspelt, unguarded]).toHaveLength(2);
  });
});
