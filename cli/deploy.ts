import { formatIssue } from '../layers/domain/spec/issues';
import { ConcurrentOperationError, InvalidInputError } from '../layers/errors';
import { describeUpload, publishBuildContexts } from './build-sources';
import { createBackend, type BackendOptions } from './backend-factory';
import { writeLines, type CliDeps } from './cli-deps';
import type { DeploymentInput } from '../layers/executions/backend';
import { newDeploymentId, specHashPrefix } from '../layers/executions/execution-name';
import { reportOutcome } from './outcome';
import { createProgressView } from './progress-view';
import { prepareSpec } from './spec-input';
import { watchDeployment } from './watch';
import { renderDetached } from './follow';

export interface DeployOptions extends BackendOptions {
  /** False with `--no-wait`: start, print the id, return. */
  wait: boolean;
  json: boolean;
  /** `settings` of the execution input: seconds between the state machine's polls, and rounds before a stage times out. */
  pollSeconds: number;
  maxRounds: number;
  /** Directory the spec's build contexts are relative to; the working directory by default. */
  contextRoot?: string;
  /** The bucket build contexts are uploaded to (default BUILD_SOURCE_BUCKET; see build-sources.ts). */
  sourceBucket?: string;
}

/**
 * `meshctl deploy <spec>`: validate, hash the build contexts and upload them (zipped, unless already there), refuse when another deployment of the mesh runs
 * (or join it when it deploys the very same spec), start the execution, then follow it to the end and print the
 * summary, or the stage and cause of the failure.
 *
 * @returns the exit code: 0 when deployed (or started, with `--no-wait`), 1 otherwise.
 */
export async function deployCommand(specPath: string, options: DeployOptions, deps: CliDeps): Promise<number> {
  const prepared = prepareSpec(specPath, options.contextRoot ?? deps.cwd);
  if (!prepared.ok) {
    writeLines(deps.stderr, prepared.issues.map((issue) => `${specPath}: ${formatIssue(issue)}`));
    return 1;
  }
  const { spec, raw } = prepared;
  // The builds read exactly the files that were hashed, from S3: uploaded before anything starts.
  let upload;
  try {
    upload = await publishBuildContexts(prepared.contexts.values(), { ...options, specRegion: spec.region }, deps);
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error;
    deps.stderr.write(`meshctl deploy: ${error.message}\n`);
    return 1;
  }
  // Said under the header line, which stays the first line of the output.
  const uploadLines = upload.bucket ? [describeUpload(upload)] : [];
  const deploymentId = newDeploymentId(deps.now(), deps.randomSuffix);
  const input: DeploymentInput = { deploymentId, spec: raw, settings: { pollSeconds: options.pollSeconds, maxRounds: options.maxRounds } };
  const backend = createBackend(options, deps);

  let started;
  try {
    started = await backend.start({ mesh: spec.name, deploymentId, specHash12: specHashPrefix(spec), input });
  } catch (error) {
    if (!(error instanceof ConcurrentOperationError)) throw error;
    deps.stderr.write(`meshctl deploy: ${error.message}\n`);
    return 1;
  }

  if (!options.wait) {
    if (options.json) deps.stdout.write(`${JSON.stringify({ ...started, mesh: spec.name, status: 'RUNNING' }, null, 2)}\n`);
    else writeLines(deps.stdout, [started.attached ? `Already deploying this spec: ${started.deploymentId}` : `Started ${started.deploymentId}`, started.id]);
    return 0;
  }

  const view = options.json ? undefined : createProgressView(deps.stdout, deps.now, deps.env);
  if (!options.json) {
    writeLines(deps.stdout, [
      started.attached
        ? `Attached to the running deployment ${started.deploymentId} of the same spec of mesh "${spec.name}" (execution ${started.name})`
        : `Deploying mesh "${spec.name}" as ${started.deploymentId} (execution ${started.name})`,
      ...uploadLines,
    ]);
  }
  // Ctrl-C stops following, not the deployment: say so, and how to follow or cancel it.
  const watched = await watchDeployment(backend, started.id, {
    intervalMs: deps.pollIntervalMs,
    sleep: deps.sleep,
    onUpdate: (p, d) => view?.update(p, d),
    stderr: deps.stderr,
    onInterrupt: deps.onInterrupt,
    interrupted: renderInterrupted(started.deploymentId),
    close: () => view?.close(),
  });
  const { description, progress } = watched;
  view?.close();
  return reportOutcome(description, progress, options.json, deps);
}

/** What Ctrl-C on `meshctl deploy` means: the deployment runs on in Step Functions; how to follow or stop it. */
export function renderInterrupted(deploymentId: string): string[] {
  return renderDetached('deployment', deploymentId, `meshctl status ${deploymentId} --watch`);
}
