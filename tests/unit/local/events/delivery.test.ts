/**
 * The delivery queue on its own (no HTTP): Lambda's async retries, fault injection order, and clean shutdown.
 */
import { LambdaDelivery, type DeliveryTarget } from '../../../../local/aws/events/delivery';
import { Faults } from '../../../../local/faults/faults';

const target: DeliveryTarget = {
  ruleArn: 'arn:aws:events:us-east-1:000000000000:rule/r',
  targetId: 't',
  functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:fn',
};

function recorder() {
  const calls: unknown[] = [];
  let fail = false;
  return {
    calls,
    failAlways: () => (fail = true),
    invokeLambda: async (_arn: string, event: unknown) => {
      calls.push(event);
      if (fail) throw new TypeError('boom');
    },
  };
}

describe('LambdaDelivery', () => {
  it('uses the retry delays given: their number is the number of retries', async () => {
    const fn = recorder();
    fn.failAlways();
    const delivery = new LambdaDelivery({ invokeLambda: fn.invokeLambda, retryDelaysMs: [1] });
    delivery.deliver('e1', target, { n: 1 });
    await delivery.drain();
    expect(fn.calls).toHaveLength(2);
    expect(delivery.onFailure()[0]).toMatchObject({
      requestContext: { approximateInvokeCount: 2, functionArn: `${target.functionArn}:$LATEST` },
      responsePayload: { errorType: 'TypeError', errorMessage: 'boom' },
      requestPayload: { n: 1 },
    });
  });

  it('keeps a qualified function ARN as it is in the on-failure record', async () => {
    const fn = recorder();
    fn.failAlways();
    const delivery = new LambdaDelivery({ invokeLambda: fn.invokeLambda, retryDelaysMs: [] });
    delivery.deliver('e1', { ...target, functionArn: `${target.functionArn}:live` }, {});
    await delivery.drain();
    expect(delivery.onFailure()[0].requestContext.functionArn).toBe(`${target.functionArn}:live`);
  });

  it('defaults to Lambda\'s waits of one and two minutes', async () => {
    const fn = recorder();
    fn.failAlways();
    const delivery = new LambdaDelivery({ invokeLambda: fn.invokeLambda });
    delivery.deliver('e1', target, {});
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(fn.calls).toHaveLength(1);
    await delivery.close();
  });

  it('close() abandons a delivery waiting to retry and lists it, so nothing disappears silently', async () => {
    const fn = recorder();
    fn.failAlways();
    const delivery = new LambdaDelivery({ invokeLambda: fn.invokeLambda, retryDelaysMs: [60_000, 120_000] });
    delivery.deliver('e1', target, { n: 1 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    await delivery.close();
    await delivery.drain();
    expect(fn.calls).toHaveLength(1);
    expect(delivery.onFailure()).toEqual([]);
    expect(delivery.abandonedOnClose()).toEqual([expect.objectContaining({ eventId: 'e1', attempts: 1, payload: { n: 1 } })]);
  });

  it('close() waits for a running invocation', async () => {
    let finished = false;
    const delivery = new LambdaDelivery({
      invokeLambda: async () => {
        await new Promise((resolve) => setTimeout(resolve, 30));
        finished = true;
      },
    });
    delivery.deliver('e1', target, {});
    await new Promise((resolve) => setTimeout(resolve, 5));
    await delivery.close();
    expect(finished).toBe(true);
    expect(delivery.abandonedOnClose()).toEqual([]);
  });

  it('reorder: each reordered delivery swaps with the one after it, which is not reordered itself', async () => {
    const fn = recorder();
    const faults = new Faults(3);
    faults.set({ events: { reorder: 1 } });
    const delivery = new LambdaDelivery({ invokeLambda: fn.invokeLambda, faults });
    for (const n of [1, 2, 3, 4, 5]) delivery.deliver(`e${n}`, target, n);
    await delivery.drain();
    expect(fn.calls).toEqual([2, 1, 4, 3, 5]);
    expect(delivery.injectedFaults().map((f) => f.eventId)).toEqual(['e1', 'e3', 'e5']);
  });

  it('reorder: deliveries to different targets are not swapped with each other', async () => {
    const fn = recorder();
    const faults = new Faults(3);
    faults.set({ events: { reorder: 1 } });
    const delivery = new LambdaDelivery({ invokeLambda: fn.invokeLambda, faults, reorderHoldMs: 10 });
    delivery.deliver('e1', target, 'a1');
    delivery.deliver('e2', { ...target, targetId: 'other' }, 'b1');
    await new Promise((resolve) => setTimeout(resolve, 40));
    // Both were held (each is the first for its target) and went when the hold ran out, without drain().
    expect([...fn.calls].sort()).toEqual(['a1', 'b1']);
    await delivery.drain();
  });

  it('rolls the faults in a fixed order with the seeded generator, so runs repeat', async () => {
    const run = async () => {
      const fn = recorder();
      const faults = new Faults(11);
      faults.set({ events: { drop: 0.3, duplicate: 0.3, delay: 0.3, delayMs: 1, reorder: 0.3 } });
      const delivery = new LambdaDelivery({ invokeLambda: fn.invokeLambda, faults });
      for (let n = 0; n < 20; n++) delivery.deliver(`e${n}`, target, n);
      await delivery.drain();
      return { log: delivery.injectedFaults().map((f) => `${f.fault}:${f.eventId}`), dropped: delivery.droppedByFault().length, calls: fn.calls.length };
    };
    const first = await run();
    expect(await run()).toEqual(first);
    const duplicates = first.log.filter((entry) => entry.startsWith('duplicate')).length;
    expect(first.calls).toBe(20 - first.dropped + duplicates);
  });
});
