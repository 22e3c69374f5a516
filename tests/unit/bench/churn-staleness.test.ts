import type { HandledEvent } from '../../../bench/churn/event-record';
import { compareWindows, eventPathWindows, pollingWindow } from '../../../bench/churn/staleness';

const event = (taskArn: string, over: Partial<HandledEvent>): HandledEvent => ({
  eventId: `${taskArn}-${over.emittedAt}`,
  taskArn,
  lastStatus: 'RUNNING',
  desiredStatus: 'RUNNING',
  action: 'ignored',
  emittedAt: 0,
  doneAt: 0,
  attempts: 1,
  ...over,
});

describe('pollingWindow', () => {
  it('is a wait uniform over [0, P) plus the reconcile duration, in closed form', () => {
    expect(pollingWindow(10_000, 500)).toEqual({ count: 0, min: 500, max: 10_500, mean: 5_500, p50: 5_500, p90: 9_500, p99: 10_400 });
  });

  it('is the bare wait when the reconcile takes no time', () => {
    expect(pollingWindow(10_000, 0)).toMatchObject({ p50: 5_000, p99: 9_900, max: 10_000 });
  });

  it('rejects a period that is not positive and a negative duration', () => {
    expect(() => pollingWindow(0, 10)).toThrow(RangeError);
    expect(() => pollingWindow(10_000, -1)).toThrow(RangeError);
  });
});

describe('eventPathWindows', () => {
  it('measures a stop from the first desiredStatus STOPPED event to the first committed deregistration of that task', () => {
    const events = [
      event('a', { desiredStatus: 'STOPPED', emittedAt: 100, doneAt: 150, action: 'deregistered' }),
      event('a', { lastStatus: 'DEACTIVATING', desiredStatus: 'STOPPED', emittedAt: 120, doneAt: 170, action: 'ignored', reason: 'already-deregistered' }),
    ];
    expect(eventPathWindows(events).stopToDeregisteredMs).toEqual([50]);
  });

  it('counts the later event when it is the one that committed (two events of a task raced)', () => {
    const events = [
      event('b', { desiredStatus: 'STOPPED', emittedAt: 100, doneAt: 400, action: 'ignored', reason: 'already-deregistered' }),
      event('b', { lastStatus: 'DEACTIVATING', desiredStatus: 'STOPPED', emittedAt: 200, doneAt: 300, action: 'deregistered' }),
    ];
    expect(eventPathWindows(events).stopToDeregisteredMs).toEqual([200]);
  });

  it('measures a new task from its RUNNING event to its registration, ignoring the starting events before it', () => {
    const events = [
      event('c', { lastStatus: 'PENDING', emittedAt: 10, doneAt: 20, reason: 'not-running-yet' }),
      event('c', { lastStatus: 'RUNNING', emittedAt: 50, doneAt: 80, action: 'registered' }),
      event('c', { lastStatus: 'RUNNING', emittedAt: 70, doneAt: 95, action: 'updated' }),
    ];
    expect(eventPathWindows(events)).toEqual({ stopToDeregisteredMs: [], runningToRegisteredMs: [30] });
  });

  it('leaves out a write whose change was not seen in the phase (the event came earlier)', () => {
    const events = [event('d', { desiredStatus: 'STOPPED', lastStatus: 'STOPPING', emittedAt: 5, doneAt: 9, action: 'ignored' }), event('e', { action: 'registered', lastStatus: 'RUNNING', emittedAt: 1, doneAt: 4 })];
    expect(eventPathWindows(events)).toEqual({ stopToDeregisteredMs: [], runningToRegisteredMs: [3] });
  });
});

describe('compareWindows', () => {
  it('summarises the event path and gives how many times longer polling takes at the median', () => {
    const comparison = compareWindows([100, 200, 300], pollingWindow(10_000, 0));
    expect(comparison.eventPathMs).toMatchObject({ count: 3, p50: 200 });
    expect(comparison.p50Ratio).toBe(25);
  });
});
