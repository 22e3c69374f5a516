import type { BuildContextFiles } from '../layers/build-context';
import { uploadBuildContexts, type BuildSourceS3, type UploadResult } from '../layers/deploy/build-source';
import { InvalidInputError } from '../layers/errors';
import type { CliDeps } from './cli-deps';
import { isLocalApiUrl } from './backend-factory';
import { LOCAL_API_URL } from './http-backend';

/** The local cloud's build-source bucket (serverless.yml's BuildSourceBucket, stage `local`). */
export const LOCAL_BUILD_SOURCE_BUCKET = 'local-build-source-bucket';
/** The second region's, named after its region (e.g. `local-eu-west-1-build-source-bucket`). */
const LOCAL_PEER_BUILD_SOURCE_BUCKET_PATTERN = 'local-<region>-build-source-bucket, e.g. local-eu-west-1-build-source-bucket';

export interface BuildSourceOptions {
  /** `--source-bucket`: the stack output BuildSourceBucketName. */
  sourceBucket?: string;
  /** The spec's `region` (`deploy`), named when no AWS region is configured for the upload. */
  specRegion?: string;
  apiUrl?: string;
  stateMachineArn?: string;
}

/**
 * The bucket to upload build contexts to: `--source-bucket`, else `BUILD_SOURCE_BUCKET`, else, when the command
 * talks to the local cloud's default API, the local cloud's bucket (as the documented local token is used there).
 * @throws InvalidInputError naming both settings when none applies.
 */
export function resolveSourceBucket(options: BuildSourceOptions, env: NodeJS.ProcessEnv): string {
  const bucket = options.sourceBucket ?? env.BUILD_SOURCE_BUCKET;
  if (bucket) return bucket;
  const direct = options.stateMachineArn ?? (!env.MESH_API_URL ? env.DEPLOY_STATE_MACHINE_ARN : undefined);
  const apiUrl = options.apiUrl ?? env.MESH_API_URL ?? LOCAL_API_URL;
  if (!direct && apiUrl === LOCAL_API_URL) return LOCAL_BUILD_SOURCE_BUCKET;
  // Another local API is the second region's (npm start's second --spec, --peer-region): its stack's bucket names
  // carry the region, since bucket names are global (README: "A second region and cluster peering").
  const localHint = !direct && isLocalApiUrl(apiUrl) ? `; the local cloud's second region has ${LOCAL_PEER_BUILD_SOURCE_BUCKET_PATTERN}` : '';
  throw new InvalidInputError(
    `no bucket for the build contexts: pass --source-bucket or set BUILD_SOURCE_BUCKET (the stack output BuildSourceBucketName${localHint})`,
  );
}

/**
 * Uploads the build contexts that were hashed (zips of exactly those files) with the caller's AWS credentials,
 * skipping those already in the bucket. Needs s3:PutObject and s3:GetObject on `contexts/*` and s3:ListBucket.
 */
export async function publishBuildContexts(
  contexts: Iterable<BuildContextFiles>,
  options: BuildSourceOptions,
  deps: Pick<CliDeps, 'env' | 'clients'> & { s3?: BuildSourceS3 },
): Promise<UploadResult & { bucket: string }> {
  const list = [...contexts];
  if (list.length === 0) return { uploaded: [], present: [], bucket: '' };
  const bucket = resolveSourceBucket(options, deps.env);
  try {
    const result = await uploadBuildContexts(list, { s3: deps.s3 ?? deps.clients().s3, bucket });
    return { ...result, bucket };
  } catch (error) {
    if (!isRegionMissing(error)) throw error;
    // The SDK's own words ("Region is missing") name neither the setting nor the region: the bucket belongs to the
    // mesh's stack, one per region (README: "Two regions"), so the region to set is that stack's, the spec's.
    const which = options.specRegion ? `, the spec's region: ${options.specRegion}` : '';
    throw new InvalidInputError(`no AWS region to upload the build contexts to s3://${bucket} with: set AWS_REGION to the region of the mesh's stack${which}`, [], { cause: error });
  }
}

/** The AWS SDK's error when neither the client, `AWS_REGION` nor the shared config file gives a region. */
function isRegionMissing(error: unknown): boolean {
  return error instanceof Error && error.message === 'Region is missing';
}

/** `Build contexts: 2 uploaded to s3://bucket/contexts/, 3 already there`. */
export function describeUpload(result: UploadResult & { bucket: string }): string {
  return `Build contexts: ${result.uploaded.length} uploaded to s3://${result.bucket}/contexts/, ${result.present.length} already there`;
}
