import { EXECUTION_NAME_MAX, newOperationId } from '../executions/execution-name';
import { meshParameterPrefix } from '../domain/naming';

/**
 * Names of a rollout: its id (`r-<yyyymmddHHMMss>-<6 base36>`) and its Step Functions execution name
 * (`<service>-<yyyymmddHHMMss>-<6 base36>`).
 *
 * The execution name is the only store of "which service, which rollout": ListExecutions filters by nothing
 * else, and knowing the service and the id gives the execution ARN directly (no listing) for
 * GET /services/{service}/rollouts/{id}. Names are at most 80 characters, so a service name (a DNS label of up to
 * 63) is cut to fit; the execution input's `service` is then what tells two services of a common prefix apart.
 */

const ID_PATTERN = /^r-(\d{14}-[0-9a-z]{6})$/;
const NAME_PATTERN = /^(.+)-(\d{14}-[0-9a-z]{6})$/;
/** 80 minus "-" and the 21-character suffix. */
export const SERVICE_PART_MAX = EXECUTION_NAME_MAX - 1 - 21;

/** A new rollout id. @example newRolloutId(new Date('2025-03-04T05:06:07Z')) // 'r-20250304050607-k3x9q0' */
export function newRolloutId(now: Date = new Date(), random?: () => string): string {
  return newOperationId('r', now, random);
}

export function isRolloutId(id: string): boolean {
  return ID_PATTERN.test(id);
}

/**
 * The execution name of a rollout.
 * @throws RangeError for an id not of the form `r-<yyyymmddHHMMss>-<6 base36>`.
 * @example rolloutExecutionName('users', 'r-20250304050607-k3x9q0') // 'users-20250304050607-k3x9q0'
 */
export function rolloutExecutionName(service: string, rolloutId: string): string {
  const suffix = ID_PATTERN.exec(rolloutId)?.[1];
  if (!suffix) throw new RangeError(`rollout id "${rolloutId}" is not of the form r-<yyyymmddHHMMss>-<6 base36>`);
  return `${service.slice(0, SERVICE_PART_MAX)}-${suffix}`;
}

/** Reads a rollout execution name back; undefined for names not made here. */
export function parseRolloutExecutionName(name: string): { servicePart: string; rolloutId: string } | undefined {
  const match = NAME_PATTERN.exec(name);
  return match ? { servicePart: match[1], rolloutId: `r-${match[2]}` } : undefined;
}

/** True when an execution name may belong to `service` (its service part is the name as cut). */
export function nameMatchesService(name: string, service: string): boolean {
  return parseRolloutExecutionName(name)?.servicePart === service.slice(0, SERVICE_PART_MAX);
}

/** The SSM parameter that locks a service while one rollout runs: `/consul-mesh/<mesh>/rollouts/<service>/lock`. */
export function rolloutLockName(mesh: string, service: string, root = '/consul-mesh'): string {
  return `${meshParameterPrefix({ name: mesh }, root)}/rollouts/${service}/lock`;
}
