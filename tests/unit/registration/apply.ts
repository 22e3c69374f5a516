import { checkStatus, decide, type Decision, type EcsTask, type StoredRegistration } from '../../../layers/domain/registration';
import type { MeshSpec } from '../../../layers/domain/spec';

/**
 * A fake of what the handler does with a decision, reduced to what `decide` reads back: register/update store
 * the task's version, the decided address and the check status; deregister leaves a tombstone with the version. Used to replay event
 * sequences (duplicated, reordered) the way EventBridge may deliver them.
 */
export function apply(stored: StoredRegistration | undefined, task: EcsTask, spec: MeshSpec): { stored: StoredRegistration | undefined; decision: Decision } {
  const decision = decide(stored, task, spec);
  switch (decision.action) {
    case 'register':
    case 'update':
      return { decision, stored: { state: 'registered', version: task.version, address: decision.address, status: checkStatus(task), taskArn: task.taskArn } };
    case 'deregister':
      return { decision, stored: { state: 'deregistered', version: task.version, taskArn: task.taskArn, reason: decision.reason } };
    default:
      return { decision, stored };
  }
}

export function replay(tasks: EcsTask[], spec: MeshSpec, initial?: StoredRegistration): { stored: StoredRegistration | undefined; decisions: Decision[] } {
  let stored = initial;
  const decisions: Decision[] = [];
  for (const task of tasks) {
    const step = apply(stored, task, spec);
    stored = step.stored;
    decisions.push(step.decision);
  }
  return { stored, decisions };
}
