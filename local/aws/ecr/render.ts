/** The response shapes of Amazon ECR: `Repository`, `ImageDetail`, `Image`. */
import { toEpochSeconds } from '../protocol';
import { repositoryArn, repositoryUri } from './names';
import type { Repository, StoredImage } from './repository';

export function renderRepository(repository: Repository, region: string) {
  return {
    repositoryArn: repositoryArn(region, repository.registryId, repository.name),
    registryId: repository.registryId,
    repositoryName: repository.name,
    repositoryUri: repositoryUri(region, repository.registryId, repository.name),
    createdAt: toEpochSeconds(repository.createdAt),
    imageTagMutability: repository.tagMutability,
    imageScanningConfiguration: { scanOnPush: repository.scanOnPush },
    encryptionConfiguration: { encryptionType: 'AES256' },
  };
}

export function renderImageDetail(repository: Repository, image: StoredImage) {
  return {
    registryId: repository.registryId,
    repositoryName: repository.name,
    imageDigest: image.digest,
    ...(image.tags.length > 0 ? { imageTags: [...image.tags] } : {}),
    imageSizeInBytes: image.sizeBytes,
    imagePushedAt: toEpochSeconds(image.pushedAt),
    imageManifestMediaType: image.manifestMediaType,
    artifactMediaType: 'application/vnd.docker.container.image.v1+json',
  };
}

export function renderImage(repository: Repository, image: StoredImage, tag?: string) {
  return {
    registryId: repository.registryId,
    repositoryName: repository.name,
    imageId: { imageDigest: image.digest, ...(tag !== undefined ? { imageTag: tag } : {}) },
    imageManifest: image.manifest,
    imageManifestMediaType: image.manifestMediaType,
  };
}
