import { driftAddress, packOps, planDrift, type NodeEntry } from '../../../bench/churn/drift';
import { MAX_TXN_OPS, type TxnOp } from '../../../layers/domain/registration';

/** A synthetic node of `tasks` tasks, each an instance and its sidecar proxy, as buildRegistration writes them. */
function node(tasks: number): NodeEntry[] {
  return Array.from({ length: tasks }, (_, i) => {
    const taskId = String(i).padStart(4, '0');
    const meta = { 'task-arn': `arn:aws:ecs:us-east-1:000000000000:task/c1/${taskId}` };
    return [
      { ID: `web-${taskId}`, Service: 'web', Address: `10.0.0.${i % 250}`, Port: 8080, Tags: ['v1'], Meta: meta },
      { ID: `web-${taskId}-sidecar-proxy`, Service: 'web-sidecar-proxy', Kind: 'connect-proxy', Address: `10.0.0.${i % 250}`, Port: 20000, Tags: ['v1'], Meta: meta },
    ];
  }).flat();
}

const serviceOps = (ops: TxnOp[]) => ops.flatMap((op) => ('Service' in op ? [op.Service] : []));

describe('planDrift', () => {
  it('drifts every 20th task for 5 %, alternately losing its registration and moving its instance', () => {
    const plan = planDrift('c1', node(500), 0.05);

    expect(plan.lost).toHaveLength(13);
    expect(plan.moved).toHaveLength(12);
    expect(new Set([...plan.lost, ...plan.moved]).size).toBe(25);
    expect(plan.lost[0]).toMatch(/\/0019$/);
    expect(plan.moved[0]).toMatch(/\/0039$/);
  });

  it('deletes every entry of a lost task and its checks, and moves only the instance of a moved one', () => {
    const plan = planDrift('c1', node(40), 0.05);
    const ops = plan.transactions.flat();

    expect(ops).toEqual(
      expect.arrayContaining([
        { Service: { Verb: 'delete', Node: 'c1', Service: { ID: 'web-0019', Service: 'web' } } },
        { Service: { Verb: 'delete', Node: 'c1', Service: { ID: 'web-0019-sidecar-proxy', Service: 'web-sidecar-proxy' } } },
        { Check: { Verb: 'delete', Check: { Node: 'c1', CheckID: 'web-0019:ecs-health' } } },
        { Check: { Verb: 'delete', Check: { Node: 'c1', CheckID: 'web-0019-sidecar-proxy:ecs-health' } } },
      ]),
    );
    const moved = serviceOps(ops).filter((s) => s.Verb === 'set');
    expect(moved).toEqual([
      { Verb: 'set', Node: 'c1', Service: { ID: 'web-0039', Service: 'web', Address: driftAddress(1), Port: 8080, Tags: ['v1'], Meta: { 'task-arn': 'arn:aws:ecs:us-east-1:000000000000:task/c1/0039' } } },
    ]);
  });

  it('packs the operations into transactions within Consul\'s 128-operation limit', () => {
    const plan = planDrift('c1', node(2000), 0.05);
    expect(plan.transactions.length).toBeGreaterThan(1);
    for (const txn of plan.transactions) expect(txn.length).toBeLessThanOrEqual(MAX_TXN_OPS);
    expect(plan.transactions.flat()).toHaveLength(50 * 4 + 50 * 1);
  });

  it('leaves entries no task owns alone', () => {
    const foreign: NodeEntry = { ID: 'legacy', Service: 'legacy', Address: '10.1.1.1', Port: 80, Meta: null };
    const plan = planDrift('c1', [foreign], 1);
    expect(plan).toEqual({ lost: [], moved: [], transactions: [] });
  });

  it('rejects a share outside (0, 1]', () => {
    expect(() => planDrift('c1', node(10), 0)).toThrow(RangeError);
    expect(() => planDrift('c1', node(10), 1.5)).toThrow(RangeError);
  });
});

describe('driftAddress', () => {
  it('numbers addresses within 10.255.0.0/16, outside the simulated VPC range 10.0.0.0/16', () => {
    expect(driftAddress(1)).toBe('10.255.0.1');
    expect(driftAddress(300)).toBe('10.255.1.44');
  });
});

describe('packOps', () => {
  const group = (n: number, tag: string): TxnOp[] => Array.from({ length: n }, (_, i) => ({ KV: { Verb: 'set', Key: `${tag}/${i}`, Value: '' } }));

  it('never splits one task\'s operations across transactions', () => {
    const txns = packOps([group(3, 'a'), group(3, 'b'), group(3, 'c')], 7);
    expect(txns.map((t) => t.length)).toEqual([6, 3]);
  });

  it('puts nothing in no transaction', () => {
    expect(packOps([])).toEqual([]);
  });
});
