import type { SpecIssue } from '../spec/issues';

/**
 * An event (or a DescribeTasks task) that does not have the shape of an ECS task: retrying cannot fix it, so the
 * handler reports it (on-failure destination) instead of letting Lambda retry. `issues` name each bad path.
 */
export class InvalidEventError extends Error {
  override readonly name = 'InvalidEvent';
  constructor(readonly issues: SpecIssue[]) {
    super(`not an ECS task state change:\n${issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`);
  }
}

/** buildRegistration was called for a task that cannot be registered (not a mesh service or gateway, no address). */
export class TaskNotRegistrableError extends Error {
  override readonly name = 'TaskNotRegistrable';
}
