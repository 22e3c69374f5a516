import { join } from 'node:path';
import type { RolloutView } from '../layers/api/contract';
import { readBuildContext, type BuildContextFiles } from '../layers/build-context';
import { ConcurrentOperationError, InvalidInputError, NotFoundError } from '../layers/errors';
import type { RolloutRequest } from '../layers/rollout/types';
import { createApiBackend, type BackendOptions } from './backend-factory';
import { describeUpload, publishBuildContexts } from './build-sources';
import { writeLines, type CliDeps } from './cli-deps';
import { followOperation, liveOutput, renderDetached, reportEnded } from './follow';
import { renderRolloutFrame, renderRolloutOutcome, renderRolloutTransitions } from './rollout-text';

export interface RolloutOptions extends Pick<BackendOptions, 'apiUrl' | 'token'> {
  image?: string;
  /** A build context directory (relative to `contextRoot`), hashed here: the API's Lambdas never see the files. */
  build?: string;
  dockerfile?: string;
  desiredCount?: number;
  bakeSeconds?: number;
  pollSeconds: number;
  maxRounds: number;
  wait: boolean;
  json: boolean;
  contextRoot?: string;
  /** The bucket the build context is uploaded to (default BUILD_SOURCE_BUCKET; see build-sources.ts). */
  sourceBucket?: string;
}

/**
 * `meshctl rollout <service> --image <ref>` (or `--build <dir>`): start a rollout through the HTTP API, then
 * follow it step by step (build, register, update, stabilize, bake, and the rollback if one is needed) to what
 * is live.
 *
 * @returns 0 when the new revision is live (or the rollout started, with `--no-wait`); 1 when it failed or was
 *   rolled back; 2 without exactly one of `--image` and `--build` (a wrong command line).
 */
export async function rolloutCommand(service: string, options: RolloutOptions, deps: CliDeps): Promise<number> {
  // Neither flag, or both: a wrong command line (exit 2), caught before anything is read or sent.
  if ((options.image === undefined) === (options.build === undefined)) {
    deps.stderr.write('meshctl rollout: pass exactly one of --image <repository:tag> or --build <context dir>\n');
    return 2;
  }
  const { request, context } = buildRequest(options, deps.cwd);
  const api = createApiBackend(options, deps);
  let started;
  try {
    // The build reads exactly the files that were hashed, from S3: uploaded before the rollout starts.
    const upload = await publishBuildContexts(context ? [context] : [], options, deps);
    if (!options.json && upload.bucket) writeLines(deps.stdout, [describeUpload(upload)]);
    started = await api.startRollout(service, request, { pollSeconds: options.pollSeconds, maxRounds: options.maxRounds });
  } catch (error) {
    if (!(error instanceof ConcurrentOperationError || error instanceof NotFoundError || error instanceof InvalidInputError)) throw error;
    deps.stderr.write(`meshctl rollout: ${error.message}\n`);
    return 1;
  }
  if (!options.wait) {
    if (options.json) deps.stdout.write(`${JSON.stringify(started, null, 2)}\n`);
    else writeLines(deps.stdout, [`Started rollout ${started.id} of ${service}`]);
    return 0;
  }
  if (!options.json) writeLines(deps.stdout, [`Rolling out ${service} as ${started.id} (execution ${started.execution})`]);
  const last = await followOperation(
    {
      poll: () => api.getRollout(service, started.id),
      ended: (view) => view.status !== 'RUNNING',
      ...liveOutput<RolloutView>(deps.stdout, deps.env, options.json, { frame: renderRolloutFrame, transitions: renderRolloutTransitions }),
      interrupted: renderDetached('rollout', started.id, `GET /services/${service}/rollouts/${started.id}`),
    },
    deps,
  );
  return reportEnded(last, options.json, renderRolloutOutcome, deps);
}

function buildRequest(options: RolloutOptions, cwd: string): { request: RolloutRequest; context?: BuildContextFiles } {
  if ((options.image === undefined) === (options.build === undefined)) throw new InvalidInputError('meshctl rollout needs exactly one of --image or --build');
  const extra = {
    ...(options.desiredCount !== undefined ? { desiredCount: options.desiredCount } : {}),
    ...(options.bakeSeconds !== undefined ? { bakeSeconds: options.bakeSeconds } : {}),
  };
  if (options.image !== undefined) return { request: { image: options.image, ...extra } };
  const context = options.build as string;
  const files = readBuildContext(join(options.contextRoot ?? cwd, context));
  return { request: { build: { context, contentHash: files.contentHash, dockerfile: options.dockerfile ?? 'Dockerfile' }, ...extra }, context: files };
}
