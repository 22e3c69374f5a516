import type { HistoryEvent, HistoryEventType } from '@aws-sdk/client-sfn';
import { destroyProgress } from '../../../layers/deploy/teardown-progress';

/** A teardown's stages from its execution history: running, done, failed, cancelled, and the tasks still stopping. */
let id = 0;
const entered = (name: string): HistoryEvent => ({ id: ++id, type: name.endsWith('?') ? 'ChoiceStateEntered' : 'TaskStateEntered', timestamp: new Date(), stateEnteredEventDetails: { name } });
const exited = (name: string, output: unknown): HistoryEvent => ({ id: ++id, type: 'TaskStateExited', timestamp: new Date(), stateExitedEventDetails: { name, output: JSON.stringify(output) } });
const execution = (type: HistoryEventType): HistoryEvent => ({ id: ++id, type, timestamp: new Date() });
const states = (events: HistoryEvent[]) => destroyProgress(events).map((s) => `${s.name}:${s.state}`);

describe('a teardown’s progress', () => {
  it('marks earlier stages done as later ones start, and keeps the tasks a draining stage still waits for', () => {
    const events = [
      entered('Prepare'),
      entered('IngressRemove'),
      exited('IngressRemove', { ingress: { round: 1, done: false, deleted: [], remaining: [{ id: 'ingress/gw', tasks: 2 }] } }),
      entered('IngressRemoved?'),
    ];
    expect(states(events)).toEqual(['prepare:done', 'ingress:running', 'services:pending', 'consul:pending', 'servers:pending', 'cleanup:pending', 'summary:pending']);
    expect(destroyProgress(events)[1]).toMatchObject({ remaining: [{ id: 'ingress/gw', tasks: 2 }], round: 1 });
  });

  it('applies events in id order, whatever order they arrive in', () => {
    const events = [entered('Prepare'), entered('IngressRemove'), entered('ServicesRemove')];
    expect(states([...events].reverse())).toEqual(states(events));
  });

  it('marks the stage a Failed:<stage> state names as failed', () => {
    const events = [entered('Prepare'), entered('IngressRemove'), entered('ServicesRemove'), entered('Failed:services'), entered('RecordFailure'), execution('ExecutionFailed')];
    expect(states(events).slice(0, 3)).toEqual(['prepare:done', 'ingress:done', 'services:failed']);
  });

  it('leaves the running stage cancelled when the execution is stopped, and every stage done when it succeeds', () => {
    expect(states([entered('Prepare'), entered('RemoveFromConsul'), execution('ExecutionAborted')])[3]).toBe('consul:cancelled');
    expect(new Set(states([entered('Prepare'), entered('Finish'), execution('ExecutionSucceeded')]).map((s) => s.split(':')[1]))).toEqual(new Set(['done']));
  });
});
