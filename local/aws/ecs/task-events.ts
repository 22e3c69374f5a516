/**
 * The `ECS Task State Change` event ECS sends to EventBridge on every task transition
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_task_events.html).
 * `detail.version` is the task's version at that moment: consumers compare it to discard stale events.
 */
import { randomUUID } from 'node:crypto';
import { LOCAL_ACCOUNT_ID } from '../protocol';
import type { TaskRecord } from './model';
import { taskToEventDetail } from './render';

export interface EcsTaskStateChangeEvent {
  version: '0';
  id: string;
  'detail-type': 'ECS Task State Change';
  source: 'aws.ecs';
  account: string;
  /** ISO time without milliseconds, as EventBridge writes it. */
  time: string;
  region: string;
  resources: [string];
  detail: Record<string, unknown> & { taskArn: string; version: number; lastStatus: string; desiredStatus: string };
}

/** Receives task events (the composition wires EventBridge here). May be async; failures are logged, not thrown. */
export type TaskEventSink = (event: EcsTaskStateChangeEvent) => void | Promise<void>;

export function buildTaskStateChangeEvent(task: TaskRecord): EcsTaskStateChangeEvent {
  const detail = taskToEventDetail(task) as EcsTaskStateChangeEvent['detail'];
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'ECS Task State Change',
    source: 'aws.ecs',
    account: LOCAL_ACCOUNT_ID,
    time: new Date(task.updatedAt).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: task.region,
    resources: [task.taskArn],
    detail,
  };
}
