import { describeOutcome, describeRepairs, describeRun, OUTCOME_CHOICES, servicesOf } from '../../../ui/src/model/activity';
import { TASK_OUTCOMES } from '../../../layers/api/activity';

describe("the Activity view's model", () => {
  it('says every outcome the API can answer with a word and a symbol, not only a colour', () => {
    expect([...OUTCOME_CHOICES].sort()).toEqual([...TASK_OUTCOMES].sort());
    for (const outcome of TASK_OUTCOMES) {
      const d = describeOutcome(outcome);
      expect(d.text.length).toBeGreaterThan(3);
      expect(d.symbol).not.toBe('');
    }
    expect(describeOutcome('ignored-stale')).toEqual({ text: 'ignored: stale', symbol: '↺', tone: 'idle' });
  });

  it("words a reconcile run by what it repaired, what failed, or that it found no drift", () => {
    const repairs = { registered: 1, deregistered: 1, updatedAddress: 0, updatedCheck: 0, updatedRegistration: 0, tombstonesExpired: 0 };

    expect(describeRepairs({ repairs })).toBe('1 registered, 1 deregistered');
    expect(describeRun({ kind: 'reconcile', time: '', repairs })).toMatchObject({ text: 'repaired 2', symbol: '⟳' });
    expect(describeRun({ kind: 'reconcile', time: '', repairs: { registered: 0 } })).toMatchObject({ text: 'no drift', symbol: '✓' });
    expect(describeRun({ kind: 'reconcile', time: '', repairs, failedClusters: ['cluster-2'] })).toMatchObject({ text: 'failed in cluster-2', tone: 'bad' });
  });

  it('offers the services seen so far, sorted, for the filter', () => {
    expect(servicesOf([{ kind: 'task', time: '', service: 'users' }, { kind: 'reconcile', time: '' }, { kind: 'task', time: '', service: 'todos' }], ['users'])).toEqual(['todos', 'users']);
  });
});
