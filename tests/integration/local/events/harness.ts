/**
 * Wiring for the EventBridge integration tests: the provider behind a local JSON-protocol endpoint, the real
 * `@aws-sdk/client-eventbridge` pointed at it, and a fake `invokeLambda` that records every invocation and can be
 * told to fail.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { Faults } from '../../../../local/faults/faults';
import { EventsProvider, type EventsProviderOptions } from '../../../../local/aws/events/provider';
import { startTestEndpoint, type TestEndpoint } from './test-endpoint';

export interface Invocation {
  readonly functionArn: string;
  readonly event: Record<string, unknown>;
  readonly at: number;
}

/** What the fake function does with one invocation; throwing (or rejecting) is a function error. */
export type FunctionBehaviour = (functionArn: string, event: Record<string, unknown>) => void | Promise<void>;

export interface EventsHarness {
  readonly provider: EventsProvider;
  readonly client: EventBridgeClient;
  readonly faults: Faults;
  readonly invocations: Invocation[];
  /** Replaces what the fake functions do (default: succeed). */
  behave(behaviour: FunctionBehaviour): void;
  close(): Promise<void>;
}

export const REGION = 'us-east-1';

export function functionArn(name: string): string {
  return `arn:aws:lambda:${REGION}:000000000000:function:${name}`;
}

export async function startEventsHarness(options: Partial<Omit<EventsProviderOptions, 'invokeLambda'>> = {}): Promise<EventsHarness> {
  const faults = options.faults ?? new Faults(42);
  const invocations: Invocation[] = [];
  let behaviour: FunctionBehaviour = () => undefined;
  const provider = new EventsProvider({
    retryDelaysMs: [5, 10],
    ...options,
    faults,
    invokeLambda: async (arn, event) => {
      invocations.push({ functionArn: arn, event: event as Record<string, unknown>, at: Date.now() });
      await behaviour(arn, event as Record<string, unknown>);
    },
  });
  const endpoint: TestEndpoint = await startTestEndpoint([provider]);
  const client = new EventBridgeClient({
    endpoint: endpoint.url,
    region: REGION,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  return {
    provider,
    client,
    faults,
    invocations,
    behave: (next) => {
      behaviour = next;
    },
    close: async () => {
      client.destroy();
      await provider.close();
      await endpoint.close();
    },
  };
}

/** Polls until `condition` holds (or fails the test after `timeoutMs`). */
export async function waitFor(condition: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The error an SDK call rejects with (fails the test if it resolves). */
export async function errorOf(call: Promise<unknown>): Promise<{ name: string; message: string; status?: number }> {
  try {
    await call;
  } catch (error) {
    const e = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode };
  }
  throw new Error('expected the call to fail');
}
