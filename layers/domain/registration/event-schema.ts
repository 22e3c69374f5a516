import * as z from 'zod/mini';
import { EcsTaskSchema, EcsTimestampSchema, toIssues, type EcsTask } from './task-schema';
import { InvalidEventError } from './errors';

/**
 * The EventBridge envelope of an ECS task state change (`source = aws.ecs`,
 * `detail-type = "ECS Task State Change"`, `resources = [taskArn]`), with its `detail` parsed as a task.
 */
export const TaskStateChangeEventSchema = z.looseObject({
  version: z.optional(z.string()),
  id: z.string().check(z.minLength(1)),
  'detail-type': z.literal('ECS Task State Change'),
  source: z.literal('aws.ecs'),
  account: z.string(),
  time: EcsTimestampSchema,
  region: z.string(),
  resources: z._default(z.array(z.string()), []),
  detail: EcsTaskSchema,
});

export type TaskStateChangeEvent = z.output<typeof TaskStateChangeEventSchema> & { detail: EcsTask };

/**
 * Validates an EventBridge event as an ECS task state change and normalises its task.
 *
 * @throws InvalidEventError naming each bad path (e.g. `detail.version: expected number`).
 * @example const { detail: task } = parseTaskStateChange(event); decide(stored, task, spec)
 */
export function parseTaskStateChange(event: unknown): TaskStateChangeEvent {
  const parsed = TaskStateChangeEventSchema.safeParse(event);
  if (!parsed.success) throw new InvalidEventError(toIssues(parsed.error.issues));
  return parsed.data;
}
