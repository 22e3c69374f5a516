import type { ServiceWrite } from './consul-write-log';

/** A way a service entry's history broke the rule "a registration never goes back to an older task state". */
export type HistoryViolation =
  | { kind: 'older-version'; id: string; from: number; to: number; atIndex: number }
  /** The entry was deleted and created again: only a stopped task's entries are deleted, and it never runs again. */
  | { kind: 'recreated'; id: string; firstCreated: number; createdAgain: number };

/**
 * Checks every entry's writes, in Raft order (ModifyIndex): the ECS task version in Meta never decreases (events
 * are applied only if newer, and the reconcile leaves alone an entry newer than what DescribeTasks said), and
 * an entry is created once (a deregistration writes a tombstone that keeps the task out for good). Each datacenter has
 * its own history: one that replaced a datacenter whose servers were all lost starts at index 1, empty.
 */
export function findHistoryViolations(writes: readonly ServiceWrite[]): HistoryViolation[] {
  const byId = new Map<string, ServiceWrite[]>();
  for (const write of writes) byId.set(`${write.datacenter}/${write.id}`, [...(byId.get(`${write.datacenter}/${write.id}`) ?? []), write]);
  const violations: HistoryViolation[] = [];
  for (const [key, history] of byId) {
    const id = key.slice(key.indexOf('/') + 1);
    const ordered = [...history].sort((a, b) => a.modifyIndex - b.modifyIndex);
    for (let i = 1; i < ordered.length; i++) {
      const [before, after] = [ordered[i - 1], ordered[i]];
      if (after.createIndex !== before.createIndex) {
        violations.push({ kind: 'recreated', id, firstCreated: before.createIndex, createdAgain: after.createIndex });
      } else if (after.version < before.version) {
        violations.push({ kind: 'older-version', id, from: before.version, to: after.version, atIndex: after.modifyIndex });
      }
    }
  }
  return violations;
}
