/** Request shapes of the CloudWatch Logs operations, with the member constraints of its service model. */
import { z } from 'zod';

const logGroupName = z
  .string()
  .min(1)
  .max(512)
  .regex(/^[.\-_/#A-Za-z0-9]+$/, 'Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+');
const logStreamName = z
  .string()
  .min(1)
  .max(512)
  .regex(/^[^:*]*$/, 'Member must satisfy regular expression pattern: [^:*]*');

export const createLogGroupInput = z.object({ logGroupName, tags: z.record(z.string(), z.string()).optional(), logGroupClass: z.enum(['STANDARD', 'INFREQUENT_ACCESS', 'DELIVERY']).optional(), kmsKeyId: z.string().max(256).optional() });
export const describeLogGroupsInput = z.object({ logGroupNamePrefix: logGroupName.optional(), nextToken: z.string().min(1).optional(), limit: z.number().int().min(1).max(50).optional() });
export const putRetentionPolicyInput = z.object({ logGroupName, retentionInDays: z.number().int() });
export const createLogStreamInput = z.object({ logGroupName, logStreamName });
export const putLogEventsInput = z.object({
  logGroupName,
  logStreamName,
  logEvents: z.array(z.object({ timestamp: z.number().int().min(0), message: z.string().min(1) })).min(1).max(10_000),
  sequenceToken: z.string().optional(),
});
export const filterLogEventsInput = z.object({
  logGroupName: logGroupName.optional(),
  logGroupIdentifier: z.string().min(1).max(2048).optional(),
  logStreamNames: z.array(logStreamName).min(1).max(100).optional(),
  logStreamNamePrefix: logStreamName.optional(),
  startTime: z.number().int().min(0).optional(),
  endTime: z.number().int().min(0).optional(),
  filterPattern: z.string().max(1024).optional(),
  nextToken: z.string().min(1).optional(),
  limit: z.number().int().min(1).max(10_000).optional(),
  interleaved: z.boolean().optional(),
  unmask: z.boolean().optional(),
});
