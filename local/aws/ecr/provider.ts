/**
 * Amazon ECR, as the AWS JSON 1.1 protocol serves it (`X-Amz-Target: AmazonEC2ContainerRegistry_V20150921.*`).
 * Repositories are kept per region in the local account. Besides the API, {@link EcrProvider.pushImage} is what
 * a registry push does; the CodeBuild simulation calls it after building an image.
 */
import {
  AwsServiceError,
  LOCAL_ACCOUNT_ID,
  toEpochSeconds,
  type OperationHandler,
  type RequestContext,
  type ServiceProvider,
} from '../protocol';
import { page } from '../pagination';
import { AccountRegionStores } from '../stores';
import { describeImageId, resolveImageId, type ImageIdentifier } from './image-ids';
import { DOCKER_MANIFEST_V2, manifestDigest, parseManifest, syntheticManifest } from './manifest';
import { isImageDigest, isImageTag, registryHost, repositoryUri } from './names';
import { renderImage, renderImageDetail, renderRepository } from './render';
import { Repository, type StoredImage, type TagMutability } from './repository';
import * as schemas from './schemas';
import { invalidParameter, parseInput } from './validation';

/** What a push reports: where the image now lives. */
export interface PushedImage {
  readonly repositoryUri: string;
  readonly imageDigest: string;
  readonly imageTag: string;
}

/** The one call an image builder needs from a registry (CodeBuild depends on this, not on the whole ECR). */
export interface ImageRegistry {
  pushImage(region: string, repositoryName: string, tag: string, digest: string, sizeBytes: number, platform?: ImagePlatform): PushedImage;
}

/** An image's platform as its config records it (Docker's names: `linux`, `arm64` / `amd64`). */
export interface ImagePlatform {
  readonly os: string;
  readonly architecture: string;
}

/** A repository as the local cloud's persistence saves it: settings, tags as pairs, images in push order. */
export interface RepositorySnapshot {
  readonly name: string;
  readonly registryId: string;
  readonly createdAt: number;
  readonly tagMutability: TagMutability;
  readonly scanOnPush: boolean;
  readonly tags: [string, string][];
  readonly images: StoredImage[];
}

/** Every region's repositories. */
export interface EcrSnapshot {
  readonly regions: Record<string, RepositorySnapshot[]>;
}

export class EcrProvider implements ServiceProvider, ImageRegistry {
  readonly targetPrefix = 'AmazonEC2ContainerRegistry_V20150921';
  readonly jsonVersion = '1.1' as const;
  readonly signingName = 'ecr';
  readonly operations: Record<string, OperationHandler> = {
    CreateRepository: (input, ctx) => this.changed(this.createRepository(input, ctx)),
    DescribeRepositories: (input, ctx) => this.describeRepositories(input, ctx),
    DeleteRepository: (input, ctx) => this.changed(this.deleteRepository(input, ctx)),
    DescribeImages: (input, ctx) => this.describeImages(input, ctx),
    ListImages: (input, ctx) => this.listImages(input, ctx),
    BatchGetImage: (input, ctx) => this.batchGetImage(input, ctx),
    PutImage: (input, ctx) => this.changed(this.putImage(input, ctx)),
    BatchDeleteImage: (input, ctx) => this.changed(this.batchDeleteImage(input, ctx)),
    GetAuthorizationToken: (input, ctx) => this.getAuthorizationToken(input, ctx),
  };

  private readonly regions = new AccountRegionStores(() => new Map<string, Repository>());
  private changes = 0;

  /**
   * Grows with every change of a repository or its images (API writes and pushes): the local cloud's persistence
   * polls it to know when to save.
   */
  get revision(): number {
    return this.changes;
  }

  /** Every region's repositories and images as plain data. */
  exportSnapshot(): EcrSnapshot {
    const regions: Record<string, RepositorySnapshot[]> = {};
    for (const [region, repositories] of this.regions.byRegion()) {
      regions[region] = [...repositories.values()].map((r) => ({
        name: r.name,
        registryId: r.registryId,
        createdAt: r.createdAt,
        tagMutability: r.tagMutability,
        scanOnPush: r.scanOnPush,
        tags: [...r.tags],
        images: [...r.images.values()].map((image) => ({ ...image, tags: [...image.tags] })),
      }));
    }
    return { regions };
  }

  /** Replaces the state with a saved one; images keep their digests, tags and push order. */
  importSnapshot(snapshot: EcrSnapshot): void {
    this.regions.clear();
    for (const [region, saved] of Object.entries(snapshot.regions)) {
      const repositories = this.repositories(region);
      for (const r of saved) {
        const repository = new Repository(r.name, r.registryId, r.createdAt, r.tagMutability, r.scanOnPush, new Map(r.tags));
        for (const image of r.images) repository.images.set(image.digest, { ...image, tags: [...image.tags] });
        repositories.set(r.name, repository);
      }
    }
    this.changes += 1;
  }

  /** Counts a write (see {@link EcrProvider.revision}) and passes its result through. */
  private changed<T>(result: T): T {
    this.changes += 1;
    return result;
  }

  /** The repositories of one account and region (created on first use). */
  private repositories(region: string, accountId?: string): Map<string, Repository> {
    return this.regions.get(region, accountId);
  }


  /** The repository or `RepositoryNotFoundException`. */
  repository(region: string, name: string): Repository {
    const repository = this.repositories(region).get(name);
    if (!repository) {
      throw new AwsServiceError(
        'RepositoryNotFoundException',
        `The repository with name '${name}' does not exist in the registry with id '${LOCAL_ACCOUNT_ID}'`,
      );
    }
    return repository;
  }

  /**
   * The image a reference names (`tag` or `sha256:` digest), or undefined when the repository or image is
   * missing — what a container runtime's pull would find.
   */
  findImage(region: string, repositoryName: string, reference: string): StoredImage | undefined {
    const repository = this.repositories(region).get(repositoryName);
    if (!repository) return undefined;
    return isImageDigest(reference) ? repository.byDigest(reference) : repository.byTag(reference);
  }

  /**
   * The recorded platform of an image given by reference (`<account>.dkr.ecr.<region>.amazonaws.com/<repo>:<tag>` or
   * `...@sha256:...`), as a puller (the ECS agent) sees it; undefined when the reference is not a repository of this
   * registry, the image is absent, or no platform was recorded.
   */
  imagePlatform(reference: string): ImagePlatform | undefined {
    const match = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com\/([^:@]+)(?::([^@]+))?(?:@(sha256:[a-f0-9]{64}))?$/.exec(reference);
    if (!match) return undefined;
    const [, , region, repository, tag, digest] = match;
    const ref = digest ?? tag;
    return ref === undefined ? undefined : this.findImage(region, repository, ref)?.platform;
  }

  /**
   * Push an already-built image, as `docker push <uri>:<tag>` does: creates the image or adds the tag;
   * pushing the same digest and tag again is a no-op. Throws `RepositoryNotFoundException`, or
   * `ImageTagAlreadyExistsException` when an IMMUTABLE repository already has the tag on another digest.
   */
  pushImage(region: string, repositoryName: string, tag: string, digest: string, sizeBytes: number, platform?: ImagePlatform): PushedImage {
    const repository = this.repository(region, repositoryName);
    if (!isImageDigest(digest)) throw invalidParameter('imageDigest', 'must be sha256: and 64 hex digits');
    if (!isImageTag(tag)) throw invalidParameter('imageTag', 'must be a valid Docker tag');
    this.changes += 1;
    repository.store({
      digest,
      tag,
      manifest: syntheticManifest(digest, sizeBytes),
      manifestMediaType: DOCKER_MANIFEST_V2,
      sizeBytes,
      platform,
    });
    return { repositoryUri: repositoryUri(region, repository.registryId, repositoryName), imageDigest: digest, imageTag: tag };
  }

  private createRepository(input: unknown, ctx: RequestContext) {
    const request = parseInput(schemas.createRepositoryInput, input);
    const name = request.repositoryName;
    const repositories = this.repositories(ctx.region, ctx.accountId);
    if (repositories.has(name)) {
      throw new AwsServiceError(
        'RepositoryAlreadyExistsException',
        `The repository with name '${name}' already exists in the registry with id '${ctx.accountId}'`,
      );
    }
    const repository = new Repository(
      name,
      ctx.accountId,
      Date.now(),
      request.imageTagMutability ?? 'MUTABLE',
      request.imageScanningConfiguration?.scanOnPush ?? false,
      new Map((request.tags ?? []).map((t) => [t.Key, t.Value])),
    );
    repositories.set(name, repository);
    return { repository: renderRepository(repository, ctx.region) };
  }

  private describeRepositories(input: unknown, ctx: RequestContext) {
    const request = parseInput(schemas.describeRepositoriesInput, input);
    if (request.repositoryNames) {
      // Naming repositories excludes paging, and one unknown name fails the whole call.
      if (request.maxResults !== undefined || request.nextToken !== undefined) {
        throw invalidParameter('maxResults', 'cannot be used together with repositoryNames');
      }
      return { repositories: request.repositoryNames.map((n) => renderRepository(this.repository(ctx.region, n), ctx.region)) };
    }
    const all = [...this.repositories(ctx.region, ctx.accountId).values()].sort((a, b) => a.createdAt - b.createdAt);
    const result = page(all, request.maxResults ?? 1000, request.nextToken, 'InvalidParameterException');
    return { repositories: result.items.map((r) => renderRepository(r, ctx.region)), nextToken: result.nextToken };
  }

  private deleteRepository(input: unknown, ctx: RequestContext) {
    const request = parseInput(schemas.deleteRepositoryInput, input);
    const repository = this.repository(ctx.region, request.repositoryName);
    if (repository.images.size > 0 && !request.force) {
      throw new AwsServiceError(
        'RepositoryNotEmptyException',
        `The repository with name '${repository.name}' in registry with id '${ctx.accountId}' cannot be deleted ` +
          'because it still contains images',
      );
    }
    this.repositories(ctx.region, ctx.accountId).delete(repository.name);
    return { repository: renderRepository(repository, ctx.region) };
  }

  private matchesTagStatus(image: StoredImage, status: 'TAGGED' | 'UNTAGGED' | 'ANY' | undefined): boolean {
    if (status === 'TAGGED') return image.tags.length > 0;
    if (status === 'UNTAGGED') return image.tags.length === 0;
    return true;
  }

  private describeImages(input: unknown, ctx: RequestContext) {
    const request = parseInput(schemas.describeImagesInput, input);
    const repository = this.repository(ctx.region, request.repositoryName);
    if (request.imageIds) {
      const images = request.imageIds.map((id) => this.requireImage(repository, id));
      return { imageDetails: [...new Set(images)].map((image) => renderImageDetail(repository, image)) };
    }
    const images = [...repository.images.values()].filter((i) => this.matchesTagStatus(i, request.filter?.tagStatus));
    const result = page(images, request.maxResults ?? 100, request.nextToken, 'InvalidParameterException');
    return { imageDetails: result.items.map((i) => renderImageDetail(repository, i)), nextToken: result.nextToken };
  }

  /** DescribeImages fails the whole call on the first identifier it cannot resolve. */
  private requireImage(repository: Repository, id: ImageIdentifier): StoredImage {
    const resolution = resolveImageId(repository, id);
    if ('image' in resolution) return resolution.image;
    if (resolution.failureCode === 'InvalidImageDigest' || resolution.failureCode === 'MissingDigestAndTag') {
      throw invalidParameter('imageIds', resolution.failureReason);
    }
    throw new AwsServiceError(
      'ImageNotFoundException',
      `The image with imageId ${describeImageId(id)} does not exist within the repository with name ` +
        `'${repository.name}' in the registry with id '${repository.registryId}'`,
    );
  }

  /** One entry per tag; an untagged image appears once, with its digest only. */
  private listImages(input: unknown, ctx: RequestContext) {
    const request = parseInput(schemas.listImagesInput, input);
    const repository = this.repository(ctx.region, request.repositoryName);
    const ids: ImageIdentifier[] = [];
    for (const image of repository.images.values()) {
      if (!this.matchesTagStatus(image, request.filter?.tagStatus)) continue;
      if (image.tags.length === 0) ids.push({ imageDigest: image.digest });
      for (const tag of image.tags) ids.push({ imageDigest: image.digest, imageTag: tag });
    }
    const result = page(ids, request.maxResults ?? 100, request.nextToken, 'InvalidParameterException');
    return { imageIds: result.items, nextToken: result.nextToken };
  }

  private batchGetImage(input: unknown, ctx: RequestContext) {
    const request = parseInput(schemas.batchGetImageInput, input);
    const repository = this.repository(ctx.region, request.repositoryName);
    const images: ReturnType<typeof renderImage>[] = [];
    const failures: { imageId: ImageIdentifier; failureCode: string; failureReason: string }[] = [];
    for (const id of request.imageIds) {
      const resolution = resolveImageId(repository, id);
      if ('image' in resolution) images.push(renderImage(repository, resolution.image, id.imageTag));
      else failures.push({ imageId: id, failureCode: resolution.failureCode, failureReason: resolution.failureReason });
    }
    return { images, failures };
  }

  private putImage(input: unknown, ctx: RequestContext) {
    const request = parseInput(schemas.putImageInput, input);
    const repository = this.repository(ctx.region, request.repositoryName);
    const parsed = parseManifest(request.imageManifest);
    const digest = manifestDigest(request.imageManifest);
    if (request.imageDigest !== undefined && request.imageDigest !== digest) {
      throw new AwsServiceError(
        'ImageDigestDoesNotMatchException',
        `The specified image digest ${request.imageDigest} does not match the digest ${digest} calculated for the manifest.`,
      );
    }
    if (request.imageTag !== undefined && !isImageTag(request.imageTag)) {
      throw invalidParameter('imageTag', 'must be a valid Docker tag');
    }
    const { image, existed } = repository.store({
      digest,
      tag: request.imageTag,
      manifest: request.imageManifest,
      manifestMediaType: request.imageManifestMediaType ?? parsed.mediaType ?? DOCKER_MANIFEST_V2,
      sizeBytes: parsed.sizeBytes,
    });
    if (existed) {
      throw new AwsServiceError(
        'ImageAlreadyExistsException',
        `Image with digest '${digest}' and tag '${request.imageTag ?? 'null'}' already exists in the repository ` +
          `with name '${repository.name}' in registry with id '${repository.registryId}'`,
      );
    }
    return { image: renderImage(repository, image, request.imageTag) };
  }

  /**
   * Deleting by digest removes the image with all its tags; deleting by tag removes the tag, and the image with
   * its last tag.
   */
  private batchDeleteImage(input: unknown, ctx: RequestContext) {
    const request = parseInput(schemas.batchDeleteImageInput, input);
    const repository = this.repository(ctx.region, request.repositoryName);
    const imageIds: ImageIdentifier[] = [];
    const failures: { imageId: ImageIdentifier; failureCode: string; failureReason: string }[] = [];
    for (const id of request.imageIds) {
      const resolution = resolveImageId(repository, id);
      if (!('image' in resolution)) {
        failures.push({ imageId: id, failureCode: resolution.failureCode, failureReason: resolution.failureReason });
        continue;
      }
      const { image } = resolution;
      if (id.imageDigest === undefined && id.imageTag !== undefined) {
        repository.removeTag(image, id.imageTag);
        imageIds.push({ imageDigest: image.digest, imageTag: id.imageTag });
      } else {
        repository.removeImage(image);
        if (image.tags.length === 0) imageIds.push({ imageDigest: image.digest });
        for (const tag of image.tags) imageIds.push({ imageDigest: image.digest, imageTag: tag });
      }
    }
    return { imageIds, failures };
  }

  /** The local registry needs no real credentials; the token has the shape `docker login` expects (`AWS:<password>`). */
  private getAuthorizationToken(input: unknown, ctx: RequestContext) {
    parseInput(schemas.getAuthorizationTokenInput, input);
    const expiresAt = Date.now() + 12 * 3600 * 1000;
    return {
      authorizationData: [
        {
          authorizationToken: Buffer.from(`AWS:local-${ctx.requestId}`).toString('base64'),
          expiresAt: toEpochSeconds(expiresAt),
          proxyEndpoint: `https://${registryHost(ctx.region, ctx.accountId)}`,
        },
      ],
    };
  }
}
