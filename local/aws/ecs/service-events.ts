/**
 * Service event messages, worded as ECS words them in DescribeServices' `events[]`
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-event-messages-list.html).
 */
import { randomUUID } from 'node:crypto';
import type { ServiceRecord } from './model';

const tasksList = (taskIds: string[]) => taskIds.map((id) => `(task ${id})`).join(' ');

export const serviceMessages = {
  started: (service: string, taskIds: string[]) =>
    `(service ${service}) has started ${taskIds.length} tasks: ${tasksList(taskIds)}.`,
  stopped: (service: string, taskIds: string[]) =>
    `(service ${service}) has stopped ${taskIds.length} running tasks: ${tasksList(taskIds)}.`,
  failedHealthChecks: (service: string, taskId: string) =>
    `(service ${service}) (task ${taskId}) failed container health checks.`,
  deploymentCompleted: (service: string, deploymentId: string) =>
    `(service ${service}) (deployment ${deploymentId}) deployment completed.`,
  steadyState: (service: string) => `(service ${service}) has reached a steady state.`,
  deploymentFailed: (service: string, deploymentId: string) =>
    `(service ${service}) deployment ${deploymentId} deployment failed: tasks failed to start.`,
  rollingBack: (service: string, deploymentId: string, taskDefinitionArn: string) =>
    `(service ${service}) (deployment ${deploymentId}) rolling back to task definition ${taskDefinitionArn}.`,
  unableToStart: (service: string) => `(service ${service}) is unable to consistently start tasks successfully.`,
};

/** Adds an event (newest first) and keeps at most `limit`. */
export function addServiceEvent(service: ServiceRecord, message: string, limit: number): void {
  service.events.unshift({ id: randomUUID(), createdAt: Date.now(), message });
  if (service.events.length > limit) service.events.length = limit;
}
