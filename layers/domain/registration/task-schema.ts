import * as z from 'zod';
import { formatPath, type SpecIssue } from '../spec/issues';
import { InvalidEventError } from './errors';

/**
 * ECS writes timestamps as ISO strings in events, as epoch seconds (with fractions) in DescribeTasks' JSON, and
 * the SDK turns those into Date objects. All three become ISO strings here, so a task reads the same whatever
 * its source.
 */
export const EcsTimestampSchema = z.union([z.string(), z.number(), z.date()]).transform((value, ctx) => {
  const date = typeof value === 'number' ? new Date(value * 1000) : new Date(value);
  if (Number.isNaN(date.getTime())) {
    ctx.issues.push({ code: 'custom', message: 'expected an ISO timestamp, epoch seconds or a Date', input: value });
    return z.NEVER;
  }
  return date.toISOString();
});

const timestamp = EcsTimestampSchema.optional();

const NetworkInterfaceSchema = z.looseObject({
  attachmentId: z.string().optional(),
  privateIpv4Address: z.string().optional(),
  ipv6Address: z.string().optional(),
});

export const EcsContainerSchema = z.looseObject({
  name: z.string(),
  containerArn: z.string().optional(),
  lastStatus: z.string().optional(),
  healthStatus: z.string().optional(),
  exitCode: z.number().int().nullish(),
  reason: z.string().optional(),
  networkInterfaces: z.array(NetworkInterfaceSchema).default([]),
});

/** ENI attachments: `details` are name/value pairs, with the IP under `privateIPv4Address` (capital IP, unlike containers'). */
const AttachmentSchema = z.looseObject({
  id: z.string().optional(),
  type: z.string().optional(),
  status: z.string().optional(),
  details: z.array(z.looseObject({ name: z.string(), value: z.string().optional() })).default([]),
});

/**
 * An ECS task as found in an `ECS Task State Change` event's `detail` and in DescribeTasks' `tasks[]`.
 * Objects are loose: AWS adds fields over time and an unknown field must never fail the handler (they are kept,
 * not dropped). Only what the registration model reads is required: the ARNs, both statuses and `version`.
 */
export const EcsTaskSchema = z.looseObject({
  taskArn: z.string().startsWith('arn:', 'expected a task ARN'),
  clusterArn: z.string().min(1),
  taskDefinitionArn: z.string().optional(),
  /** `service:<name>` for tasks an ECS service started, `family:<family>` for RunTask. */
  group: z.string().optional(),
  startedBy: z.string().optional(),
  launchType: z.string().optional(),
  availabilityZone: z.string().optional(),
  lastStatus: z.string().min(1),
  desiredStatus: z.string().min(1),
  /** Increments with every change of the task; a higher version is newer (ECS events documentation). */
  version: z.number().int().min(0),
  healthStatus: z.string().optional(),
  connectivity: z.string().optional(),
  stopCode: z.string().optional(),
  stoppedReason: z.string().optional(),
  containers: z.array(EcsContainerSchema).default([]),
  attachments: z.array(AttachmentSchema).default([]),
  createdAt: timestamp,
  connectivityAt: timestamp,
  pullStartedAt: timestamp,
  pullStoppedAt: timestamp,
  startedAt: timestamp,
  stoppingAt: timestamp,
  stoppedAt: timestamp,
  executionStoppedAt: timestamp,
  updatedAt: timestamp,
});

/** A parsed ECS task: timestamps normalised to ISO strings, `containers` and `attachments` always present. */
export type EcsTask = z.output<typeof EcsTaskSchema>;
export type EcsContainer = z.output<typeof EcsContainerSchema>;

/**
 * Parses one task of a DescribeTasks answer (raw JSON or the SDK's objects).
 * @throws InvalidEventError naming each bad path.
 */
export function parseEcsTask(value: unknown): EcsTask {
  const parsed = EcsTaskSchema.safeParse(value);
  if (!parsed.success) throw new InvalidEventError(toIssues(parsed.error.issues));
  return parsed.data;
}

export function toIssues(issues: ReadonlyArray<z.core.$ZodIssue>): SpecIssue[] {
  return issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message }));
}
