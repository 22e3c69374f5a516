/**
 * `events.json`: the EventBridge rules created through the API and their targets. The rules serverless.yml
 * declares are left out: the local cloud re-creates them from serverless.yml at every start, which keeps them in
 * step with the file (a rule removed from it does not come back).
 */
import { z } from 'zod';
import type { EventsSnapshot } from '../../aws/events/provider';
import type { StateFormat } from '../format';

const target = z.looseObject({
  id: z.string().min(1),
  arn: z.string().min(1),
  input: z.string().optional(),
  inputPath: z.string().optional(),
  roleArn: z.string().optional(),
});

const rule = z.looseObject({
  name: z.string().min(1),
  account: z.string(),
  region: z.string().min(1),
  eventPattern: z.string().optional(),
  scheduleExpression: z.string().optional(),
  state: z.enum(['ENABLED', 'DISABLED', 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS']),
  description: z.string().optional(),
  roleArn: z.string().optional(),
  targets: z.array(target),
});

const schema: z.ZodType<EventsSnapshot> = z.looseObject({ rules: z.array(rule) });

export const EVENTS_STATE: StateFormat<EventsSnapshot> = { service: 'events', file: 'events.json', version: 1, schema };
