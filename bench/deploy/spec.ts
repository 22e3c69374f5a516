/**
 * The deployment the benchmark measures: the reference topology of `examples/mesh.yaml`, submitted as
 * `meshctl deploy` submits it (raw YAML with each build context's content hash filled in).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { S3Client } from '@aws-sdk/client-s3';
import { withContentHashes, type BuildContextFiles } from '../../layers/build-context';
import { uploadBuildContexts } from '../../layers/deploy/build-source';
import type { LocalCloud } from '@consul-mesh/local-cloud';
import { createS3Api } from '../../layers/adapters/s3';

/** The project root: serverless.yml, state-machines/, examples/ and the build contexts. */
export const PROJECT_ROOT = resolve(__dirname, '../..');

/** The deploy state machine's definition file (the one serverless.yml includes). */
export const DEPLOY_ASL_FILE = resolve(PROJECT_ROOT, 'state-machines/deploy-mesh.asl.json');

/** The reference spec as a deployment input: parsed YAML plus `build.contentHash` for every build context. */
export function referenceSpec(root: string = PROJECT_ROOT): Record<string, unknown> {
  const raw: unknown = parse(readFileSync(resolve(root, 'examples/mesh.yaml'), 'utf8'));
  return withContentHashes(raw, root) as Record<string, unknown>;
}

/**
 * Uploads the reference spec's build contexts to the local cloud's build-source bucket, as `meshctl deploy` does
 * before it starts a deployment (the builds download them from there).
 */
export async function uploadReferenceContexts(cloud: LocalCloud, root: string = PROJECT_ROOT): Promise<void> {
  const contexts = new Map<string, BuildContextFiles & { context: string }>();
  withContentHashes(parse(readFileSync(resolve(root, 'examples/mesh.yaml'), 'utf8')), root, contexts);
  const s3 = new S3Client({ endpoint: cloud.endpoints.aws, region: cloud.config.region, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  try {
    await uploadBuildContexts(contexts.values(), { s3: createS3Api(s3), bucket: cloud.buckets.BuildSourceBucket });
  } finally {
    s3.destroy();
  }
}
