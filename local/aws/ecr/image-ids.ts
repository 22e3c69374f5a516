/**
 * Resolving `ImageIdentifier`s (`{ imageDigest?, imageTag? }`) against a repository, with the failure codes
 * BatchGetImage and BatchDeleteImage report per identifier.
 */
import { isImageDigest } from './names';
import type { Repository, StoredImage } from './repository';

export interface ImageIdentifier {
  readonly imageDigest?: string;
  readonly imageTag?: string;
}

export type ImageFailureCode = 'InvalidImageDigest' | 'InvalidImageTag' | 'ImageTagDoesNotMatchDigest' | 'ImageNotFound' | 'MissingDigestAndTag';

export type Resolution =
  | { readonly image: StoredImage }
  | { readonly failureCode: ImageFailureCode; readonly failureReason: string };

export function resolveImageId(repository: Repository, id: ImageIdentifier): Resolution {
  if (id.imageDigest === undefined && id.imageTag === undefined) {
    return { failureCode: 'MissingDigestAndTag', failureReason: 'Invalid request. Must specify either imageTag or imageDigest' };
  }
  if (id.imageDigest !== undefined && !isImageDigest(id.imageDigest)) {
    return { failureCode: 'InvalidImageDigest', failureReason: 'Invalid image digest' };
  }
  const byDigest = id.imageDigest !== undefined ? repository.byDigest(id.imageDigest) : undefined;
  const byTag = id.imageTag !== undefined ? repository.byTag(id.imageTag) : undefined;
  if (id.imageDigest !== undefined && id.imageTag !== undefined) {
    if (byDigest && byTag && byDigest !== byTag) {
      return { failureCode: 'ImageTagDoesNotMatchDigest', failureReason: 'Provided image tag does not match the provided image digest' };
    }
    if (byDigest && byTag) return { image: byDigest };
  } else {
    const image = byDigest ?? byTag;
    if (image) return { image };
  }
  return { failureCode: 'ImageNotFound', failureReason: 'Requested image not found' };
}

/** How ECR prints an image id in error messages: `{imageDigest:'null', imageTag:'v1'}`. */
export function describeImageId(id: ImageIdentifier): string {
  return `{imageDigest:'${id.imageDigest ?? 'null'}', imageTag:'${id.imageTag ?? 'null'}'}`;
}
