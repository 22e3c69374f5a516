/** Polling a CodeBuild build to completion through the SDK, as a real client does. */
import { BatchGetBuildsCommand, type Build, type CodeBuildClient } from '@aws-sdk/client-codebuild';

export async function waitForBuild(client: CodeBuildClient, id: string, timeoutMs = 10_000): Promise<Build> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { builds } = await client.send(new BatchGetBuildsCommand({ ids: [id] }));
    const build = builds?.[0];
    if (build?.buildComplete) return build;
    if (Date.now() > deadline) throw new Error(`build ${id} did not complete within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** `phaseType` → the phase record, for assertions on one phase. */
export function phase(build: Build, type: string) {
  return build.phases?.find((p) => p.phaseType === type);
}
