/**
 * The local S3's buckets and objects, in memory. Bucket names are one namespace across regions (as on S3); each
 * bucket remembers the region it was created in. Other parts of the local cloud (CodeBuild reading a build's
 * source, anything that carries data by reference) use this store directly: the same objects, the same errors
 * (`S3Error` with S3's codes) as the REST API serves.
 *
 * @example
 * const store = new S3Store();
 * store.createBucket('build-sources', 'us-east-1');
 * store.putObject('build-sources', 'contexts/abc.zip', zipBytes);
 * const object = store.getObject('build-sources', 'contexts/abc.zip'); // throws S3Error NoSuchKey when absent
 */
import { createHash } from 'node:crypto';
import { invalidBucketName, noSuchBucket, noSuchKey, S3Error } from './errors';

export interface StoredObject {
  readonly key: string;
  readonly body: Buffer;
  /** The quoted MD5 hex of the body, as S3 reports it for a single-part upload: `"9b2cf535f27731c974343645a3985328"`. */
  readonly etag: string;
  /** Epoch milliseconds. */
  readonly lastModified: number;
  /** `binary/octet-stream` when the upload named none (S3's default). */
  readonly contentType: string;
  /** User metadata (`x-amz-meta-*`), lower-case names without the prefix. */
  readonly metadata: Readonly<Record<string, string>>;
}

export interface StoredBucket {
  readonly name: string;
  readonly region: string;
  /** Epoch milliseconds. */
  readonly created: number;
  readonly objects: Map<string, StoredObject>;
}

export interface PutObjectOptions {
  readonly contentType?: string;
  readonly metadata?: Readonly<Record<string, string>>;
}

export interface ListObjectsOptions {
  readonly prefix?: string;
  /** Keys with this after the prefix roll up into one common prefix (`aws s3 ls` uses `/`). */
  readonly delimiter?: string;
  /** At most 1000, as S3 pages them. */
  readonly maxKeys?: number;
  /** List keys after this one (exclusive): StartAfter, or where a continuation token left off. */
  readonly after?: string;
}

export interface ListObjectsResult {
  readonly contents: StoredObject[];
  readonly commonPrefixes: string[];
  readonly isTruncated: boolean;
  /** The last key or common prefix returned when truncated: the next page starts after it (and after every key under that prefix). */
  readonly lastReturned?: string;
}

/** An object as the local cloud's persistence saves it: the body in base64. */
export interface ObjectSnapshot extends Omit<StoredObject, 'body'> {
  readonly bodyBase64: string;
}

export interface S3Snapshot {
  readonly buckets: { name: string; region: string; created: number; objects: ObjectSnapshot[] }[];
}

/** "Bucket naming rules": 3-63 characters; lower-case letters, digits, dots and hyphens; a letter or digit at both ends; not an IP address. */
export function isValidBucketName(name: string): boolean {
  return (
    /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) &&
    !name.includes('..') &&
    !/^\d+\.\d+\.\d+\.\d+$/.test(name) &&
    !name.startsWith('xn--') &&
    !name.endsWith('-s3alias')
  );
}

/** S3's ETag of a single-part upload: the quoted MD5 of the body. */
export function etagOf(body: Buffer): string {
  return `"${createHash('md5').update(body).digest('hex')}"`;
}

export const MAX_KEYS = 1000;
/** "The name for a key is a sequence of Unicode characters whose UTF-8 encoding is at most 1,024 bytes long." */
const MAX_KEY_BYTES = 1024;

export class S3Store {
  private readonly buckets = new Map<string, StoredBucket>();
  private changes = 0;

  /** Grows with every write: the local cloud's persistence polls it to know when to save. */
  get revision(): number {
    return this.changes;
  }

  /**
   * Creates a bucket. Creating one that exists is `BucketAlreadyOwnedByYou`, except in us-east-1, where S3
   * answers 200 and keeps the bucket as it is (`created: false`).
   */
  createBucket(name: string, region: string): { created: boolean } {
    if (!isValidBucketName(name)) throw invalidBucketName(name);
    if (this.buckets.has(name)) {
      if (region === 'us-east-1' && this.buckets.get(name)?.region === region) return { created: false };
      throw new S3Error('BucketAlreadyOwnedByYou', 'Your previous request to create the named bucket succeeded and you already own it.', 409, { BucketName: name });
    }
    this.buckets.set(name, { name, region, created: Date.now(), objects: new Map() });
    this.changes += 1;
    return { created: true };
  }

  hasBucket(name: string): boolean {
    return this.buckets.has(name);
  }

  /** @throws S3Error NoSuchBucket */
  bucket(name: string): StoredBucket {
    const bucket = this.buckets.get(name);
    if (!bucket) throw noSuchBucket(name);
    return bucket;
  }

  /** Buckets by name. */
  listBuckets(): StoredBucket[] {
    return [...this.buckets.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** @throws S3Error NoSuchBucket, BucketNotEmpty */
  deleteBucket(name: string): void {
    const bucket = this.bucket(name);
    if (bucket.objects.size > 0) throw new S3Error('BucketNotEmpty', 'The bucket you tried to delete is not empty', 409, { BucketName: name });
    this.buckets.delete(name);
    this.changes += 1;
  }

  /** Stores (or replaces: versioning is off) an object. @throws S3Error NoSuchBucket, KeyTooLongError */
  putObject(bucketName: string, key: string, body: Buffer, options: PutObjectOptions = {}): StoredObject {
    const bucket = this.bucket(bucketName);
    if (key.length === 0) throw new S3Error('InvalidArgument', 'Object key must not be empty.', 400);
    if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) throw new S3Error('KeyTooLongError', 'Your key is too long', 400);
    const object: StoredObject = {
      key,
      body: Buffer.from(body),
      etag: etagOf(body),
      lastModified: Date.now(),
      contentType: options.contentType || 'binary/octet-stream',
      metadata: { ...options.metadata },
    };
    bucket.objects.set(key, object);
    this.changes += 1;
    return object;
  }

  /** The object, or undefined when absent. @throws S3Error NoSuchBucket */
  findObject(bucketName: string, key: string): StoredObject | undefined {
    return this.bucket(bucketName).objects.get(key);
  }

  /** @throws S3Error NoSuchBucket, NoSuchKey */
  getObject(bucketName: string, key: string): StoredObject {
    const object = this.findObject(bucketName, key);
    if (!object) throw noSuchKey(key);
    return object;
  }

  /** Deleting an absent key succeeds, as on S3. @throws S3Error NoSuchBucket */
  deleteObject(bucketName: string, key: string): void {
    if (this.bucket(bucketName).objects.delete(key)) this.changes += 1;
  }

  /** Keys in UTF-8 binary order (S3's list order), rolled up by `delimiter`. @throws S3Error NoSuchBucket */
  listObjects(bucketName: string, options: ListObjectsOptions = {}): ListObjectsResult {
    const bucket = this.bucket(bucketName);
    const prefix = options.prefix ?? '';
    const maxKeys = Math.min(options.maxKeys ?? MAX_KEYS, MAX_KEYS);
    const keys = [...bucket.objects.keys()]
      .filter((key) => key.startsWith(prefix) && (options.after === undefined || compareKeys(key, options.after) > 0))
      .sort(compareKeys);
    const contents: StoredObject[] = [];
    const commonPrefixes: string[] = [];
    let lastReturned: string | undefined;
    let isTruncated = false;
    for (const key of keys) {
      const rest = key.slice(prefix.length);
      const cut = options.delimiter ? rest.indexOf(options.delimiter) : -1;
      const common = cut >= 0 ? prefix + rest.slice(0, cut + (options.delimiter as string).length) : undefined;
      // Rolled up already, on this page or (when the page before ended on it) on the one before.
      if (common !== undefined && (commonPrefixes[commonPrefixes.length - 1] === common || common === options.after)) continue;
      if (contents.length + commonPrefixes.length >= maxKeys) {
        isTruncated = true;
        break;
      }
      if (common !== undefined) {
        commonPrefixes.push(common);
        lastReturned = common;
      } else {
        contents.push(bucket.objects.get(key) as StoredObject);
        lastReturned = key;
      }
    }
    return { contents, commonPrefixes, isTruncated, ...(isTruncated ? { lastReturned } : {}) };
  }

  /** Every bucket and object as plain data (bodies in base64). */
  exportState(): S3Snapshot {
    return {
      buckets: this.listBuckets().map((bucket) => ({
        name: bucket.name,
        region: bucket.region,
        created: bucket.created,
        objects: [...bucket.objects.values()].map(({ body, ...object }) => ({ ...object, bodyBase64: body.toString('base64') })),
      })),
    };
  }

  /** Replaces every bucket with saved ones. */
  importState(saved: S3Snapshot): void {
    this.buckets.clear();
    for (const bucket of saved.buckets) {
      const objects = new Map<string, StoredObject>();
      for (const { bodyBase64, ...object } of bucket.objects) objects.set(object.key, { ...object, body: Buffer.from(bodyBase64, 'base64') });
      this.buckets.set(bucket.name, { name: bucket.name, region: bucket.region, created: bucket.created, objects });
    }
    this.changes += 1;
  }
}

/** S3 lists keys in the binary order of their UTF-8 bytes. */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
