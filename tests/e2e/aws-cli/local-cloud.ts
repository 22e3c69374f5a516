/**
 * The local AWS endpoint (SigV4-verifying, as `npm start` runs it) with the providers a suite needs, on a free
 * loopback port, plus an isolated AWS CLI pointed at it.
 */
import { Faults, type RestServiceProvider, type ServiceProvider, startAwsEndpoint, type AwsEndpoint } from '@consul-mesh/local-cloud';
import { createAwsCli, type AwsCli } from './cli';

export interface CliCloud {
  readonly endpoint: AwsEndpoint;
  readonly cli: AwsCli;
  readonly faults: Faults;
  /** Stops the endpoint and removes the CLI's directory (the providers are closed by their owners). */
  close(): Promise<void>;
}

/** The account every local resource belongs to, as it appears in ARNs. */
export const ACCOUNT = '000000000000';
export const REGION = 'us-east-1';

export async function startCliCloud(providers: ServiceProvider[], faults = new Faults(1), restProvider?: RestServiceProvider): Promise<CliCloud> {
  const endpoint = await startAwsEndpoint({ port: 0, providers, faults, restProvider });
  let cli: AwsCli;
  try {
    cli = createAwsCli(endpoint.url);
  } catch (error) {
    await endpoint.stop();
    throw error;
  }
  return {
    endpoint,
    cli,
    faults,
    async close() {
      cli.cleanup();
      await endpoint.stop();
    },
  };
}

/** Polls `probe` until it returns something other than undefined/false (in-process state, no CLI calls). */
export async function until<T>(probe: () => T | undefined | false, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Asserts that a CLI-rendered timestamp (epoch ms after parsing) falls between `since` and now, give or take 1 s. */
export function expectRecent(ms: number, since: number): void {
  expect(ms).toBeGreaterThanOrEqual(since - 1_000);
  expect(ms).toBeLessThanOrEqual(Date.now() + 1_000);
}
