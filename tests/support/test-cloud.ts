import type { MeshCloudOptions } from '../../cli/local-cloud';

/** ECS's task lifecycle with no simulated delays (a restart still backs off a little, so a crash loop cannot spin). */
export const ZERO_ECS_DELAYS = { provisioningMs: 0, pendingMs: 0, activatingMs: 0, runningMs: 0, stoppingMs: 0, restartBackoffMs: 5, maxRestartBackoffMs: 20 };

/**
 * The options of a local cloud for a test: free ports, no simulated delays (ECS, Step Functions' waits and retries,
 * Lambda's async retries after 20 and 40 ms), the cloud's own log off and the functions' logs at ERROR. A test
 * spreads them and overrides what it needs (slower task starts, a data directory, the functions' environment).
 */
export function testCloudOptions(rootDir: string): MeshCloudOptions {
  return {
    rootDir,
    ports: { aws: 0, consul: 0, httpApi: 0 },
    ecsDelays: { ...ZERO_ECS_DELAYS },
    stepFunctionsTimeScale: 0,
    eventRetryDelaysMs: [20, 40],
    logger: () => undefined,
    functionEnvironment: { LOG_LEVEL: 'ERROR', POWERTOOLS_METRICS_DISABLED: 'true' },
  };
}
