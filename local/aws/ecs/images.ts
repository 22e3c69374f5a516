/**
 * The project's convention for simulated images (DESIGN.md section 4): the tag says how the container behaves.
 *
 * - `…:fail-<anything>`: the container exits with code 1 right after starting (so failed rollouts can be shown).
 * - `…:unhealthy-<anything>`: the container runs but its health check reports UNHEALTHY.
 * - anything else runs and, if the task definition gives it a health check, reports HEALTHY.
 */

/**
 * The tag of an image reference, or undefined when it has none (digest references, bare names).
 * A colon before the last `/` belongs to a registry host (`registry:5000/users`), not to a tag.
 */
export function imageTag(image: string): string | undefined {
  const withoutDigest = image.split('@')[0];
  const lastSlash = withoutDigest.lastIndexOf('/');
  const lastColon = withoutDigest.lastIndexOf(':');
  return lastColon > lastSlash ? withoutDigest.slice(lastColon + 1) : undefined;
}

export function isCrashingImage(image: string): boolean {
  return imageTag(image)?.startsWith('fail-') ?? false;
}

export function isUnhealthyImage(image: string): boolean {
  return imageTag(image)?.startsWith('unhealthy-') ?? false;
}
