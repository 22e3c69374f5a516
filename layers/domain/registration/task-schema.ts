import * as z from 'zod/mini';
import { formatPath, type SpecIssue } from '../spec/issues';
import { InvalidEventError } from './errors';

/**
 * ECS writes timestamps as ISO strings in events, as epoch seconds (with fractions) in DescribeTasks' JSON, and
 * the SDK turns those into Date objects. All three become ISO strings here, so a task reads the same whatever
 * its source.
 */
export const EcsTimestampSchema = z.pipe(z.union([z.string(), z.number(), z.date()]), z.transform((value, ctx) => {
  const date = typeof value === 'number' ? new Date(value * 1000) : new Date(value);
  if (Number.isNaN(date.getTime())) {
    ctx.issues.push({ code: 'custom', message: 'expected an ISO timestamp, epoch seconds or a Date', input: value });
    return z.NEVER;
  }
  return date.toISOString();
}));

const timestamp = z.optional(EcsTimestampSchema);

const NetworkInterfaceSchema = z.looseObject({
  attachmentId: z.optional(z.string()),
  privateIpv4Address: z.optional(z.string()),
  ipv6Address: z.optional(z.string()),
});

export const EcsContainerSchema = z.looseObject({
  name: z.string(),
  containerArn: z.optional(z.string()),
  lastStatus: z.optional(z.string()),
  healthStatus: z.optional(z.string()),
  exitCode: z.nullish(z.number().check(z.int())),
  reason: z.optional(z.string()),
  networkInterfaces: z._default(z.array(NetworkInterfaceSchema), []),
});

/** ENI attachments: `details` are name/value pairs, with the IP under `privateIPv4Address` (capital IP, unlike containers'). */
const AttachmentSchema = z.looseObject({
  id: z.optional(z.string()),
  type: z.optional(z.string()),
  status: z.optional(z.string()),
  details: z._default(z.array(z.looseObject({ name: z.string(), value: z.optional(z.string()) })), []),
});

/**
 * An ECS task as found in an `ECS Task State Change` event's `detail` and in DescribeTasks' `tasks[]`.
 * Objects are loose: AWS adds fields over time and an unknown field must never fail the handler (they are kept,
 * not dropped). Only what the registration model reads is required: the ARNs, both statuses and `version`.
 */
export const EcsTaskSchema = z.looseObject({
  taskArn: z.string().check(z.startsWith('arn:', 'expected a task ARN')),
  clusterArn: z.string().check(z.minLength(1)),
  taskDefinitionArn: z.optional(z.string()),
  /** `service:<name>` for tasks an ECS service started, `family:<family>` for RunTask. */
  group: z.optional(z.string()),
  startedBy: z.optional(z.string()),
  launchType: z.optional(z.string()),
  availabilityZone: z.optional(z.string()),
  lastStatus: z.string().check(z.minLength(1)),
  desiredStatus: z.string().check(z.minLength(1)),
  /** Increments with every change of the task; a higher version is newer (ECS events documentation). */
  version: z.number().check(z.int()).check(z.gte(0)),
  healthStatus: z.optional(z.string()),
  connectivity: z.optional(z.string()),
  stopCode: z.optional(z.string()),
  stoppedReason: z.optional(z.string()),
  containers: z._default(z.array(EcsContainerSchema), []),
  attachments: z._default(z.array(AttachmentSchema), []),
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
