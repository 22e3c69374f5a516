import { parseEcsTask, parseTaskStateChange, type EcsTask } from '../../../layers/domain/registration';
import { loadEvent, type EventFixture } from '../../fixtures/events/load';

/** The parsed task of an event fixture, optionally changed (the change is applied before parsing). */
export function taskOf(name: Exclude<EventFixture, 'describe-tasks-running'>, change: (detail: Record<string, unknown>) => void = () => undefined): EcsTask {
  const event = loadEvent(name);
  change(event.detail as Record<string, unknown>);
  return parseTaskStateChange(event).detail;
}

/** The task of the DescribeTasks fixture. */
export function describedTask(): EcsTask {
  const answer = loadEvent('describe-tasks-running') as { tasks: unknown[] };
  return parseEcsTask(answer.tasks[0]);
}
