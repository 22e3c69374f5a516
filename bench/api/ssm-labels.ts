/**
 * Resetting the deployment labels of the mesh's configuration parameters between started deployments.
 *
 * Each deployment labels the live version of every configuration parameter with its deployment id
 * (`layers/deploy/config-store.ts`), and an unchanged configuration keeps the same version. SSM allows at most 10
 * labels per parameter version (`ParameterVersionLabelLimitExceeded`), so the eleventh deployment of an unchanged
 * spec fails in its StoreConfig step. The POST series starts more deployments than that; it removes the labels
 * between samples (untimed) so every sample starts a deployment that can run, as the first ten do.
 */
import {
  GetParameterHistoryCommand,
  paginateGetParametersByPath,
  UnlabelParameterVersionCommand,
  type ParameterHistory,
  type SSMClient,
} from '@aws-sdk/client-ssm';

/** A deployment id as the deploy step labels it (`d-<yyyymmddHHMMss>-<6 base36>`). */
const DEPLOYMENT_LABEL = /^d-\d{14}-[0-9a-z]{6}$/;

/** The deployment labels of each version of a parameter's history, versions without any left out. */
export function deploymentLabelsByVersion(history: readonly ParameterHistory[]): Array<{ version: number; labels: string[] }> {
  const found: Array<{ version: number; labels: string[] }> = [];
  for (const entry of history) {
    const labels = (entry.Labels ?? []).filter((label) => DEPLOYMENT_LABEL.test(label));
    if (entry.Version !== undefined && labels.length > 0) found.push({ version: entry.Version, labels });
  }
  return found;
}

/** Removes every deployment label from the parameters under `path`; resolves with how many were removed. */
export async function clearDeploymentLabels(ssm: SSMClient, path: string): Promise<number> {
  let removed = 0;
  for await (const page of paginateGetParametersByPath({ client: ssm }, { Path: path, Recursive: true })) {
    for (const parameter of page.Parameters ?? []) {
      if (!parameter.Name) continue;
      const history: ParameterHistory[] = [];
      let nextToken: string | undefined;
      do {
        const answer = await ssm.send(new GetParameterHistoryCommand({ Name: parameter.Name, MaxResults: 50, NextToken: nextToken }));
        history.push(...(answer.Parameters ?? []));
        nextToken = answer.NextToken;
      } while (nextToken);
      for (const { version, labels } of deploymentLabelsByVersion(history)) {
        // UnlabelParameterVersion takes at most 10 labels a call, which is also the most a version can hold.
        const answer = await ssm.send(new UnlabelParameterVersionCommand({ Name: parameter.Name, ParameterVersion: version, Labels: labels.slice(0, 10) }));
        removed += answer.RemovedLabels?.length ?? 0;
      }
    }
  }
  return removed;
}
