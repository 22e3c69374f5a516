import type { ChangeSet } from '../deploy/change-set';
import { computeChangeSet, type ChangeSetContext } from '../deploy/compute-change-set';
import { readMeshState, type StateReaderDeps } from '../deploy/mesh-state';
import type { StackLimits } from '../deploy/stack-fit';
import { readSubmittedSpec } from './deployments';
import type { RequestBody } from './request';

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
  const { spec } = readSubmittedSpec(body, deps);
  const { reader, context } = deps.planner();
  return computeChangeSet(spec, await readMeshState(spec, reader), context);
}
