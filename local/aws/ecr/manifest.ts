/**
 * Image manifests. PutImage takes a manifest and derives the digest from it (sha256 of its bytes), as a
 * registry does; images pushed by the CodeBuild simulation get a synthetic Docker v2 manifest instead.
 */
import { createHash } from 'node:crypto';
import { invalidParameter } from './validation';

export const DOCKER_MANIFEST_V2 = 'application/vnd.docker.distribution.manifest.v2+json';

export function manifestDigest(manifest: string): string {
  return `sha256:${createHash('sha256').update(manifest, 'utf8').digest('hex')}`;
}

interface ParsedManifest {
  readonly mediaType?: string;
  readonly sizeBytes: number;
}

/** Check that a manifest is a JSON object with `schemaVersion`; returns its media type and image size. */
export function parseManifest(manifest: string): ParsedManifest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(manifest);
  } catch {
    throw invalidParameter('imageManifest', 'Invalid JSON syntax');
  }
  if (typeof parsed !== 'object' || parsed === null || !('schemaVersion' in parsed)) {
    throw invalidParameter('imageManifest', 'Manifest must have a schemaVersion');
  }
  const record = parsed as { mediaType?: unknown; layers?: unknown; config?: { size?: unknown } };
  // The image size ECR reports is the sum of the layer sizes.
  const layers = Array.isArray(record.layers) ? record.layers : [];
  const sizeBytes = layers.reduce<number>((sum, layer) => {
    const size = (layer as { size?: unknown }).size;
    return sum + (typeof size === 'number' ? size : 0);
  }, 0);
  return { mediaType: typeof record.mediaType === 'string' ? record.mediaType : undefined, sizeBytes };
}

/** A Docker v2 manifest for an image built without a registry client: one layer carrying the whole content. */
export function syntheticManifest(digest: string, sizeBytes: number): string {
  const configDigest = `sha256:${createHash('sha256').update(`config:${digest}`).digest('hex')}`;
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: DOCKER_MANIFEST_V2,
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: 0, digest: configDigest },
    layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: sizeBytes, digest }],
  });
}
