/**
 * Event fault injection (`faults.current.events`) in the delivery path: each fault is observable as injected —
 * in the invocations, and in the provider's fault log (and, for drops, the dropped-by-fault list).
 */
import { PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { Faults } from '../../../../local/faults/faults';
import { functionArn, startEventsHarness, type EventsHarness } from './harness';

const TARGET = functionArn('register-task');

function entries(...seqs: number[]) {
  return seqs.map((seq) => ({ Source: 'mesh.test', DetailType: 'Step', Detail: JSON.stringify({ seq }) }));
}

function seqsDelivered(h: EventsHarness): unknown[] {
  return h.invocations.map((i) => (i.event.detail as { seq: number }).seq);
}

describe('event fault injection in EventBridge delivery (local, real SDK)', () => {
  let h: EventsHarness;

  beforeEach(async () => {
    h = await startEventsHarness({ faults: new Faults(7) });
    await h.client.send(new PutRuleCommand({ Name: 'steps', EventPattern: '{"source": ["mesh.test"]}' }));
    await h.client.send(new PutTargetsCommand({ Rule: 'steps', Targets: [{ Id: 'fn', Arn: TARGET }] }));
  });

  afterEach(async () => {
    await h.close();
  });

  it('delivers every event once, in order, when no fault is set', async () => {
    await h.client.send(new PutEventsCommand({ Entries: entries(1, 2, 3) }));
    await h.provider.drain();
    expect(seqsDelivered(h)).toEqual([1, 2, 3]);
    expect(h.provider.injectedFaults()).toEqual([]);
  });

  it('drop: the event is never invoked, and is counted and listed as dropped by fault', async () => {
    h.faults.set({ events: { drop: 1 } });
    const put = await h.client.send(new PutEventsCommand({ Entries: entries(1) }));
    await h.provider.drain();

    expect(h.invocations).toEqual([]);
    const eventId = put.Entries?.[0].EventId;
    expect(h.provider.droppedByFault()).toEqual([
      expect.objectContaining({ eventId, functionArn: TARGET, targetId: 'fn', attempts: 0, payload: expect.objectContaining({ id: eventId }) }),
    ]);
    expect(h.provider.injectedFaults()).toEqual([expect.objectContaining({ fault: 'drop', eventId })]);
    expect(h.provider.onFailure()).toEqual([]);
  });

  it('duplicate: the same event (same id) is delivered twice', async () => {
    h.faults.set({ events: { duplicate: 1 } });
    const put = await h.client.send(new PutEventsCommand({ Entries: entries(1) }));
    await h.provider.drain();

    const eventId = put.Entries?.[0].EventId;
    expect(h.invocations.map((i) => i.event.id)).toEqual([eventId, eventId]);
    expect(h.provider.injectedFaults()).toEqual([expect.objectContaining({ fault: 'duplicate', eventId })]);
  });

  it('delay: the event is held back delayMs, so a later event overtakes it', async () => {
    h.faults.set({ events: { delay: 1, delayMs: 80 } });
    const putAt = Date.now();
    await h.client.send(new PutEventsCommand({ Entries: entries(1) }));
    h.faults.set({ events: { delay: 0 } });
    await h.client.send(new PutEventsCommand({ Entries: entries(2) }));
    await h.provider.drain();

    expect(seqsDelivered(h)).toEqual([2, 1]);
    expect(h.invocations[1].at - putAt).toBeGreaterThanOrEqual(78);
    expect(h.provider.injectedFaults().map((f) => f.fault)).toEqual(['delay']);
  });

  it('reorder: the event is swapped with the next one to the same target', async () => {
    h.faults.set({ events: { reorder: 1 } });
    await h.client.send(new PutEventsCommand({ Entries: entries(1, 2) }));
    await h.provider.drain();

    expect(seqsDelivered(h)).toEqual([2, 1]);
    expect(h.provider.injectedFaults().map((f) => f.fault)).toEqual(['reorder']);
  });

  it('reorder: a held event with nothing to swap with is still delivered (drain releases it)', async () => {
    h.faults.set({ events: { reorder: 1 } });
    await h.client.send(new PutEventsCommand({ Entries: entries(1) }));
    await h.provider.drain();
    expect(seqsDelivered(h)).toEqual([1]);
  });

  it('is reproducible: the same seed drops the same events', async () => {
    const runOnce = async (): Promise<unknown[]> => {
      h.faults.reset(99);
      h.faults.set({ events: { drop: 0.5 } });
      h.invocations.length = 0;
      await h.client.send(new PutEventsCommand({ Entries: entries(1, 2, 3, 4, 5, 6, 7, 8, 9, 10) }));
      await h.provider.drain();
      return seqsDelivered(h);
    };
    const first = await runOnce();
    const second = await runOnce();
    expect(second).toEqual(first);
    expect(first.length).toBeGreaterThan(0);
    expect(first.length).toBeLessThan(10);
    // Every event is accounted for: delivered or listed as dropped.
    expect(first.length * 2 + h.provider.droppedByFault().length).toBe(20);
  });
});
