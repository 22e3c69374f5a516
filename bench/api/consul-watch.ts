/**
 * Watching a service's instances in Consul for the first one of a new task-definition revision, with blocking
 * queries on `/v1/health/service/<name>` (the answer comes as soon as the catalog changes, not at a poll tick).
 */
import { performance } from 'node:perf_hooks';
import { ConditionTimedOut } from '../lib/clock';
import { isRecord } from './http';

/** The Meta key every instance carries its task's task-definition ARN under (`layers/domain/registration/keys.ts`). */
const TASK_DEFINITION_META = 'task-definition-arn';

/** An instance as the health endpoint answers it, reduced to what the benchmark reads. */
export type HealthInstance = { id: string; taskDefinitionArn?: string; passing: boolean };

/** The instances of a health answer (`[{Service, Checks}]`); anything of another shape is skipped. */
export function parseHealthEntries(body: unknown): HealthInstance[] {
  if (!Array.isArray(body)) return [];
  const instances: HealthInstance[] = [];
  for (const entry of body) {
    if (!isRecord(entry) || !isRecord(entry.Service) || typeof entry.Service.ID !== 'string') continue;
    const meta = isRecord(entry.Service.Meta) ? entry.Service.Meta : {};
    const arn = meta[TASK_DEFINITION_META];
    const checks = Array.isArray(entry.Checks) ? entry.Checks : [];
    instances.push({
      id: entry.Service.ID,
      ...(typeof arn === 'string' ? { taskDefinitionArn: arn } : {}),
      // `?passing` semantics: an instance is passing when every check of its entry is (node checks included).
      passing: checks.every((check: unknown) => isRecord(check) && check.Status === 'passing'),
    });
  }
  return instances;
}

/** The task-definition revisions the instances run. */
export function revisionsOf(instances: readonly HealthInstance[]): Set<string> {
  return new Set(instances.flatMap((i) => (i.taskDefinitionArn ? [i.taskDefinitionArn] : [])));
}

/** The instances of a revision that is not among `baseline` (the revisions that ran before the rollout). */
export function newRevisionInstances(instances: readonly HealthInstance[], baseline: ReadonlySet<string>): HealthInstance[] {
  return instances.filter((i) => i.taskDefinitionArn !== undefined && !baseline.has(i.taskDefinitionArn));
}

/** A health read: the instances and `X-Consul-Index`, the index to block on next. */
export type HealthRead = { instances: HealthInstance[]; index: number };

/** Reads `/v1/health/service/<service>`; with `index`, a blocking query that answers once it changes (or `wait` ends). */
export async function readHealth(
  consulUrl: string,
  token: string,
  service: string,
  options: { index?: number; waitSeconds?: number; signal?: AbortSignal } = {},
): Promise<HealthRead> {
  const query = options.index === undefined ? '' : `?index=${options.index}&wait=${options.waitSeconds ?? 5}s`;
  const response = await fetch(`${consulUrl}/v1/health/service/${encodeURIComponent(service)}${query}`, {
    headers: { 'x-consul-token': token },
    signal: options.signal,
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`Consul answered ${response.status} for the health of ${service}: ${text.slice(0, 200)}`);
  return { instances: parseHealthEntries(JSON.parse(text)), index: Number(response.headers.get('x-consul-index') ?? 0) };
}

/** When (`performance.now()`) the first instance of a new revision was seen registered, and passing. */
export type FirstNewInstance = { instance: HealthInstance; registeredAt: number; passingAt: number };

/**
 * Blocks on the service's health from `from` (a read taken before the rollout was requested) until an instance of
 * a revision outside `baseline` is registered and one is passing. Each time is taken when the answer arrives, so
 * it includes the blocking query's own return trip (well under a millisecond over loopback).
 */
export async function watchFirstNewInstance(
  consulUrl: string,
  token: string,
  service: string,
  from: HealthRead,
  baseline: ReadonlySet<string>,
  options: { timeoutMs: number; signal?: AbortSignal },
): Promise<FirstNewInstance> {
  const deadline = performance.now() + options.timeoutMs;
  let index = from.index;
  let registered: { instance: HealthInstance; at: number } | undefined;
  for (;;) {
    const remainingMs = deadline - performance.now();
    if (remainingMs <= 0) throw new ConditionTimedOut(`no instance of a new revision of ${service} was ${registered ? 'passing' : 'registered'} within ${options.timeoutMs} ms`);
    const read = await readHealth(consulUrl, token, service, { index, waitSeconds: Math.max(1, Math.ceil(remainingMs / 1000)), signal: options.signal });
    const at = performance.now();
    // Consul's rule for blocking clients: an index that went backwards means a reset; start again from 0.
    index = read.index < index ? 0 : read.index;
    const fresh = newRevisionInstances(read.instances, baseline);
    if (!registered && fresh.length > 0) registered = { instance: fresh[0], at };
    const passing = fresh.find((i) => i.passing);
    if (registered && passing) return { instance: registered.instance, registeredAt: registered.at, passingAt: at };
  }
}
