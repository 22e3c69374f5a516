import { describeTasksCalls, listTasksPages, minimumReconcileEcsCalls } from '../../../bench/churn/ecs-calls';

describe('the fewest ECS calls a reconcile can make', () => {
  it('is ceil(n/100) ListTasks pages and ceil(n/100) DescribeTasks calls per cluster', () => {
    expect([listTasksPages(500), describeTasksCalls(500)]).toEqual([5, 5]);
    expect([listTasksPages(100), describeTasksCalls(100)]).toEqual([1, 1]);
    expect([listTasksPages(103), describeTasksCalls(103)]).toEqual([2, 2]);
  });

  it('still lists an empty cluster once (one empty page) and describes nothing', () => {
    expect([listTasksPages(0), describeTasksCalls(0)]).toEqual([1, 0]);
  });

  it('is 200 for 20 clusters of 500 tasks', () => {
    expect(minimumReconcileEcsCalls(Array(20).fill(500))).toEqual({ listTasks: 100, describeTasks: 100, total: 200 });
  });

  it('sums clusters of different sizes (the integration test: 103, 2 and 1 tasks)', () => {
    expect(minimumReconcileEcsCalls([103, 2, 1])).toEqual({ listTasks: 4, describeTasks: 4, total: 8 });
  });

  it('rejects a count that is not a whole number of tasks', () => {
    expect(() => minimumReconcileEcsCalls([1.5])).toThrow(RangeError);
    expect(() => minimumReconcileEcsCalls([-1])).toThrow(RangeError);
  });
});
