/** `ecr.json`: repositories and their images (manifests, digests, tags, push order), per region. */
import { z } from 'zod';
import type { EcrSnapshot } from '../../aws/ecr/provider';
import type { StateFormat } from '../format';
import { byRegion, count, epochMs, stringPair } from './common';

const image = z.looseObject({
  digest: z.string().regex(/^sha256:[0-9a-f]{64}$/),
  tags: z.array(z.string()),
  manifest: z.string(),
  manifestMediaType: z.string(),
  sizeBytes: count,
  pushedAt: epochMs,
  platform: z.object({ os: z.string(), architecture: z.string() }).optional(),
});

const repository = z.looseObject({
  name: z.string().min(1),
  registryId: z.string(),
  createdAt: epochMs,
  tagMutability: z.enum(['MUTABLE', 'IMMUTABLE']),
  scanOnPush: z.boolean(),
  tags: z.array(stringPair),
  images: z.array(image),
});

const schema: z.ZodType<EcrSnapshot> = z.looseObject({ regions: byRegion(z.array(repository)) });

export const ECR_STATE: StateFormat<EcrSnapshot> = { service: 'ecr', file: 'ecr.json', version: 1, schema };
