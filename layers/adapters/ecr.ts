import {
  CreateRepositoryCommand,
  DeleteRepositoryCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  type CreateRepositoryCommandInput,
  type ECRClient,
  type ImageDetail,
  type ImageIdentifier,
  type Repository,
} from '@aws-sdk/client-ecr';
import { batches } from './ecs';

/**
 * ECR's limits (API Reference, request parameters): DescribeRepositories takes at most 100 names and answers at most
 * 1,000 repositories a page; DescribeImages takes at most 100 image ids.
 */
export const ECR_LIMITS = { repositoryNames: 100, repositoryPage: 1000, imageIds: 100 } as const;

/**
 * Every ECR call the orchestrator makes. Errors are the SDK's own (`RepositoryNotFoundException`,
 * `ImageNotFoundException`, `RepositoryAlreadyExistsException`), never rewrapped: callers that take one for an
 * answer catch it by name.
 */
export interface EcrApi {
  /** One repository (DescribeRepositories). Throws `RepositoryNotFoundException` when it does not exist. */
  describeRepository(name: string): Promise<Repository | undefined>;
  /**
   * The images of `imageIds` in a repository, 100 ids a call. ECR throws `ImageNotFoundException` when none of a
   * call's ids exist (and lists the others in `failures`).
   */
  describeImages(repositoryName: string, imageIds: readonly ImageIdentifier[]): Promise<ImageDetail[]>;
  /** CreateRepository. Throws `RepositoryAlreadyExistsException` when another caller created it first. */
  createRepository(input: CreateRepositoryCommandInput): Promise<Repository | undefined>;
  /** The names of every repository of the registry whose name starts with `prefix` (DescribeRepositories, paged). */
  listNames(prefix: string): Promise<string[]>;
  /**
   * DeleteRepository with its images (`force`: ECR otherwise refuses a repository that holds images with
   * `RepositoryNotEmptyException`). A repository already gone is not an error: returns false.
   */
  deleteRepository(name: string): Promise<boolean>;
}

/** @example const ecr = createEcrApi(new ECRClient({})); await ecr.listNames('reference-mesh/'); */
export function createEcrApi(client: Pick<ECRClient, 'send'>): EcrApi {
  const api: EcrApi = {
    async describeRepository(name) {
      return (await client.send(new DescribeRepositoriesCommand({ repositoryNames: [name] }))).repositories?.[0];
    },
    async describeImages(repositoryName, imageIds) {
      const images: ImageDetail[] = [];
      for (const batch of batches(imageIds, ECR_LIMITS.imageIds)) {
        images.push(...((await client.send(new DescribeImagesCommand({ repositoryName, imageIds: batch }))).imageDetails ?? []));
      }
      return images;
    },
    async createRepository(input) {
      return (await client.send(new CreateRepositoryCommand(input))).repository;
    },
    async listNames(prefix) {
      const names: string[] = [];
      // DescribeRepositories has no name filter: list the registry (1,000 a page at most) and keep the prefix's.
      let nextToken: string | undefined;
      do {
        const page = await client.send(new DescribeRepositoriesCommand({ maxResults: ECR_LIMITS.repositoryPage, nextToken }));
        for (const r of page.repositories ?? []) if (r.repositoryName?.startsWith(prefix)) names.push(r.repositoryName);
        nextToken = page.nextToken;
      } while (nextToken);
      return names;
    },
    async deleteRepository(name) {
      try {
        await client.send(new DeleteRepositoryCommand({ repositoryName: name, force: true }));
        return true;
      } catch (error) {
        if ((error as Error).name === 'RepositoryNotFoundException') return false;
        throw error;
      }
    },
  };
  return api;
}
