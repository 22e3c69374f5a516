import { withDefaultDataplane } from '../build-context';
import type { ChangeSet } from '../deploy/change-set';
import { computeChangeSet, type ChangeSetContext } from '../deploy/compute-change-set';
import { planImages } from '../deploy/images';
import { readMeshState, type StateReaderDeps } from '../deploy/mesh-state';
import { validateMeshSpec } from '../domain/spec/load';
import { InvalidInputError, SpecInvalidError } from '../errors';
import { parseYamlBody } from './deployments';
import { stackFitIssues, type StackLimits } from '../deploy/stack-fit';
import { parseJsonBody, requireMediaType, type RequestBody } from './request';

/** What POST /plans reads with (read-only calls) and the environment the change set is computed for. */
export interface PlanDeps {
  meshName: string;
  /** The stack's region and secrets path a spec must fit (stack-fit.ts), as POST /deployments checks them. */
  stackLimits?: StackLimits;
  /** Built on first use: the roles and networking of the stack, as the Plan step has them. */
  planner: () => { reader: StateReaderDeps; context: ChangeSetContext };
}

/**
 * POST /plans: the same body as POST /deployments (a spec as JSON or YAML, build contexts with their content hash);
 * answers the change set a deployment of it would make now (computeChangeSet on the mesh's current state, read with
 * read-only calls): the very value the deployment's Plan step computes. Nothing is written, no lock is taken.
 */
export async function planChanges(body: RequestBody, deps: PlanDeps): Promise<ChangeSet> {
  const kind = requireMediaType(body, ['json', 'yaml']);
  const raw = withDefaultDataplane(kind === 'json' ? parseJsonBody(body.text) : parseYamlBody(body.text));
  const result = validateMeshSpec({ object: raw });
  if (!result.ok) throw new SpecInvalidError(result.issues);
  const spec = result.spec;
  if (spec.name !== deps.meshName) {
    throw new InvalidInputError('the spec names another mesh', [{ path: 'name', message: `must be "${deps.meshName}": this orchestrator deploys that mesh` }]);
  }
  const misfits = stackFitIssues(spec, deps.stackLimits ?? {});
  if (misfits.length > 0) throw new SpecInvalidError(misfits);
  planImages(spec);
  const { reader, context } = deps.planner();
  return computeChangeSet(spec, await readMeshState(spec, reader), context);
}
