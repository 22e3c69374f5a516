import { BatchGetBuildsCommand, StartBuildCommand, type Build, type CodeBuildClient, type StartBuildCommandInput } from '@aws-sdk/client-codebuild';
import { batches } from './ecs';

/** BatchGetBuilds takes at most 100 ids (CodeBuild API Reference). */
export const CODEBUILD_LIMITS = { getBatch: 100 } as const;

/**
 * The CodeBuild calls the orchestrator makes. Errors are the SDK's own (`ResourceNotFoundException`, ...), never
 * rewrapped.
 */
export interface CodeBuildApi {
  /** StartBuild: the build as CodeBuild answers it (its id and current phase). */
  startBuild(input: StartBuildCommandInput): Promise<Build | undefined>;
  /** BatchGetBuilds in batches of 100; builds CodeBuild does not know (`buildsNotFound`) are left out. */
  batchGetBuilds(ids: readonly string[]): Promise<Build[]>;
}

/** @example const codebuild = createCodeBuildApi(new CodeBuildClient({})); const [build] = await codebuild.batchGetBuilds([id]); */
export function createCodeBuildApi(client: Pick<CodeBuildClient, 'send'>): CodeBuildApi {
  const api: CodeBuildApi = {
    async startBuild(input) {
      return (await client.send(new StartBuildCommand(input))).build;
    },
    async batchGetBuilds(ids) {
      const builds: Build[] = [];
      for (const batch of batches(ids, CODEBUILD_LIMITS.getBatch)) builds.push(...((await client.send(new BatchGetBuildsCommand({ ids: batch }))).builds ?? []));
      return builds;
    },
  };
  return api;
}
