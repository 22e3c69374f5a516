import { specHash } from '../domain/ecs/hash';
import { validateSpecObject } from '../domain/spec/validate';
import type { MeshSpec } from '../domain/spec/schema';
import { DeploymentFailedError, SpecInvalidError } from '../errors';

/**
 * The spec a deploy step works on. It travels by reference: the execution input holds it once, the steps that need it
 * read `$$.Execution.Input.spec` in their Parameters, and no state copies it (Step Functions carries at most 256 KB
 * per state; a copy of the spec next to the plan overflowed that for specs the API accepted). The Plan step
 * validated it and recorded its hash; a step checks both again, so a step can never act on another spec than the
 * one that was planned.
 * @throws SpecInvalidError when the spec does not validate; DeploymentFailedError when it is not the planned one.
 */
export function stepSpec(raw: unknown, plan: { specHash: string }): MeshSpec {
  const result = validateSpecObject(raw);
  if (!result.ok) throw new SpecInvalidError(result.issues);
  const hash = specHash(result.spec);
  if (hash !== plan.specHash) throw new DeploymentFailedError(`the spec given to this step (hash ${hash.slice(0, 12)}) is not the planned one (${plan.specHash.slice(0, 12)})`);
  return result.spec;
}
