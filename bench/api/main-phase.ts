/**
 * The reference mesh deployed through the API, then GET /deployments/{id} of that finished deployment at
 * concurrency 1 and 8, then rollouts of one service timed to Consul and to SUCCEEDED. Zero simulated delays.
 */
import type { SFNClient } from '@aws-sdk/client-sfn';
import { performance } from 'node:perf_hooks';
import type { LocalCloud } from '@consul-mesh/local-cloud';
import { measureLoad } from '../lib/load';
import { bootstrapToken } from './cloud';
import { countHistoryEvents, executionArnOf, waitForExecutionEnd } from './execution';
import { ApiClient, expectAnswer, jsonBody, stringField, UnexpectedAnswer, type ApiAnswer } from './http';
import type { LoopPair } from './figures';
import { measureRollout, type RolloutSample } from './rollout';
import { CONCURRENT, LIMITS, ROLLOUTS, SERIAL } from './settings';
import { referenceSpec, rolloutImage } from './specs';

export type MainFigures = {
  /**
   * The reference deployment through the API: POST → its 202, and → the execution's stopDate (SUCCEEDED); the
   * number of events in its history.
   */
  deploy: { postMs: number; succeededMs: number; historyEvents: number };
  /** GET of the deployment above: each reads its whole history (the per-stage progress is derived from it). */
  getDeployment: LoopPair;
  /** The first rollout of the cloud (the rollout functions load on it), not among `rollouts`. */
  coldRollout: RolloutSample;
  rollouts: RolloutSample[];
};

export async function measureMain(cloud: LocalCloud, sfn: SFNClient, log: (message: string) => void): Promise<MainFigures> {
  const api = new ApiClient(cloud.endpoints.httpApi, cloud.apiToken);

  log('deploying the reference mesh through POST /deployments (zero delays)');
  const sentAt = performance.now();
  const sentAtEpochMs = Date.now();
  const started = expectAnswer(await api.post('/deployments?pollSeconds=0&maxRounds=400', jsonBody(referenceSpec())), 202, 'POST /deployments');
  const postMs = performance.now() - sentAt;
  const id = stringField(started, 'id', 'POST /deployments');
  const executionArn = executionArnOf(cloud.stateMachines.deployMesh, stringField(started, 'execution', 'POST /deployments'));
  const end = await waitForExecutionEnd(sfn, executionArn, { timeoutMs: LIMITS.deployMs, intervalMs: LIMITS.pollIntervalMs });
  if (end.status !== 'SUCCEEDED') throw new UnexpectedAnswer(`the reference deployment ended ${end.status}: ${end.error ?? ''} ${end.cause ?? ''}`.trim());
  await cloud.settle();

  log(`GET /deployments/${id} at concurrency ${SERIAL.concurrency} and ${CONCURRENT.concurrency}`);
  const historyEvents = await countHistoryEvents(sfn, executionArn);
  const getCall = async () => expectFinished(await api.get(`/deployments/${id}`), id);
  const getDeployment = { serial: await measureLoad(getCall, SERIAL), concurrent: await measureLoad(getCall, CONCURRENT) };

  const consulToken = await bootstrapToken(cloud);
  log(`rollout of ${ROLLOUTS.service} → ${rolloutImage(ROLLOUTS.images, 0)} (bakeSeconds 0), cold: reported apart`);
  const coldRollout = await measureRollout({ cloud, api, sfn, consulToken }, ROLLOUTS.service, rolloutImage(ROLLOUTS.images, 0));
  const rollouts: RolloutSample[] = [];
  const deadline = performance.now() + ROLLOUTS.maxDurationMs;
  for (let n = 1; n <= ROLLOUTS.count && performance.now() < deadline; n++) {
    const image = rolloutImage(ROLLOUTS.images, n);
    log(`rollout ${n}/${ROLLOUTS.count}: ${ROLLOUTS.service} → ${image} (bakeSeconds 0)`);
    rollouts.push(await measureRollout({ cloud, api, sfn, consulToken }, ROLLOUTS.service, image));
  }
  return { deploy: { postMs, succeededMs: end.stopDate.getTime() - sentAtEpochMs, historyEvents }, getDeployment, coldRollout, rollouts };
}

/** A GET of the finished deployment: 200, its id, SUCCEEDED. */
function expectFinished(answer: ApiAnswer, id: string): Record<string, unknown> {
  const view = expectAnswer(answer, 200, 'GET /deployments/{id}');
  if (view.id !== id || view.status !== 'SUCCEEDED') throw new UnexpectedAnswer(`GET /deployments/${id} answered ${String(view.id)} ${String(view.status)}`);
  return view;
}
