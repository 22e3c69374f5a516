/**
 * Amazon S3 over its REST protocol, path-style (`/<bucket>/<key>`), on the same endpoint as the JSON services:
 * ListBuckets, CreateBucket, HeadBucket, DeleteBucket, GetBucketLocation, ListObjectsV2 (and v1), PutObject,
 * GetObject (with `Range`), HeadObject, DeleteObject. Errors are S3's XML `<Error>` documents (no body for HEAD,
 * where clients read the status only), objects carry `ETag`, `Content-Length`, `Last-Modified` and their user
 * metadata. What it does not do: multipart uploads, copies, versioning, ACLs and policies (the local cloud has no
 * IAM), virtual-hosted-style addressing, presigned URLs.
 */
import { AwsServiceError, type RequestContext, type RestRequest, type RestResponse, type RestServiceProvider } from '../protocol';
import { decodeAwsChunked, isChunkedPayload } from './chunked';
import { invalidArgument, notImplemented, S3Error } from './errors';
import { MAX_KEYS, S3Store, type StoredObject } from './store';
import { httpDate, isoTimestamp, renderDocument, type XmlElement } from './xml';

/** The local account's canonical user, as S3 names owners. */
const OWNER = { ID: '75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a', DisplayName: 'local' };

/** Query parameters that select another operation on a bucket or an object (sub-resources) that this S3 lacks. */
const BUCKET_QUERY = new Set(['list-type', 'prefix', 'delimiter', 'max-keys', 'continuation-token', 'start-after', 'encoding-type', 'fetch-owner', 'marker', 'location', 'x-id']);
const OBJECT_QUERY = new Set(['x-id', 'response-content-type', 'response-content-disposition', 'response-cache-control', 'response-content-encoding', 'response-content-language', 'response-expires']);

/** S3's limit for one PutObject is 5 GB; the local cloud keeps objects in memory. */
const DEFAULT_MAX_OBJECT_BYTES = 256 * 1024 * 1024;

interface Target {
  readonly bucket?: string;
  readonly key?: string;
}

function header(request: Pick<RestRequest, 'headers'>, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** `/bucket/a%2Fb` → bucket `bucket`, key `a/b`. */
function targetOf(path: string): Target {
  const trimmed = path.replace(/^\/+/, '');
  if (trimmed === '') return {};
  const slash = trimmed.indexOf('/');
  const decode = (text: string) => {
    try {
      return decodeURIComponent(text);
    } catch {
      throw new S3Error('InvalidURI', "Couldn't parse the specified URI.", 400);
    }
  };
  if (slash < 0) return { bucket: decode(trimmed) };
  const key = trimmed.slice(slash + 1);
  return { bucket: decode(trimmed.slice(0, slash)), ...(key === '' ? {} : { key: decode(key) }) };
}

function xml(status: number, root: string, children: XmlElement, headers: Record<string, string | number> = {}): RestResponse {
  return { status, headers: { 'Content-Type': 'application/xml', ...headers }, body: renderDocument(root, children) };
}

/** The object's headers on GET and HEAD. */
function objectHeaders(object: StoredObject): Record<string, string | number> {
  const headers: Record<string, string | number> = {
    ETag: object.etag,
    'Last-Modified': httpDate(object.lastModified),
    'Content-Type': object.contentType,
    'Accept-Ranges': 'bytes',
  };
  for (const [name, value] of Object.entries(object.metadata)) headers[`x-amz-meta-${name}`] = value;
  return headers;
}

/** `bytes=0-99`, `bytes=100-`, `bytes=-100` → inclusive [start, end]; undefined when the header is absent. */
function rangeOf(value: string | undefined, size: number): { start: number; end: number } | undefined {
  if (value === undefined) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(value.trim());
  // S3 ignores a Range it cannot parse (multiple ranges included) and returns the whole object.
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  const invalid = () => new S3Error('InvalidRange', 'The requested range is not satisfiable', 416, { RangeRequested: value, ActualObjectSize: String(size) });
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0 || size === 0) throw invalid();
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  if (start >= size) throw invalid();
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (end < start) return undefined;
  return { start, end };
}

function userMetadata(request: RestRequest): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (name.startsWith('x-amz-meta-') && value !== undefined) metadata[name.slice('x-amz-meta-'.length)] = Array.isArray(value) ? value.join(',') : value;
  }
  return metadata;
}

/** SigV4 failures, which the endpoint reports in the JSON protocols' terms, as S3 names them. */
function fromSignatureError(error: AwsServiceError): S3Error {
  switch (error.code) {
    case 'MissingAuthenticationTokenException':
      return new S3Error('AccessDenied', 'Access Denied', 403);
    case 'AccessDenied':
      // IAM refused the call (local/aws/iam): S3's code, IAM's message.
      return new S3Error('AccessDenied', error.message, 403);
    case 'UnrecognizedClientException':
      return new S3Error('InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.', 403);
    case 'IncompleteSignatureException':
      return new S3Error('AuthorizationHeaderMalformed', error.message, 400);
    case 'InvalidSignatureException':
      return error.message.includes('x-amz-content-sha256')
        ? new S3Error('XAmzContentSHA256Mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed.", 400)
        : new S3Error('SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.', 403);
    case 'ThrottlingException':
      return new S3Error('SlowDown', 'Please reduce your request rate.', 503);
    case 'RequestEntityTooLargeException':
      return new S3Error('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', 400);
    default:
      return new S3Error(error.code, error.message, error.statusCode);
  }
}

export interface S3ProviderOptions {
  /** Share a store with other services (CodeBuild reads build sources from it). */
  readonly store?: S3Store;
  readonly maxObjectBytes?: number;
}

export class S3Provider implements RestServiceProvider {
  readonly signingName = 's3';
  readonly maxBodyBytes: number;
  readonly store: S3Store;

  constructor(options: S3ProviderOptions = {}) {
    this.store = options.store ?? new S3Store();
    this.maxBodyBytes = options.maxObjectBytes ?? DEFAULT_MAX_OBJECT_BYTES;
  }

  /** See {@link S3Store.revision}. */
  get revision(): number {
    return this.store.revision;
  }

  operationOf(request: Pick<RestRequest, 'method' | 'path' | 'query'>): string {
    let target: Target;
    try {
      target = targetOf(request.path);
    } catch {
      return 'Unknown';
    }
    const method = request.method.toUpperCase();
    if (target.bucket === undefined) return method === 'GET' ? 'ListBuckets' : 'Unknown';
    if (target.key === undefined) {
      if (method === 'GET') return request.query.has('location') ? 'GetBucketLocation' : request.query.get('list-type') === '2' ? 'ListObjectsV2' : 'ListObjects';
      return { PUT: 'CreateBucket', HEAD: 'HeadBucket', DELETE: 'DeleteBucket' }[method] ?? 'Unknown';
    }
    return { PUT: 'PutObject', GET: 'GetObject', HEAD: 'HeadObject', DELETE: 'DeleteObject' }[method] ?? 'Unknown';
  }

  handle(request: RestRequest, ctx: RequestContext): RestResponse {
    const target = targetOf(request.path);
    const operation = this.operationOf(request);
    const allowed = target.key === undefined ? BUCKET_QUERY : OBJECT_QUERY;
    const unsupported = [...request.query.keys()].find((name) => !allowed.has(name));
    if (unsupported !== undefined) throw notImplemented(`?${unsupported}`);
    const bucket = target.bucket as string;
    const key = target.key as string;
    switch (operation) {
      case 'ListBuckets':
        return this.listBuckets();
      case 'CreateBucket':
        return this.createBucket(bucket, request, ctx);
      case 'HeadBucket':
        return { status: 200, headers: { 'x-amz-bucket-region': this.store.bucket(bucket).region } };
      case 'DeleteBucket':
        this.store.deleteBucket(bucket);
        return { status: 204 };
      case 'GetBucketLocation': {
        const { region } = this.store.bucket(bucket);
        // us-east-1 is reported as an empty LocationConstraint.
        return { status: 200, headers: { 'Content-Type': 'application/xml' }, body: renderDocument('LocationConstraint', {}).replace('></LocationConstraint>', `>${region === 'us-east-1' ? '' : region}</LocationConstraint>`) };
      }
      case 'ListObjectsV2':
        return this.listObjectsV2(bucket, request.query);
      case 'ListObjects':
        return this.listObjectsV1(bucket, request.query);
      case 'PutObject':
        return this.putObject(bucket, key, request);
      case 'GetObject':
        return this.getObject(bucket, key, request);
      case 'HeadObject': {
        const object = this.store.getObject(bucket, key);
        return { status: 200, headers: { ...objectHeaders(object), 'Content-Length': object.body.length } };
      }
      case 'DeleteObject':
        this.store.deleteObject(bucket, key);
        return { status: 204 };
      default:
        throw new S3Error('MethodNotAllowed', 'The specified method is not allowed against this resource.', 405, { Method: request.method, ResourceType: target.key === undefined ? 'BUCKET' : 'OBJECT' });
    }
  }

  errorResponse(error: unknown, request: Pick<RestRequest, 'method' | 'path'>, requestId: string): RestResponse {
    let s3Error: S3Error;
    if (error instanceof S3Error) s3Error = error;
    else if (error instanceof AwsServiceError) s3Error = fromSignatureError(error);
    else if (error instanceof Error && error.name === 'BodyTooLarge') s3Error = new S3Error('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', 400);
    else s3Error = new S3Error('InternalError', 'We encountered an internal error. Please try again.', 500);
    const headers = { 'x-amz-error-code': s3Error.code };
    // A HEAD response has no body: clients know the error from the status alone (the SDK calls a 404 `NotFound`).
    if (request.method.toUpperCase() === 'HEAD') return { status: s3Error.statusCode, headers };
    let resource: string;
    try {
      const target = targetOf(request.path);
      resource = target.key !== undefined ? `/${target.bucket}/${target.key}` : `/${target.bucket ?? ''}`;
    } catch {
      resource = request.path;
    }
    // S3's <Error> document is the one without a namespace.
    const body = renderDocument('Error', { Code: s3Error.code, Message: s3Error.message, ...s3Error.details, Resource: resource, RequestId: requestId }, null);
    return { status: s3Error.statusCode, headers: { 'Content-Type': 'application/xml', ...headers }, body };
  }

  private listBuckets(): RestResponse {
    const buckets = this.store.listBuckets().map((bucket) => ({ Name: bucket.name, CreationDate: isoTimestamp(bucket.created) }));
    return xml(200, 'ListAllMyBucketsResult', { Owner: OWNER, Buckets: { Bucket: buckets } });
  }

  /** The region is the body's LocationConstraint, else the one the request was signed for. */
  private createBucket(bucket: string, request: RestRequest, ctx: RequestContext): RestResponse {
    const constraint = /<LocationConstraint>([^<]*)<\/LocationConstraint>/.exec(request.body.toString('utf8'))?.[1]?.trim();
    this.store.createBucket(bucket, constraint || ctx.region);
    return { status: 200, headers: { Location: `/${bucket}` } };
  }

  private putObject(bucket: string, key: string, request: RestRequest): RestResponse {
    if (header(request, 'x-amz-copy-source') !== undefined) throw notImplemented('x-amz-copy-source (CopyObject)');
    let body = request.body;
    if (isChunkedPayload(header(request, 'x-amz-content-sha256'))) {
      body = decodeAwsChunked(request.body).body;
      const declared = header(request, 'x-amz-decoded-content-length');
      if (declared !== undefined && Number(declared) !== body.length) {
        throw new S3Error('IncompleteBody', 'You did not provide the number of bytes specified by the Content-Length HTTP header', 400);
      }
    }
    const object = this.store.putObject(bucket, key, body, { contentType: header(request, 'content-type'), metadata: userMetadata(request) });
    return { status: 200, headers: { ETag: object.etag } };
  }

  private getObject(bucket: string, key: string, request: RestRequest): RestResponse {
    const object = this.store.getObject(bucket, key);
    const headers = objectHeaders(object);
    const responseType = request.query.get('response-content-type');
    if (responseType) headers['Content-Type'] = responseType;
    const range = rangeOf(header(request, 'range'), object.body.length);
    if (!range) return { status: 200, headers, body: object.body };
    const body = object.body.subarray(range.start, range.end + 1);
    return { status: 206, headers: { ...headers, 'Content-Range': `bytes ${range.start}-${range.end}/${object.body.length}` }, body };
  }

  private maxKeysOf(query: URLSearchParams): number {
    const text = query.get('max-keys');
    if (text === null) return MAX_KEYS;
    const value = Number(text);
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(value)) throw invalidArgument('Provided max-keys not an integer or within integer range', 'max-keys', text);
    return Math.min(value, MAX_KEYS);
  }

  /** Keys and prefixes are URL-encoded in the answer when the client asks (`encoding-type=url`, as the CLI does). */
  private encoderOf(query: URLSearchParams): (text: string) => string {
    const type = query.get('encoding-type');
    if (type === null) return (text) => text;
    if (type !== 'url') throw invalidArgument('Invalid Encoding Method specified in Request', 'encoding-type', type);
    return (text) => encodeURIComponent(text).replace(/%2F/g, '/');
  }

  private listObjectsV2(bucket: string, query: URLSearchParams): RestResponse {
    const encode = this.encoderOf(query);
    const maxKeys = this.maxKeysOf(query);
    const token = query.get('continuation-token');
    let after = query.get('start-after') ?? undefined;
    if (token !== null) {
      const decoded = Buffer.from(token, 'base64').toString('utf8');
      if (!token || !decoded.startsWith('k:')) throw invalidArgument('The continuation token provided is incorrect', 'continuation-token', token);
      after = decoded.slice(2);
    }
    const prefix = query.get('prefix') ?? '';
    const delimiter = query.get('delimiter') || undefined;
    const result = maxKeys === 0 ? { contents: [], commonPrefixes: [], isTruncated: false } : this.store.listObjects(bucket, { prefix, delimiter, maxKeys, after });
    const owner = query.get('fetch-owner') === 'true' ? OWNER : undefined;
    return xml(200, 'ListBucketResult', {
      Name: bucket,
      Prefix: encode(prefix),
      ...(delimiter !== undefined ? { Delimiter: encode(delimiter) } : {}),
      MaxKeys: maxKeys,
      ...(query.get('encoding-type') ? { EncodingType: 'url' } : {}),
      KeyCount: result.contents.length + result.commonPrefixes.length,
      ...(token !== null ? { ContinuationToken: token } : {}),
      ...(query.has('start-after') ? { StartAfter: encode(query.get('start-after') as string) } : {}),
      IsTruncated: result.isTruncated,
      ...('lastReturned' in result && result.lastReturned !== undefined ? { NextContinuationToken: Buffer.from(`k:${result.lastReturned}`).toString('base64') } : {}),
      Contents: result.contents.map((object) => ({
        Key: encode(object.key),
        LastModified: isoTimestamp(object.lastModified),
        ETag: object.etag,
        Size: object.body.length,
        ...(owner ? { Owner: owner } : {}),
        StorageClass: 'STANDARD',
      })),
      CommonPrefixes: result.commonPrefixes.map((common) => ({ Prefix: encode(common) })),
    });
  }

  private listObjectsV1(bucket: string, query: URLSearchParams): RestResponse {
    const encode = this.encoderOf(query);
    const maxKeys = this.maxKeysOf(query);
    const marker = query.get('marker') ?? '';
    const prefix = query.get('prefix') ?? '';
    const delimiter = query.get('delimiter') || undefined;
    const result = maxKeys === 0 ? { contents: [], commonPrefixes: [], isTruncated: false } : this.store.listObjects(bucket, { prefix, delimiter, maxKeys, after: marker || undefined });
    return xml(200, 'ListBucketResult', {
      Name: bucket,
      Prefix: encode(prefix),
      Marker: encode(marker),
      // Without a delimiter clients continue after the last key listed; with one, S3 says where.
      ...(result.isTruncated && delimiter !== undefined && 'lastReturned' in result && result.lastReturned !== undefined ? { NextMarker: encode(result.lastReturned) } : {}),
      MaxKeys: maxKeys,
      ...(delimiter !== undefined ? { Delimiter: encode(delimiter) } : {}),
      ...(query.get('encoding-type') ? { EncodingType: 'url' } : {}),
      IsTruncated: result.isTruncated,
      Contents: result.contents.map((object) => ({ Key: encode(object.key), LastModified: isoTimestamp(object.lastModified), ETag: object.etag, Size: object.body.length, Owner: OWNER, StorageClass: 'STANDARD' })),
      CommonPrefixes: result.commonPrefixes.map((common) => ({ Prefix: encode(common) })),
    });
  }
}
