import type { HealthCheck } from '@aws-sdk/client-ecs';
import type { HealthCheckSpec, ServiceSpec } from '../spec/schema';
import { SERVER_RUNTIME } from '../consul/runtime-contract';

/** ECS container health check bounds (ECS API reference, HealthCheck): values outside are rejected. */
const ECS_HEALTH_LIMITS = {
  interval: { min: 5, max: 300 },
  timeout: { min: 2, max: 60 },
  retries: { min: 1, max: 10 },
  startPeriod: { min: 0, max: 300 },
} as const;

/** Seconds of a Consul-style duration (`5s`, `250ms`, `1m`), rounded up: ECS counts whole seconds. */
export function durationSeconds(duration: string): number {
  const match = /^(\d+)(ms|s|m)$/.exec(duration);
  if (!match) throw new RangeError(`not a duration: "${duration}"`);
  const n = Number(match[1]);
  if (match[2] === 'ms') return Math.ceil(n / 1000);
  return match[2] === 'm' ? n * 60 : n;
}

function clamp(value: number, bounds: { min: number; max: number }): number {
  return Math.min(bounds.max, Math.max(bounds.min, value));
}

/** Quotes a word for `sh -c`: single quotes, with any single quote closed, escaped and reopened. */
export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * The app container's health check from the spec.
 *
 * - `healthCheck.command` (ECS's `["CMD", ...]` / `["CMD-SHELL", "..."]`) is used as given: the user knows what
 *   their image contains.
 * - Otherwise HTTP services are probed with `wget` on their health path over 127.0.0.1 (the check runs inside the
 *   task's network namespace, before the proxy), gRPC and TCP services with a TCP connect (`nc -z`), since an HTTP
 *   path means nothing to them. Both are busybox applets of the Alpine-based sample images (docker/services, on
 *   `node:<version>-alpine`), and the same probe as those images' own HEALTHCHECK. `curl` is not in them: a `curl`
 *   check would leave every app task UNHEALTHY and the deployment circuit breaker would roll it back. `wget` rather
 *   than `node -e "fetch(...)"`: a busybox applet costs a fork, a Node.js process ~40 MB and tens of milliseconds of
 *   CPU every interval on a 0.25 vCPU task. ECS's timeout stops the probe; `-T` also bounds it inside the container.
 *
 * The spec's durations are converted to whole seconds and clamped to what ECS accepts (interval 5-300 s,
 * timeout 2-60 s).
 */
export function buildAppHealthCheck(service: Pick<ServiceSpec, 'port' | 'protocol'> & { healthCheck: HealthCheckSpec }): HealthCheck {
  const hc = service.healthCheck;
  const timeout = clamp(durationSeconds(hc.timeout), ECS_HEALTH_LIMITS.timeout);
  return {
    command: hc.command ? [...hc.command] : ['CMD-SHELL', defaultAppProbe(service, timeout)],
    interval: clamp(durationSeconds(hc.interval), ECS_HEALTH_LIMITS.interval),
    timeout,
    retries: clamp(hc.retries, ECS_HEALTH_LIMITS.retries),
    startPeriod: clamp(hc.startPeriodSeconds, ECS_HEALTH_LIMITS.startPeriod),
  };
}

/** The executables the default app probes call: what an app image needs when the spec gives no command. */
export const DEFAULT_APP_PROBE_EXECUTABLES = { http: 'wget', tcp: 'nc' } as const;

function defaultAppProbe(service: Pick<ServiceSpec, 'port' | 'protocol' | 'healthCheck'>, timeoutSeconds: number): string {
  if (service.protocol === 'http' || service.protocol === 'http2') {
    const url = `http://127.0.0.1:${service.port}${service.healthCheck.path}`;
    return `${DEFAULT_APP_PROBE_EXECUTABLES.http} -q -T ${timeoutSeconds} -O /dev/null ${shellQuote(url)} || exit 1`;
  }
  return `${DEFAULT_APP_PROBE_EXECUTABLES.tcp} -z 127.0.0.1 ${service.port} || exit 1`;
}

/**
 * `curl` of a URL inside the task, failing on any non-2xx answer. The URL comes from the consul layer's launch
 * contract (an address and port the rendered configuration opens), never from the spec, so it needs no quoting
 * beyond the check that it is a plain loopback URL.
 */
function curlProbe(url: string): string {
  if (!/^http:\/\/127\.0\.0\.1:\d+\/[A-Za-z0-9/_-]*$/.test(url)) throw new RangeError(`not a loopback health-check URL: ${JSON.stringify(url)}`);
  return `curl -sf ${url} > /dev/null || exit 1`;
}

/** Seconds Envoy takes, once consul-dataplane starts, to receive its first configuration and report ready. */
const ENVOY_START_SECONDS = 15;

/**
 * The dataplane is healthy once Envoy reports ready: its ready endpoint (buildDataplaneLaunch's healthCheckUrl, where
 * the rendered dataplane configuration binds it) answers 200 only after Envoy received its first configuration over
 * xDS. The dataplane image (ours, docker/) ships `curl`.
 *
 * The start period covers the entrypoint's wait for the proxy's registration (`registrationTimeoutSeconds`, before
 * consul-dataplane and Envoy start) plus Envoy's own start: ECS does not count failed checks within it, and a service
 * task counted UNHEALTHY is replaced, which would cut the wait short. A check that passes ends the period at once, so
 * a task whose proxy is registered promptly is HEALTHY as early as before.
 */
export function buildDataplaneHealthCheck(url: string, registrationTimeoutSeconds: number): HealthCheck {
  return {
    command: ['CMD-SHELL', curlProbe(url)],
    interval: 5,
    timeout: 2,
    retries: 3,
    startPeriod: clamp(registrationTimeoutSeconds + ENVOY_START_SECONDS + 15, ECS_HEALTH_LIMITS.startPeriod),
  };
}

/**
 * ECS's longest start period (HealthCheck.startPeriod, 0-300 s): a new datacenter's servers need it (see below).
 */
const SERVER_START_PERIOD_SECONDS = ECS_HEALTH_LIMITS.startPeriod.max;

/**
 * A server is healthy only while Consul's autopilot reports it as a voter that is caught up with the leader: the
 * image's `consul-server-healthcheck` (SERVER_RUNTIME.healthCheck, docker/consul-server/healthcheck.sh) reads
 * `url` (buildServerLaunch's healthCheckUrl: `/v1/operator/autopilot/health` on the rendered `ports.http`) with the
 * agent token (operator:read) and finds this server's entry by its node ID: `Voter` (autopilot promotes a new
 * server after `server_stabilization_time`, 10 s) and `Healthy` (last contact within `last_contact_threshold`, its
 * log within `max_trailing_logs` of the leader's).
 *
 * Why: ECS stops an old task of a rolling deployment only while minimumHealthyPercent of the tasks stay HEALTHY, and
 * a task with a container health check counts only once HEALTHY. "The agent answers HTTP" was true seconds after the
 * start, before the replacement had joined and replicated the log, so ECS could stop an old server while the new one
 * could not yet carry the quorum. With this check the roll waits for each replacement to be a caught-up voter.
 *
 * A new datacenter (the first deployment, or every server lost at once) has no leader until `bootstrap_expect`
 * servers joined, and no agent token until the ACL step (or the recovery) created it: the check fails until then.
 * ECS does not count failures within the start period, so it is ECS's maximum (300 s): enough for the servers to
 * start and elect a leader, and for the deployment's ACL step or the next recovery tick (every `reconcileRate`, a
 * minute by default). A passing check ends the start period at once. The exec form needs no shell.
 * Not "healthy while no leader is known": a replacement that cannot reach the cluster (a wrong gossip key, a
 * certificate the others refuse) knows no leader either, and would be counted healthy in a roll.
 */
export function buildServerHealthCheck(url: string): HealthCheck {
  if (!/^http:\/\/127\.0\.0\.1:\d+\/[A-Za-z0-9/_-]*$/.test(url)) throw new RangeError(`not a loopback health-check URL: ${JSON.stringify(url)}`);
  return {
    command: ['CMD', SERVER_RUNTIME.healthCheck, url],
    interval: 10,
    timeout: 5,
    retries: 3,
    startPeriod: SERVER_START_PERIOD_SECONDS,
  };
}
