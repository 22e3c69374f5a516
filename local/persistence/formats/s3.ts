/** `s3.json`: buckets and their objects (bodies in base64). */
import { z } from 'zod';
import type { S3Snapshot } from '../../aws/s3/store';
import type { StateFormat } from '../format';
import { epochMs } from './common';

const object = z.looseObject({
  key: z.string().min(1),
  etag: z.string(),
  lastModified: epochMs,
  contentType: z.string(),
  metadata: z.record(z.string(), z.string()),
  bodyBase64: z.string(),
});

const schema: z.ZodType<S3Snapshot> = z.looseObject({
  buckets: z.array(z.looseObject({ name: z.string().min(3), region: z.string().min(1), created: epochMs, objects: z.array(object) })),
});

export const S3_STATE: StateFormat<S3Snapshot> = { service: 's3', file: 's3.json', version: 1, schema };
