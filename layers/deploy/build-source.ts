/**
 * Build contexts in S3: the exact files a content hash was computed from, zipped, at
 * `s3://<BuildSourceBucket>/contexts/<contentHash>.zip`. The CLI uploads them (with the caller's AWS credentials),
 * the API refuses a spec whose context is not there, and each CodeBuild build downloads its one zip as its source:
 * the image tagged with a hash is built from those bytes and nothing else.
 */
import type { S3Api } from '../adapters/s3';
import { zipContextFiles, type BuildContextFiles } from '../build-context';
import type { SpecIssue } from '../domain/spec/issues';
import type { MeshSpec } from '../domain/spec/schema';
import { InvalidInputError } from '../errors';

/** The S3 calls used here. */
export type BuildSourceS3 = Pick<S3Api, 'headObject' | 'putObject'>;

export interface BuildSourceDeps {
  s3: BuildSourceS3;
  /** The stack's `BuildSourceBucket` (output `BuildSourceBucketName`). */
  bucket: string;
}

/** The key prefix of build contexts; the bucket's lifecycle rule expires objects under it. */
export const BUILD_CONTEXT_PREFIX = 'contexts/';

/** `contexts/<contentHash>.zip` */
export function buildContextKey(contentHash: string): string {
  return `${BUILD_CONTEXT_PREFIX}${contentHash}.zip`;
}

/** CodeBuild's S3 source location: `<bucket>/contexts/<contentHash>.zip` (no `s3://`). */
export function buildSourceLocation(bucket: string, contentHash: string): string {
  return `${bucket}/${buildContextKey(contentHash)}`;
}

/**
 * Whether the context's zip is in the bucket (HeadObject). A missing object is a 404 only for a caller allowed to
 * list the bucket (s3:ListBucket); without that permission S3 answers 403 for a missing key too, which is thrown
 * (as `AccessDenied`/`Forbidden`) rather than taken for "absent".
 */
export async function buildContextExists(contentHash: string, deps: BuildSourceDeps): Promise<boolean> {
  try {
    await deps.s3.headObject(deps.bucket, buildContextKey(contentHash));
    return true;
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'NotFound' || name === 'NoSuchKey') return false;
    throw error;
  }
}

export interface UploadResult {
  /** Content hashes uploaded now. */
  readonly uploaded: string[];
  /** Content hashes whose zip was there already (same hash, same files: nothing to do). */
  readonly present: string[];
}

/**
 * Uploads each context's zip unless an object for its hash exists (idempotent: the key names the content). The
 * zip is made from the files that were hashed, never read again from disk.
 */
export async function uploadBuildContexts(contexts: Iterable<BuildContextFiles>, deps: BuildSourceDeps): Promise<UploadResult> {
  const uploaded: string[] = [];
  const present: string[] = [];
  for (const context of contexts) {
    if (await buildContextExists(context.contentHash, deps)) {
      present.push(context.contentHash);
      continue;
    }
    await deps.s3.putObject({
      Bucket: deps.bucket,
      Key: buildContextKey(context.contentHash),
      Body: zipContextFiles(context.files),
      ContentType: 'application/zip',
      Metadata: { 'content-hash': context.contentHash },
    });
    uploaded.push(context.contentHash);
  }
  return { uploaded, present };
}

/** A build context a spec (or a rollout request) names: where in the document, and its content hash. */
export interface BuildContextRef {
  /** e.g. `clusters[0].services[1].build.contentHash` */
  readonly path: string;
  readonly contentHash: string;
}

/** The build contexts of a validated spec that carry a content hash (those without one are planImages' to refuse). */
export function buildContextRefs(spec: MeshSpec): BuildContextRef[] {
  const refs: BuildContextRef[] = [];
  const add = (path: string, build: { contentHash?: string } | undefined) => {
    if (build?.contentHash) refs.push({ path: `${path}.build.contentHash`, contentHash: build.contentHash });
  };
  add('consul.servers', spec.consul.servers.build);
  add('consul.dataplane', spec.consul.dataplane.build);
  spec.clusters.forEach((cluster, ci) => cluster.services.forEach((service, si) => add(`clusters[${ci}].services[${si}]`, service.build)));
  return refs;
}

/**
 * Refuses, before anything starts, a request whose build contexts are not in the bucket: a build of it could only
 * fail in DOWNLOAD_SOURCE. Each missing one is named by its path and object.
 * @throws InvalidInputError (a 400) listing every missing context.
 */
export async function requireBuildContexts(refs: readonly BuildContextRef[], deps: BuildSourceDeps): Promise<void> {
  const missing: SpecIssue[] = [];
  const seen = new Map<string, boolean>();
  for (const ref of refs) {
    if (!seen.has(ref.contentHash)) seen.set(ref.contentHash, await buildContextExists(ref.contentHash, deps));
    if (!seen.get(ref.contentHash)) {
      missing.push({
        path: ref.path,
        message: `the build context s3://${deps.bucket}/${buildContextKey(ref.contentHash)} does not exist: upload it first (meshctl deploy and meshctl rollout --build do)`,
      });
    }
  }
  if (missing.length > 0) throw new InvalidInputError('build contexts are missing from the build-source bucket', missing);
}
