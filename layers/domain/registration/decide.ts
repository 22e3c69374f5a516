import type { MeshSpec } from '../spec/schema';
import { clusterNameFromArn, instanceId, serviceNameFromGroup, sidecarId, taskIdFromArn } from '../naming';
import { healthCheckId } from './keys';
import { findMember, meshClusterNames, type RegistrableMember } from './membership';
import type { StoredRegistration } from './stored';
import { checkStatus, stopDetail, taskAddress, taskPhase, type TaskPhase } from './task-facts';
import type { EcsTask } from './task-schema';

export type IgnoreReason = 'stale' | 'duplicate' | 'not-in-mesh' | 'not-running-yet' | 'no-address' | 'already-deregistered';

/** Why a task leaves the catalog. `left-mesh`: registered earlier, but its service is no longer in the spec. */
export type DeregisterReason = 'desired-stopped' | 'stopping' | 'stopped' | 'left-mesh';

export interface RegistrationChange {
  field: 'address' | 'status' | 'version';
  from: string;
  to: string;
}

/** What to delete for a task: its node (the cluster), the instance and proxy (IDs and names) and check IDs. */
export interface RegistrationIds {
  node: string;
  serviceIds: string[];
  /** The same entries with their service names, which a transaction's delete must carry for its ACL check. */
  services: Array<{ ID: string; Service: string }>;
  checkIds: string[];
}

export type Decision =
  /** `address` is what to register (pass it to buildRegistration as `opts.address`). */
  | { action: 'register'; member: RegistrableMember; address: string }
  | { action: 'update'; member: RegistrableMember; address: string; changes: RegistrationChange[] }
  | { action: 'deregister'; reason: DeregisterReason; detail?: string; ids: RegistrationIds; wasRegistered: boolean }
  /** A Consul server task started or is stopping: nothing to register, but whatever follows the servers must refresh. */
  | { action: 'servers-changed'; phase: 'running' | 'stopping'; taskArn: string }
  | { action: 'ignore'; reason: IgnoreReason };

export interface DecideOptions {
  /** The task's address when it has no ENI (host/bridge mode): the container instance's private IP. */
  address?: string;
}

/**
 * Decides what one task state (from an event or from DescribeTasks) does to the catalog, given what the catalog
 * holds for the task (`stored`: undefined, the registered instance's Meta, or a tombstone — see stored.ts).
 * Pure; the catalog writer (churn/catalog-writer.ts) reads `stored`, calls this, and writes at most one
 * transaction. The rules that need no stored state are also offered on their own, for a caller that has not read
 * the catalog yet: decideBeforeRead.
 *
 * Rules, in order:
 * 1. A tombstone → ignore `already-deregistered`: an ECS task never runs again once stopping, so a late RUNNING
 *    event (at-least-once, out-of-order delivery) must not bring it back.
 * 2. Versions (ECS `version` increments per change): apply an event only if newer than the version in Meta —
 *    lower → `stale`, equal → `duplicate`.
 * 3. Consul server tasks → `servers-changed` (running or stopping), never registered.
 * 4. Not a task of the spec's services or gateway → `not-in-mesh`, unless it is registered: then `deregister`
 *    (`left-mesh`).
 * 5. Stopping (`desiredStatus = STOPPED`, even while still RUNNING, or any later status) → `deregister` at once,
 *    before its containers stop. Also when nothing is registered (STOPPED before RUNNING arrived): the
 *    deregistration writes the tombstone that keeps a late RUNNING out.
 * 6. Not registered: not running yet → `not-running-yet`; running without an address → `no-address`;
 *    otherwise → `register`.
 * 7. Registered, and the event is newer → `update`, always: its `changes` name the address and check status
 *    that differ, and the version. The version alone is reason enough to write: were a newer event that changes
 *    nothing else skipped, Meta would keep the older version and a still older event arriving later (RUNNING and
 *    HEALTHY v4 after UNHEALTHY v5) would pass the version test and overwrite the newer state. One Raft write
 *    per ECS transition is the cost the design accepts (DESIGN.md section 6).
 */
export function decide(stored: StoredRegistration | undefined, task: EcsTask, spec: MeshSpec, opts: DecideOptions = {}): Decision {
  if (stored?.state === 'deregistered') return { action: 'ignore', reason: 'already-deregistered' };
  if (stored && task.version < stored.version) return { action: 'ignore', reason: 'stale' };
  if (stored && task.version === stored.version) return { action: 'ignore', reason: 'duplicate' };

  const member = findMember(spec, task);
  const phase = taskPhase(task);
  if (member?.role === 'server') return serverDecision(task, phase);
  if (!member) {
    if (stored) return { action: 'deregister', reason: 'left-mesh', ids: registrationIdsOf(task, undefined), wasRegistered: true };
    return { action: 'ignore', reason: 'not-in-mesh' };
  }

  if (phase === 'stopping') {
    return { action: 'deregister', reason: stopReason(task), detail: stopDetail(task), ids: registrationIds(member), wasRegistered: stored !== undefined };
  }
  if (!stored) {
    if (phase === 'starting') return { action: 'ignore', reason: 'not-running-yet' };
    const address = opts.address ?? taskAddress(task);
    return address ? { action: 'register', member, address } : { action: 'ignore', reason: 'no-address' };
  }

  // A registered task keeps its address when an event carries none (host mode without the caller's lookup).
  const address = opts.address ?? taskAddress(task) ?? stored.address;
  const changes: RegistrationChange[] = [];
  if (stored.address !== address) changes.push({ field: 'address', from: stored.address, to: address });
  const status = checkStatus(task);
  if (stored.status !== status) changes.push({ field: 'status', from: stored.status, to: status });
  changes.push({ field: 'version', from: String(stored.version), to: String(task.version) });
  return { action: 'update', member, address, changes };
}

/** What decideBeforeRead settles without the catalog, or the member whose entries must be read for `decide`. */
export type EarlyDecision =
  | { action: 'read-catalog'; member: RegistrableMember | undefined }
  | Extract<Decision, { action: 'servers-changed' }>
  | { action: 'ignore'; reason: Extract<IgnoreReason, 'not-in-mesh' | 'not-running-yet'> };

/**
 * The rules of `decide` that need no stored state, for a caller that has not read the catalog yet (the event
 * handler), so that most events cost no Consul read. What they settle is what `decide` answers for a task with
 * nothing stored; with something stored they answer otherwise only where rules 3 and 4 say why. In order:
 * 1. A task of a cluster that is not the mesh's → `not-in-mesh`.
 * 2. A Consul server task → `servers-changed` (rule 3 of decide), or `not-running-yet` while it starts.
 * 3. Not a member of the spec and not stopping → `not-in-mesh`. A registered one (its service left the spec) is
 *    left to the reconcile, so tasks of other workloads sharing a mesh cluster cost nothing; a stopping one must be
 *    read (`left-mesh`, decide's rule 4).
 * 4. A member still starting (PROVISIONING … ACTIVATING, its dataplane not running) → `not-running-yet`, whatever
 *    the catalog holds: ECS container states only move forward, so a registered task is never "starting" again.
 * Anything else → `read-catalog`: read the task's entries and tombstone, then `decide`.
 *
 * @example const early = decideBeforeRead(task, spec); if (early.action === 'read-catalog') decide(await read(early.member), task, spec);
 */
export function decideBeforeRead(task: EcsTask, spec: MeshSpec): EarlyDecision {
  if (!meshClusterNames(spec).has(clusterNameFromArn(task.clusterArn))) return { action: 'ignore', reason: 'not-in-mesh' };
  const member = findMember(spec, task);
  const phase = taskPhase(task);
  if (member?.role === 'server') return serverDecision(task, phase);
  if (!member) return phase === 'stopping' ? { action: 'read-catalog', member: undefined } : { action: 'ignore', reason: 'not-in-mesh' };
  if (phase === 'starting') return { action: 'ignore', reason: 'not-running-yet' };
  return { action: 'read-catalog', member };
}

/** A Consul server task is never registered (a server is an agent itself): its start or stop is only reported. */
function serverDecision(task: EcsTask, phase: TaskPhase): Extract<Decision, { action: 'servers-changed' }> | { action: 'ignore'; reason: 'not-running-yet' } {
  return phase === 'starting' ? { action: 'ignore', reason: 'not-running-yet' } : { action: 'servers-changed', phase, taskArn: task.taskArn };
}

/**
 * The IDs of a task's entries: its member's registration, or for a task whose service left the spec (no member),
 * the IDs its group's name gave it (deleting an absent proxy is harmless).
 */
export function registrationIdsOf(task: EcsTask, member: RegistrableMember | undefined): RegistrationIds {
  if (member) return registrationIds(member);
  const taskId = taskIdFromArn(task.taskArn);
  const name = serviceNameFromGroup(task.group) ?? taskId;
  const services = [
    { ID: instanceId(name, taskId), Service: name },
    { ID: sidecarId(name, taskId), Service: `${name}-sidecar-proxy` },
  ];
  const serviceIds = services.map((s) => s.ID);
  return { node: clusterNameFromArn(task.clusterArn), serviceIds, services, checkIds: serviceIds.map(healthCheckId) };
}

/** The IDs a member's registration uses (see buildRegistration). */
export function registrationIds(member: RegistrableMember): RegistrationIds {
  const services =
    member.role === 'service'
      ? [
          { ID: instanceId(member.service.name, member.taskId), Service: member.service.name },
          { ID: sidecarId(member.service.name, member.taskId), Service: `${member.service.name}-sidecar-proxy` },
        ]
      : [{ ID: instanceId(gatewayName(member), member.taskId), Service: gatewayName(member) }];
  const serviceIds = services.map((s) => s.ID);
  return { node: member.cluster, serviceIds, services, checkIds: serviceIds.map(healthCheckId) };
}

/** The Consul service name of a gateway member (ingress or mesh gateway). */
function gatewayName(member: Exclude<RegistrableMember, { role: 'service' }>): string {
  return member.role === 'mesh-gateway' ? member.gateway.name : member.ingress.name;
}

function stopReason(task: EcsTask): DeregisterReason {
  if (task.lastStatus === 'STOPPED' || task.lastStatus === 'DELETED') return 'stopped';
  if (task.lastStatus === 'DEACTIVATING' || task.lastStatus === 'STOPPING' || task.lastStatus === 'DEPROVISIONING') return 'stopping';
  return 'desired-stopped';
}
