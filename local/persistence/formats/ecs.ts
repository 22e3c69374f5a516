/**
 * `ecs.json`: clusters, task-definition revisions and services (with deployments and events), per region. Tasks
 * are not saved: see `local/aws/ecs/snapshot.ts` for why and what happens to services on load.
 */
import { z } from 'zod';
import type { EcsSnapshot } from '../../aws/ecs/snapshot';
import type { StateFormat } from '../format';
import { byRegion, count, epochMs, jsonObject } from './common';

const tag = z.object({ key: z.string(), value: z.string() });
const status = z.enum(['ACTIVE', 'INACTIVE']);

const cluster = z.looseObject({
  name: z.string().min(1),
  arn: z.string().min(1),
  status,
  tags: z.array(tag),
  settings: z.array(z.unknown()),
  createdAt: epochMs,
});

const containerDefinition = z.looseObject({ name: z.string().min(1), image: z.string().min(1), essential: z.boolean(), healthCheck: z.unknown().optional() });

const taskDefinition = z.looseObject({
  family: z.string().min(1),
  revision: z.number().int().positive(),
  arn: z.string().min(1),
  status,
  containerDefinitions: z.array(containerDefinition),
  networkMode: z.string(),
  requiresCompatibilities: z.array(z.string()),
  cpu: z.string().optional(),
  memory: z.string().optional(),
  extra: jsonObject,
  tags: z.array(tag),
  registeredAt: epochMs,
  deregisteredAt: epochMs.optional(),
});

const deployment = z.looseObject({
  id: z.string().min(1),
  status: z.enum(['PRIMARY', 'ACTIVE', 'INACTIVE']),
  taskDefinitionArn: z.string().min(1),
  desiredCount: count,
  failedTasks: count,
  createdAt: epochMs,
  updatedAt: epochMs,
  rolloutState: z.enum(['IN_PROGRESS', 'COMPLETED', 'FAILED']),
  rolloutStateReason: z.string(),
  launchType: z.string(),
  platformVersion: z.string().optional(),
  networkConfiguration: z.unknown().optional(),
  rollbackOf: z.string().optional(),
});

const service = z.looseObject({
  region: z.string().min(1),
  name: z.string().min(1),
  arn: z.string().min(1),
  clusterName: z.string().min(1),
  clusterArn: z.string().min(1),
  status: z.enum(['ACTIVE', 'DRAINING', 'INACTIVE']),
  desiredCount: count,
  taskDefinitionArn: z.string().min(1),
  launchType: z.string(),
  platformVersion: z.string().optional(),
  networkConfiguration: z.unknown().optional(),
  deploymentConfiguration: z.looseObject({
    maximumPercent: count,
    minimumHealthyPercent: count,
    deploymentCircuitBreaker: z.looseObject({ enable: z.boolean(), rollback: z.boolean() }),
  }),
  deployments: z.array(deployment).min(1),
  events: z.array(z.looseObject({ id: z.string(), createdAt: epochMs, message: z.string() })),
  propagateTags: z.enum(['TASK_DEFINITION', 'SERVICE', 'NONE']),
  enableECSManagedTags: z.boolean(),
  tags: z.array(tag),
  extra: jsonObject,
  clientToken: z.string().optional(),
  creationFingerprint: z.string(),
  createdAt: epochMs,
  lastCompleted: z.looseObject({ taskDefinitionArn: z.string().min(1), networkConfiguration: z.unknown().optional() }).optional(),
});

const schema: z.ZodType<EcsSnapshot> = z.looseObject({
  regions: byRegion(z.looseObject({ clusters: z.array(cluster), taskDefinitions: z.array(taskDefinition), services: z.array(service) })),
});

export const ECS_STATE: StateFormat<EcsSnapshot> = { service: 'ecs', file: 'ecs.json', version: 1, schema };
