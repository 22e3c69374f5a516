/**
 * S3's errors. The REST protocol answers them as an XML `<Error>` document (no body for HEAD), with the HTTP
 * status S3 documents for each code ("Error responses" in the Amazon S3 API reference).
 */

export class S3Error extends Error {
  override readonly name: string;
  constructor(
    readonly code: string,
    message: string,
    readonly statusCode: number,
    /** Extra elements of the `<Error>` document (`Key`, `BucketName`, ...). */
    readonly details: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = code;
  }
}

export const noSuchBucket = (bucket: string) =>
  new S3Error('NoSuchBucket', 'The specified bucket does not exist', 404, { BucketName: bucket });

export const noSuchKey = (key: string) => new S3Error('NoSuchKey', 'The specified key does not exist.', 404, { Key: key });

export const invalidBucketName = (bucket: string) =>
  new S3Error('InvalidBucketName', 'The specified bucket is not valid.', 400, { BucketName: bucket });

export const invalidArgument = (message: string, name?: string, value?: string) =>
  new S3Error('InvalidArgument', message, 400, name === undefined ? {} : { ArgumentName: name, ArgumentValue: value ?? '' });

export const notImplemented = (what: string) =>
  new S3Error('NotImplemented', `A header or query you provided implies functionality that is not implemented: ${what}`, 501);
