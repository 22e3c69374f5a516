import { HeadObjectCommand, PutObjectCommand, type PutObjectCommandInput, type S3Client } from '@aws-sdk/client-s3';

/**
 * The S3 calls the orchestrator makes (build contexts). Errors are the SDK's own: HeadObject of a missing key is
 * `NotFound` (404) for a caller allowed to list the bucket, a 403 otherwise.
 */
export interface S3Api {
  /** HeadObject: resolves when the object exists, throws `NotFound` when it does not. */
  headObject(bucket: string, key: string): Promise<void>;
  putObject(input: PutObjectCommandInput): Promise<void>;
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
  };
  return api;
}
