/** `ssm.json`: parameters with every kept version, their labels and tags, per region. */
import { z } from 'zod';
import type { SsmSnapshot } from '../../aws/ssm/provider';
import type { StateFormat } from '../format';
import { byRegion, count, epochMs, stringPair } from './common';

const version = z.looseObject({
  version: count,
  type: z.enum(['String', 'StringList', 'SecureString']),
  value: z.string(),
  keyId: z.string().optional(),
  description: z.string().optional(),
  allowedPattern: z.string().optional(),
  tier: z.enum(['Standard', 'Advanced']),
  dataType: z.string(),
  lastModifiedDate: epochMs,
  labels: z.array(z.string()),
});

const parameter = z.looseObject({ name: z.string().min(1), versions: z.array(version).min(1), tags: z.array(stringPair) });

const schema: z.ZodType<SsmSnapshot> = z.looseObject({ regions: byRegion(z.array(parameter)) });

export const SSM_STATE: StateFormat<SsmSnapshot> = { service: 'ssm', file: 'ssm.json', version: 1, schema };
