/**
 * A worker process: starts one fresh local cloud, deploys the reference mesh (and deploys it again when the
 * scenario asks), sends the measurements to its parent and exits.
 *
 * Each measurement needs its own process: the local cloud invokes handlers in-process, and a handler module builds
 * its clients and reads its Consul token once per container (module state), as on Lambda. A second cloud in the same
 * process would reach them still pointing at the first one's ports and token.
 *
 * Run by `runScenarioInWorker` (`run-worker.ts`); `tsx bench/deploy/worker.ts '<scenario JSON>'` prints the result.
 */
import { performance } from 'node:perf_hooks';
import { loadDefinition } from './asl';
import { runDeployment, sfnClient, type DeploymentMeasurement } from './execution';
import type { WorkerResult } from './run-worker';
import type { Scenario } from './scenarios';
import { DEPLOY_ASL_FILE, PROJECT_ROOT, referenceSpec, uploadReferenceContexts } from './spec';
import { startLocalCloud } from '../../cli/local-cloud';

/** A deployment ended otherwise than the benchmark requires (its figure would time a failure). */
export class UnexpectedDeploymentOutcome extends Error {
  override readonly name = 'UnexpectedDeploymentOutcome';
}

async function measure(scenario: Scenario): Promise<WorkerResult> {
  const definition = loadDefinition(DEPLOY_ASL_FILE);
  const spec = referenceSpec();
  const startBegin = performance.now();
  const cloud = await startLocalCloud({
    rootDir: PROJECT_ROOT,
    ports: { aws: 0, consul: 0, httpApi: 0 },
    ecsDelays: scenario.ecsDelays,
    buildDurationMs: scenario.buildDurationMs,
    stepFunctionsTimeScale: scenario.stepFunctionsTimeScale,
    eventRetryDelaysMs: scenario.eventRetryDelaysMs,
    // Quiet functions: log lines and metrics output would be measured along with the deployment.
    functionEnvironment: { LOG_LEVEL: 'ERROR', POWERTOOLS_METRICS_DISABLED: 'true' },
    logger: () => undefined,
    ...(scenario.iam === undefined ? {} : { iam: scenario.iam }),
  });
  const cloudStartMs = performance.now() - startBegin;
  await uploadReferenceContexts(cloud);
  const sfn = sfnClient(cloud);
  try {
    const options = { settings: scenario.settings, timeoutMs: scenario.timeoutMs, definition };
    const fresh = expectOutcome(await runDeployment(cloud, sfn, spec, options), false, 'fresh deployment');
    const noChange = scenario.redeploy ? expectOutcome(await runDeployment(cloud, sfn, spec, options), true, 'no-change re-deploy') : undefined;
    return { cloudStartMs, fresh, noChange };
  } finally {
    sfn.destroy();
    await cloud.stop();
  }
}

function expectOutcome(run: DeploymentMeasurement, noChange: boolean, what: string): DeploymentMeasurement {
  if (run.status !== 'SUCCEEDED') {
    throw new UnexpectedDeploymentOutcome(`${what} ended ${run.status}: ${run.error ?? ''} ${run.cause ?? ''}`.trim());
  }
  if (run.noChange !== noChange) throw new UnexpectedDeploymentOutcome(`${what} reported noChange=${String(run.noChange)}, expected ${noChange}`);
  return run;
}

async function main(): Promise<void> {
  const scenario = JSON.parse(process.argv[2] ?? 'null') as Scenario | null;
  if (!scenario) throw new RangeError('usage: worker.ts <scenario JSON>');
  const result = await measure(scenario);
  if (process.send) await new Promise<void>((resolve, reject) => process.send?.({ ok: true, result }, undefined, {}, (error) => (error ? reject(error) : resolve())));
  else console.log(JSON.stringify(result));
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      if (process.send) process.send({ ok: false, error: message }, undefined, {}, () => process.exit(1));
      else {
        console.error(message);
        process.exit(1);
      }
    },
  );
}
