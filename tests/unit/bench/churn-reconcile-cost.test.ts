import { assertNoDriftCost, ReconcileCostExceeded, type ReconcileRunFigures } from '../../../bench/churn/reconcile-phase';

const run = (ecsCallsByOperation: { [operation: string]: number }, consulWrites = 0): ReconcileRunFigures => ({
  ms: 1500,
  ecsCalls: Object.values(ecsCallsByOperation).reduce((a, b) => a + b, 0),
  ecsCallsByOperation,
  consulReads: 61,
  consulCallsByMethod: {},
  consulWrites,
  repaired: {},
  unchanged: 10_000,
  conflicts: 0,
  failedClusters: [],
});
const MINIMUM = { listTasks: 100, describeTasks: 100 };

describe('the cost a reconcile with no drift may have', () => {
  it('accepts exactly the pages ECS needs and no write', () => {
    expect(() => assertNoDriftCost(run({ DescribeTasks: 100, ListTasks: 100 }), MINIMUM)).not.toThrow();
  });

  it.each([
    ['one more DescribeTasks', { ListTasks: 100, DescribeTasks: 101 }, 0],
    ['a call of another operation', { ListTasks: 100, DescribeTasks: 100, DescribeServices: 1 }, 0],
    ['fewer calls than the pages (a page skipped)', { ListTasks: 100, DescribeTasks: 99 }, 0],
    ['a Consul write', { ListTasks: 100, DescribeTasks: 100 }, 1],
  ])('refuses %s', (_name, calls, writes) => {
    expect(() => assertNoDriftCost(run(calls, writes), MINIMUM)).toThrow(ReconcileCostExceeded);
  });
});
