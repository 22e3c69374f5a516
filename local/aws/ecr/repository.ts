/**
 * One ECR repository and its images. An image is identified by its digest and carries zero or more tags;
 * a tag names at most one image. In a MUTABLE repository pushing a tag moves it to the new image; in an
 * IMMUTABLE one a tag can never move (`ImageTagAlreadyExistsException`).
 */
import { AwsServiceError } from '../protocol';

export type TagMutability = 'MUTABLE' | 'IMMUTABLE';

export interface StoredImage {
  readonly digest: string;
  tags: string[];
  readonly manifest: string;
  readonly manifestMediaType: string;
  readonly sizeBytes: number;
  /** Epoch milliseconds. */
  readonly pushedAt: number;
  /**
   * The platform in the image's config (`os`, `architecture`), recorded for images the CodeBuild simulation built;
   * absent for images put through the API (their config blob is not stored).
   */
  readonly platform?: { readonly os: string; readonly architecture: string };
}

export interface NewImage {
  readonly digest: string;
  readonly tag?: string;
  readonly manifest: string;
  readonly manifestMediaType: string;
  readonly sizeBytes: number;
  readonly platform?: { readonly os: string; readonly architecture: string };
}

export class Repository {
  /** Insertion order is push order. */
  readonly images = new Map<string, StoredImage>();

  constructor(
    readonly name: string,
    readonly registryId: string,
    readonly createdAt: number,
    readonly tagMutability: TagMutability,
    readonly scanOnPush: boolean,
    readonly tags: Map<string, string>,
  ) {}

  byDigest(digest: string): StoredImage | undefined {
    return this.images.get(digest);
  }

  byTag(tag: string): StoredImage | undefined {
    for (const image of this.images.values()) if (image.tags.includes(tag)) return image;
    return undefined;
  }

  /**
   * Store an image (or add a tag to an image already stored). Returns `{ image, existed }`; `existed` is true
   * when the digest (and the tag, if any) were already there, which PutImage answers with
   * `ImageAlreadyExistsException` and a registry push treats as done.
   */
  store(image: NewImage, now = Date.now()): { image: StoredImage; existed: boolean } {
    const existing = this.images.get(image.digest);
    const holder = image.tag !== undefined ? this.byTag(image.tag) : undefined;
    if (holder && holder.digest !== image.digest && this.tagMutability === 'IMMUTABLE') {
      throw new AwsServiceError(
        'ImageTagAlreadyExistsException',
        `The image tag '${image.tag}' already exists in the '${this.name}' repository and cannot be overwritten ` +
          'because the repository is immutable.',
      );
    }
    if (existing && (image.tag === undefined || existing.tags.includes(image.tag))) {
      return { image: existing, existed: true };
    }
    // In a mutable repository the tag moves; the image it leaves stays, untagged if it has no other tag.
    if (holder && image.tag !== undefined) holder.tags = holder.tags.filter((t) => t !== image.tag);
    if (existing) {
      existing.tags.push(image.tag as string);
      return { image: existing, existed: false };
    }
    const stored: StoredImage = {
      digest: image.digest,
      tags: image.tag !== undefined ? [image.tag] : [],
      manifest: image.manifest,
      manifestMediaType: image.manifestMediaType,
      sizeBytes: image.sizeBytes,
      pushedAt: now,
      ...(image.platform ? { platform: image.platform } : {}),
    };
    this.images.set(image.digest, stored);
    return { image: stored, existed: false };
  }

  /** Remove a tag; an image losing its last tag this way is deleted (BatchDeleteImage by tag). */
  removeTag(image: StoredImage, tag: string): void {
    image.tags = image.tags.filter((t) => t !== tag);
    if (image.tags.length === 0) this.images.delete(image.digest);
  }

  removeImage(image: StoredImage): void {
    this.images.delete(image.digest);
  }
}
