import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { DestroyView } from '../layers/api/contract';
import { validateMeshSpec } from '../layers/domain/spec/load';
import { DNS_LABEL } from '../layers/domain/spec/names';
import { ConcurrentOperationError, InvalidInputError, NotFoundError } from '../layers/errors';
import { createApiBackend, type BackendOptions } from './backend-factory';
import { writeLines, type CliDeps } from './cli-deps';
import { renderDestroyFrame, renderDestroyOutcome, renderDestroyTransitions } from './destroy-text';
import { followOperation, liveOutput, renderDetached, reportEnded } from './follow';

export interface DestroyOptions extends Pick<BackendOptions, 'apiUrl' | 'token'> {
  purge: boolean;
  yes: boolean;
  wait: boolean;
  json: boolean;
  pollSeconds: number;
  maxRounds: number;
}

/**
 * `meshctl destroy <spec or mesh> [--purge] [--yes]`: tear a mesh down through the HTTP API (`DELETE /mesh`) and
 * follow it stage by stage. It asks first unless `--yes`; without a terminal to ask on it refuses unless `--yes`.
 *
 * @returns 0 when the teardown succeeded (or started, with `--no-wait`), 1 when it failed, was refused or not
 *   confirmed, 2 without `--yes` when there is no terminal to ask on (a wrong command line for a script).
 */
export async function destroyCommand(target: string, options: DestroyOptions, deps: CliDeps): Promise<number> {
  const { mesh, spec } = resolveTarget(target);
  if (!options.yes) {
    if (!deps.stdin?.isTTY || !deps.prompt) {
      deps.stderr.write(`meshctl destroy: not a terminal, so nothing can confirm the teardown of mesh "${mesh}": pass --yes\n`);
      return 2;
    }
    const what = options.purge ? 'everything, its secrets and ECR images included (--purge)' : 'its services, clusters, task definitions, Consul entries and configuration (secrets and ECR images are kept)';
    const answer = await deps.prompt(`Destroy mesh "${mesh}": remove ${what}? Type the mesh name to confirm: `);
    if (answer.trim() !== mesh) {
      deps.stderr.write('meshctl destroy: not confirmed; nothing was changed\n');
      return 1;
    }
  }
  const api = createApiBackend(options, deps);
  let started;
  try {
    started = await api.startDestroy({ mesh, purge: options.purge, ...(spec ? { spec } : {}) }, { pollSeconds: options.pollSeconds, maxRounds: options.maxRounds });
  } catch (error) {
    if (!(error instanceof ConcurrentOperationError || error instanceof NotFoundError || error instanceof InvalidInputError)) throw error;
    deps.stderr.write(`meshctl destroy: ${error.message}\n`);
    return 1;
  }
  if (!options.wait) {
    if (options.json) deps.stdout.write(`${JSON.stringify(started, null, 2)}\n`);
    else writeLines(deps.stdout, [`Started teardown ${started.id} of mesh "${mesh}": follow it with GET /mesh/destroys/${started.id}`]);
    return 0;
  }
  if (!options.json) writeLines(deps.stdout, [`Destroying mesh "${mesh}"${options.purge ? ' (purge)' : ''} as ${started.id}`]);
  const last = await followOperation(
    {
      poll: () => api.getDestroy(started.id),
      ended: (view) => view.status !== 'RUNNING',
      ...liveOutput<DestroyView>(deps.stdout, deps.env, options.json, { frame: renderDestroyFrame, transitions: renderDestroyTransitions }),
      interrupted: renderDetached('teardown', started.id, `GET /mesh/destroys/${started.id}`),
    },
    deps,
  );
  return reportEnded(last, options.json, renderDestroyOutcome, deps);
}

/** A spec file (its mesh name, and the spec itself so its clusters are searched too) or a bare mesh name. */
function resolveTarget(target: string): { mesh: string; spec?: Record<string, unknown> } {
  if (existsSync(target)) {
    const result = validateMeshSpec({ path: target });
    if (!result.ok) throw new InvalidInputError(`${target} is not a valid mesh spec`, result.issues.map((i) => ({ path: i.path, message: i.message })));
    return { mesh: result.spec.name, spec: parse(readFileSync(target, 'utf8')) as Record<string, unknown> };
  }
  if (!DNS_LABEL.test(target)) throw new InvalidInputError(`"${target}" is neither a spec file nor a mesh name`, [{ path: 'target', message: 'must be a file or a mesh name' }]);
  return { mesh: target };
}
