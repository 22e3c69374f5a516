import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, type PutObjectCommandInput, type S3Client } from '@aws-sdk/client-s3';

/**
 * The S3 calls the orchestrator makes (build contexts, the Consul snapshots). Errors are the SDK's own: HeadObject of a missing key is
 * `NotFound` (404) for a caller allowed to list the bucket, a 403 otherwise.
 */
export interface S3Api {
  /** HeadObject: resolves when the object exists, throws `NotFound` when it does not. */
  headObject(bucket: string, key: string): Promise<void>;
  putObject(input: PutObjectCommandInput): Promise<void>;
  /** ListObjectsV2 with MaxKeys 1: the first key under `prefix` in S3's (UTF-8 binary) key order, if any. */
  firstKey(bucket: string, prefix: string): Promise<string | undefined>;
  /** GetObject's whole body, or undefined when S3 answers without one. */
  getObjectBytes(bucket: string, key: string): Promise<Uint8Array | undefined>;
}

/** @example const s3 = createS3Api(new S3Client({})); await s3.headObject(bucket, 'contexts/abc.zip'); */
export function createS3Api(client: Pick<S3Client, 'send'>): S3Api {
  const api: S3Api = {
    async headObject(bucket, key) {
      await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    },
    async putObject(input) {
      await client.send(new PutObjectCommand(input));
    },
    async firstKey(bucket, prefix) {
      const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, MaxKeys: 1 }));
      return listed.Contents?.[0]?.Key;
    },
    async getObjectBytes(bucket, key) {
      const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return object.Body ? await object.Body.transformToByteArray() : undefined;
    },
  };
  return api;
}
