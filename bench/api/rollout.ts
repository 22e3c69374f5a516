/**
 * One rollout through the API, timed from the request: to the first task of the new revision registered in Consul
 * (and the first passing), and to the rollout's SUCCEEDED.
 */
import type { SFNClient } from '@aws-sdk/client-sfn';
import { performance } from 'node:perf_hooks';
import type { LocalCloud } from '@consul-mesh/local-cloud';
import { readHealth, revisionsOf, watchFirstNewInstance, type FirstNewInstance } from './consul-watch';
import { executionArnOf, waitForExecutionEnd } from './execution';
import { expectAnswer, jsonBody, stringField, UnexpectedAnswer, type ApiClient } from './http';
import { LIMITS } from './settings';

export type RolloutSample = {
  image: string;
  /** POST /services/{service}/rollouts until its 202. */
  postMs: number;
  /** Request sent → the first instance of the new revision is in the catalog (any health). */
  firstRegisteredMs: number;
  /** Request sent → the first instance of the new revision is passing. */
  firstPassingMs: number;
  /** Request sent → the rollout execution's stopDate (SUCCEEDED). */
  succeededMs: number;
  /** The revision the rollout registered, e.g. `users:3`. */
  revision: string;
};

export type RolloutContext = { cloud: LocalCloud; api: ApiClient; sfn: SFNClient; consulToken: string };

/**
 * Rolls `service` out to `image` with no bake and waits for SUCCEEDED. The Consul watch starts from a read taken
 * before the request, so no registration is missed; the revisions running then are the baseline: any other is new.
 */
export async function measureRollout(context: RolloutContext, service: string, image: string): Promise<RolloutSample> {
  const { cloud, api, sfn, consulToken } = context;
  const consulUrl = cloud.endpoints.consul;
  const before = await readHealth(consulUrl, consulToken, service);
  const baseline = revisionsOf(before.instances);
  if (baseline.size === 0) throw new UnexpectedAnswer(`no instance of ${service} is registered before the rollout`);

  const abort = new AbortController();
  const watch = watchFirstNewInstance(consulUrl, consulToken, service, before, baseline, { timeoutMs: LIMITS.rolloutMs, signal: abort.signal });
  // Settled either way, so an aborted watch is not an unhandled rejection.
  const watched = watch.then(
    (value): { ok: true; value: FirstNewInstance } => ({ ok: true, value }),
    (error: unknown): { ok: false; error: unknown } => ({ ok: false, error }),
  );
  const sentAt = performance.now();
  const sentAtEpochMs = Date.now();
  let started: Record<string, unknown>;
  try {
    const answer = await api.post(`/services/${service}/rollouts?pollSeconds=0&maxRounds=400`, jsonBody({ image, bakeSeconds: 0 }));
    started = expectAnswer(answer, 202, `POST /services/${service}/rollouts`);
  } catch (error) {
    abort.abort();
    await watched;
    throw error;
  }
  const postMs = performance.now() - sentAt;
  const id = stringField(started, 'id', 'POST rollouts');
  const executionArn = executionArnOf(cloud.stateMachines.rolloutService, stringField(started, 'execution', 'POST rollouts'));

  const end = await waitForExecutionEnd(sfn, executionArn, { timeoutMs: LIMITS.rolloutMs, intervalMs: LIMITS.pollIntervalMs });
  if (end.status !== 'SUCCEEDED') {
    abort.abort();
    await watched;
    throw new UnexpectedAnswer(`rollout ${id} of ${service} to ${image} ended ${end.status}: ${end.error ?? ''} ${end.cause ?? ''}`.trim());
  }
  // SUCCEEDED means every new task is registered and passing, so the watch has its answer by now.
  const seen = await watched;
  if (!seen.ok) throw seen.error;

  const view = expectAnswer(await api.get(`/services/${service}/rollouts/${id}`), 200, 'GET rollout');
  if (view.status !== 'SUCCEEDED' || view.newTaskDefinitionArn !== seen.value.instance.taskDefinitionArn) {
    throw new UnexpectedAnswer(
      `GET rollout says ${String(view.status)} with revision ${String(view.newTaskDefinitionArn)}, Consul saw ${String(seen.value.instance.taskDefinitionArn)} first`,
    );
  }
  await cloud.settle();
  return {
    image,
    postMs,
    firstRegisteredMs: seen.value.registeredAt - sentAt,
    firstPassingMs: seen.value.passingAt - sentAt,
    succeededMs: end.stopDate.getTime() - sentAtEpochMs,
    revision: String(view.newTaskDefinitionArn).split('/').pop() ?? '',
  };
}
