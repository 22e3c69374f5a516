import { executionArnOf, ParkDetector } from '../../../bench/api/execution';

describe('executionArnOf', () => {
  it('builds an execution ARN from its state machine ARN and name', () => {
    expect(executionArnOf('arn:aws:states:us-east-1:000000000000:stateMachine:consul-mesh-local-deploy-mesh', 'reference-mesh-24a66a3f3644-20261125013021-8box06')).toBe(
      'arn:aws:states:us-east-1:000000000000:execution:consul-mesh-local-deploy-mesh:reference-mesh-24a66a3f3644-20261125013021-8box06',
    );
  });

  it('refuses an ARN that is not a state machine', () => {
    expect(() => executionArnOf('arn:aws:states:us-east-1:000000000000:execution:x:y', 'z')).toThrow(RangeError);
  });
});

describe('ParkDetector', () => {
  it('counts an execution as parked once its newest event is a wait and nothing is added for the quiet period', () => {
    const detector = new ParkDetector(100);
    expect(detector.observe({ id: 38, type: 'WaitStateEntered' }, 0)).toBe(false);
    expect(detector.observe({ id: 38, type: 'WaitStateEntered' }, 60)).toBe(false);
    expect(detector.observe({ id: 38, type: 'WaitStateEntered' }, 100)).toBe(true);
  });

  it('starts the quiet period again when another event arrives (a Map item entering its wait later)', () => {
    const detector = new ParkDetector(100);
    detector.observe({ id: 38, type: 'WaitStateEntered' }, 0);
    expect(detector.observe({ id: 52, type: 'WaitStateEntered' }, 90)).toBe(false);
    expect(detector.observe({ id: 52, type: 'WaitStateEntered' }, 150)).toBe(false);
    expect(detector.observe({ id: 52, type: 'WaitStateEntered' }, 190)).toBe(true);
  });

  it('never counts a quiet execution whose newest event is not a wait (a Lambda still running), nor an empty history', () => {
    const detector = new ParkDetector(10);
    expect(detector.observe(undefined, 0)).toBe(false);
    detector.observe({ id: 84, type: 'LambdaFunctionStarted' }, 0);
    expect(detector.observe({ id: 84, type: 'LambdaFunctionStarted' }, 1_000)).toBe(false);
  });
});
