import { DeleteRepositoryCommand, paginateDescribeRepositories, type ECRClient } from '@aws-sdk/client-ecr';

export interface EcrRepositoriesApi {
  /** The names of every repository of the registry whose name starts with `prefix` (DescribeRepositories, paged). */
  listNames(prefix: string): Promise<string[]>;
  /**
   * DeleteRepository with its images (`force`: ECR otherwise refuses a repository that holds images with
   * `RepositoryNotEmptyException`). A repository already gone is not an error: returns false.
   */
  deleteRepository(name: string): Promise<boolean>;
}

/** @example const repos = createEcrRepositoriesApi(clients.ecr); await repos.listNames('reference-mesh/'); */
export function createEcrRepositoriesApi(ecr: ECRClient): EcrRepositoriesApi {
  return {
    async listNames(prefix) {
      const names: string[] = [];
      // DescribeRepositories has no name filter: list the registry (1,000 a page at most) and keep the prefix's.
      for await (const page of paginateDescribeRepositories({ client: ecr, pageSize: 1000 }, {})) {
        for (const r of page.repositories ?? []) if (r.repositoryName?.startsWith(prefix)) names.push(r.repositoryName);
      }
      return names;
    },
    async deleteRepository(name) {
      try {
        await ecr.send(new DeleteRepositoryCommand({ repositoryName: name, force: true }));
        return true;
      } catch (error) {
        if ((error as Error).name === 'RepositoryNotFoundException') return false;
        throw error;
      }
    },
  };
}
