/**
 * POST /deployments, measured on a cloud whose deployments can be held idle (see `PARKED_POLL_SECONDS`):
 * - "started": the POST that starts a deployment, one at a time (the API runs one deployment per mesh); between
 *   samples, untimed, the execution is left to park in a wait state and is then cancelled through the API, so no
 *   sample competes with the previous deployment's work;
 * - "attached": the same spec again while one runs, joined without starting anything;
 * - "conflict": another spec of the mesh while one runs, refused with 409.
 * The last two run at concurrency 1 and 8 against one parked deployment.
 */
import type { SFNClient } from '@aws-sdk/client-sfn';
import { SSMClient } from '@aws-sdk/client-ssm';
import { performance } from 'node:perf_hooks';
import type { LocalCloud } from '@consul-mesh/local-cloud';
import { measureLoad } from '../lib/load';
import { summarize } from '../lib/stats';
import type { LoopPair, SeriesFigures } from './figures';
import { ApiClient, errorCode, expectAnswer, jsonBody, UnexpectedAnswer, type ApiAnswer } from './http';
import { ParkedDeployments, type StartedDeployment } from './parked-deployments';
import { CONCURRENT, SERIAL, STARTS } from './settings';
import { referenceSpec, variantSpec } from './specs';

export type PostFigures = {
  /** The first POST of a fresh cloud (the API's and the authorizer's functions load on it), apart from `started`. */
  coldStartMs: number;
  started: SeriesFigures;
  /** POST /deployments/{id}/cancel of each started deployment (StopExecution and the lock's release). */
  cancel: SeriesFigures;
  attached: LoopPair;
  conflict: LoopPair;
  /** Deployment labels removed between samples (SSM's 10-labels-per-version limit, see `ssm-labels.ts`). */
  labelsRemoved: number;
};

/** Runs the three POST measurements; leaves no deployment running. */
export async function measurePostDeployments(cloud: LocalCloud, sfn: SFNClient, log: (message: string) => void): Promise<PostFigures> {
  const api = new ApiClient(cloud.endpoints.httpApi, cloud.apiToken);
  const ssm = new SSMClient({ endpoint: cloud.endpoints.aws, region: cloud.config.region, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const deployments = new ParkedDeployments(cloud, api, sfn, ssm);
  const spec = referenceSpec();
  const body = jsonBody(spec);
  try {
    log(`POST /deployments that starts a deployment: 1 cold + up to ${STARTS.samples}, each parked and cancelled before the next`);
    const cold = await deployments.start(body);
    await deployments.park(cold);
    await deployments.cancel(cold);
    const startMs: number[] = [];
    const cancelMs: number[] = [];
    const deadline = performance.now() + STARTS.maxDurationMs;
    while (startMs.length < STARTS.samples && performance.now() < deadline) {
      const started = await deployments.start(body);
      startMs.push(started.ms);
      await deployments.park(started);
      cancelMs.push(await deployments.cancel(started));
    }

    const held = await deployments.start(body);
    await deployments.park(held);
    log(`POST /deployments of the running spec (joined) and of another spec (409), at concurrency ${SERIAL.concurrency} and ${CONCURRENT.concurrency}`);
    const loops = await measureWhileHeld(held, async () => {
      const attachedCall = async () => expectJoined(await api.post('/deployments', body), held.id);
      const attached = { serial: await measureLoad(attachedCall, SERIAL), concurrent: await measureLoad(attachedCall, CONCURRENT) };
      const variant = jsonBody(variantSpec(spec));
      const conflictCall = async () => expectConflict(await api.post('/deployments', variant));
      const conflict = { serial: await measureLoad(conflictCall, SERIAL), concurrent: await measureLoad(conflictCall, CONCURRENT) };
      return { attached, conflict };
    }, deployments);
    return {
      coldStartMs: cold.ms,
      started: { samples: startMs.length, latencyMs: summarize(startMs) },
      cancel: { samples: cancelMs.length, latencyMs: summarize(cancelMs) },
      ...loops,
      labelsRemoved: deployments.labelsRemoved,
    };
  } finally {
    ssm.destroy();
  }
}

/** Runs `measure` while `held` runs, then cancels it; a measurement's error wins over the cancel's. */
async function measureWhileHeld<T>(held: StartedDeployment, measure: () => Promise<T>, deployments: ParkedDeployments): Promise<T> {
  let result: T;
  try {
    result = await measure();
  } catch (error) {
    await deployments.cancel(held).catch(() => undefined);
    throw error;
  }
  await deployments.cancel(held);
  return result;
}

function expectJoined(answer: ApiAnswer, runningId: string): void {
  const joined = expectAnswer(answer, 202, 'POST /deployments (same spec)');
  if (joined.attached !== true || joined.id !== runningId) {
    throw new UnexpectedAnswer(`POST /deployments of the running spec answered id ${String(joined.id)}, attached ${String(joined.attached)}; expected ${runningId}, attached`);
  }
}

function expectConflict(answer: ApiAnswer): void {
  expectAnswer(answer, 409, 'POST /deployments (another spec)');
  const code = errorCode(answer.body);
  if (code !== 'ConcurrentOperation') throw new UnexpectedAnswer(`409 with error code ${String(code)}, expected ConcurrentOperation`);
}
