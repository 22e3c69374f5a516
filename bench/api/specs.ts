/**
 * The specs the benchmark posts: the reference mesh as `meshctl deploy` sends it, and a variant of it (another
 * spec of the same mesh) that a running deployment of the reference makes the API refuse with 409.
 */
import { referenceSpec } from '../deploy/spec';

export { referenceSpec };

/** The spec with its first service's `desiredCount` one higher: same mesh, different spec hash. */
export function variantSpec(spec: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(spec) as { clusters?: Array<{ services?: Array<{ desiredCount?: number }> }> };
  const service = copy.clusters?.[0]?.services?.[0];
  if (!service) throw new RangeError('the spec has no service to vary');
  service.desiredCount = (service.desiredCount ?? 1) + 1;
  return copy as Record<string, unknown>;
}

/** The image of the `n`-th rollout (0-based): the images in turn, so each rollout changes the running revision. */
export function rolloutImage(images: readonly string[], n: number): string {
  if (images.length < 2) throw new RangeError('at least two images are needed for every rollout to be a change');
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`rollout number must be an integer >= 0, got ${n}`);
  return images[n % images.length];
}
