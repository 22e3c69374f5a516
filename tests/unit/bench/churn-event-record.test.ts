import { EventRecorder, summarizeEventPath, type HandledEvent } from '../../../bench/churn/event-record';

describe('EventRecorder', () => {
  let clock: number;
  let recorder: EventRecorder;
  beforeEach(() => {
    clock = 0;
    recorder = new EventRecorder(() => clock);
  });

  it('times an event from its emission to the handler return, with the outcome', () => {
    recorder.emitted('e1', 'arn:task/1');
    clock = 5;
    expect(recorder.invoked('e1')).toBe(true);
    clock = 12;
    recorder.handled('e1', { action: 'registered', lastStatus: 'RUNNING', desiredStatus: 'RUNNING' });

    const { events, failures } = recorder.take();

    expect(events).toEqual([{ eventId: 'e1', taskArn: 'arn:task/1', emittedAt: 0, doneAt: 12, attempts: 1, action: 'registered', lastStatus: 'RUNNING', desiredStatus: 'RUNNING' }]);
    expect(failures).toEqual([]);
    expect(recorder.inFlight).toBe(0);
  });

  it('keeps a failed event in flight until its last attempt, then gives it up', () => {
    recorder.emitted('e2', 'arn:task/2');
    for (let attempt = 1; attempt <= 3; attempt++) {
      recorder.invoked('e2');
      recorder.failed('e2', Object.assign(new Error('x'), { name: 'ConsulUnavailable' }));
      expect(recorder.inFlight).toBe(attempt < 3 ? 1 : 0);
    }
    expect(recorder.take().failures.map((f) => [f.error, f.final])).toEqual([
      ['ConsulUnavailable', false],
      ['ConsulUnavailable', false],
      ['ConsulUnavailable', true],
    ]);
  });

  it('counts the attempts of an event that succeeded on a retry', () => {
    recorder.emitted('e3', 'arn:task/3');
    recorder.invoked('e3');
    recorder.failed('e3', new Error('once'));
    recorder.invoked('e3');
    recorder.handled('e3', { action: 'ignored', reason: 'stale', lastStatus: 'RUNNING', desiredStatus: 'RUNNING' });
    expect(recorder.take().events[0].attempts).toBe(2);
  });

  it('refuses an event it never saw emitted, and does not time one invoked without emission', () => {
    expect(recorder.invoked('ghost')).toBe(false);
    expect(() => recorder.handled('ghost', { action: 'ignored', lastStatus: 'RUNNING', desiredStatus: 'RUNNING' })).toThrow(RangeError);
  });

  it('starts afresh after take, keeping events still in flight', () => {
    recorder.emitted('a', 't');
    recorder.emitted('b', 't');
    recorder.handled('a', { action: 'ignored', lastStatus: 'PENDING', desiredStatus: 'RUNNING' });
    expect(recorder.take().events).toHaveLength(1);
    expect(recorder.take().events).toHaveLength(0);
    expect(recorder.inFlight).toBe(1);
  });
});

describe('summarizeEventPath', () => {
  const handled = (action: HandledEvent['action'], emittedAt: number, doneAt: number, extra: Partial<HandledEvent> = {}): HandledEvent => ({
    eventId: `${action}-${emittedAt}`,
    taskArn: 't',
    lastStatus: 'RUNNING',
    desiredStatus: 'RUNNING',
    action,
    emittedAt,
    doneAt,
    attempts: 1,
    ...extra,
  });
  const events = [
    handled('ignored', 0, 10, { reason: 'not-running-yet' }),
    handled('registered', 100, 130),
    handled('updated', 600, 620),
    handled('deregistered', 1000, 1040, { attempts: 2 }),
    handled('ignored', 1200, 2000, { reason: 'already-deregistered' }),
  ];

  it('gives events/s over the span from first emission to last return, and latencies per action', () => {
    const figures = summarizeEventPath(events, { consulWrites: 3, guardConflicts: 0, handlerFailures: 1, lostEvents: 0 });
    expect(figures.events).toBe(5);
    expect(figures.durationMs).toBe(2000);
    expect(figures.eventsPerSecond).toBe(2.5);
    expect(figures.latencyMs).toMatchObject({ min: 10, max: 800, p50: 30 });
    expect(figures.actions).toEqual({ ignored: 2, registered: 1, updated: 1, deregistered: 1 });
    expect(figures.latencyByActionMs.deregistered).toMatchObject({ count: 1, p50: 40 });
    expect(figures.ignoredReasons).toEqual({ 'not-running-yet': 1, 'already-deregistered': 1 });
    expect(figures.retriedEvents).toBe(1);
  });

  it('divides Raft writes by the transitions the model applies, not by all events', () => {
    expect(summarizeEventPath(events, { consulWrites: 3, guardConflicts: 0, handlerFailures: 0, lostEvents: 0 })).toMatchObject({
      appliedTransitions: 3,
      writesPerAppliedTransition: 1,
      writesPerEvent: 0.6,
    });
    expect(summarizeEventPath(events, { consulWrites: 4, guardConflicts: 1, handlerFailures: 0, lostEvents: 0 }).writesPerAppliedTransition).toBeCloseTo(4 / 3);
  });

  it('refuses an empty phase rather than report figures it did not measure', () => {
    expect(() => summarizeEventPath([], { consulWrites: 0, guardConflicts: 0, handlerFailures: 0, lostEvents: 0 })).toThrow(RangeError);
  });
});
