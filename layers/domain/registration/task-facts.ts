import { DATAPLANE_CONTAINER } from '../ecs/containers';
import type { EcsTask } from './task-schema';

/** Consul check statuses this model writes: ECS health maps onto two of them (DESIGN.md section 6). */
export type CheckStatus = 'passing' | 'critical';

/**
 * Where a task is in its life, as far as the catalog cares:
 * - `stopping`: ECS decided to stop it (`desiredStatus = STOPPED`, even while `lastStatus` is still RUNNING) or it
 *   is on its way down (DEACTIVATING, STOPPING, DEPROVISIONING, STOPPED). It must leave the catalog at once, before
 *   its containers die, so no new traffic is sent to it.
 * - `running`: RUNNING, or still PENDING/ACTIVATING with its consul-dataplane container already running. The
 *   second case matters: the app container waits for the dataplane to be HEALTHY, the dataplane is healthy only
 *   once Envoy got its configuration, which Consul serves only for a registered proxy, and ECS reports the task
 *   RUNNING only once every container started. Registering when the proxy runs breaks that cycle; the check stays
 *   critical until ECS reports the task RUNNING and HEALTHY, so no traffic arrives early.
 * - `starting`: anything earlier (PROVISIONING, PENDING, ...).
 */
export type TaskPhase = 'starting' | 'running' | 'stopping';

const DOWN_STATUSES = new Set(['DEACTIVATING', 'STOPPING', 'DEPROVISIONING', 'STOPPED', 'DELETED']);

export function taskPhase(task: EcsTask): TaskPhase {
  if (task.desiredStatus === 'STOPPED' || DOWN_STATUSES.has(task.lastStatus)) return 'stopping';
  if (task.lastStatus === 'RUNNING') return 'running';
  if (task.containers.some((c) => c.name === DATAPLANE_CONTAINER && c.lastStatus === 'RUNNING')) return 'running';
  return 'starting';
}

/**
 * The task's private IPv4 address: from a container's network interface (`privateIpv4Address`) or else from the
 * ENI attachment's details (`privateIPv4Address`, note the capitalisation). Host and bridge mode tasks have
 * neither: their address is the container instance's, which the caller must look up and pass as an option.
 */
export function taskAddress(task: EcsTask): string | undefined {
  for (const container of task.containers) {
    for (const ni of container.networkInterfaces) if (ni.privateIpv4Address) return ni.privateIpv4Address;
  }
  for (const attachment of task.attachments) {
    const detail = attachment.details.find((d) => d.name === 'privateIPv4Address' && d.value);
    if (detail?.value) return detail.value;
  }
  return undefined;
}

/** HEALTHY (and RUNNING) → passing; UNHEALTHY, UNKNOWN or not yet RUNNING → critical. */
export function checkStatus(task: EcsTask): CheckStatus {
  return task.lastStatus === 'RUNNING' && task.healthStatus === 'HEALTHY' ? 'passing' : 'critical';
}

/** The check's Output: the ECS state it was derived from, readable in the Consul UI. */
export function checkOutput(task: EcsTask): string {
  const unhealthy = task.containers.filter((c) => c.healthStatus === 'UNHEALTHY').map((c) => c.name);
  const base = `ECS task ${task.lastStatus} (desired ${task.desiredStatus}), health ${task.healthStatus ?? 'UNKNOWN'}`;
  return unhealthy.length > 0 ? `${base}; unhealthy containers: ${unhealthy.join(', ')}` : base;
}

/** `stopCode: stoppedReason` when ECS gave them, for deregistration reasons and tombstones. */
export function stopDetail(task: EcsTask): string | undefined {
  const parts = [task.stopCode, task.stoppedReason].filter((p): p is string => p !== undefined && p !== '');
  return parts.length > 0 ? parts.join(': ') : undefined;
}
