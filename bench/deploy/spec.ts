/**
 * The deployment the benchmark measures: the reference topology of `examples/mesh.yaml`, submitted as
 * `meshctl deploy` submits it (raw YAML with each build context's content hash filled in).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { withContentHashes } from '../../layers/build-context';

/** The project root: serverless.yml, state-machines/, examples/ and the build contexts. */
export const PROJECT_ROOT = resolve(__dirname, '../..');

/** The deploy state machine's definition file (the one serverless.yml includes). */
export const DEPLOY_ASL_FILE = resolve(PROJECT_ROOT, 'state-machines/deploy-mesh.asl.json');

/** The reference spec as a deployment input: parsed YAML plus `build.contentHash` for every build context. */
export function referenceSpec(root: string = PROJECT_ROOT): Record<string, unknown> {
  const raw: unknown = parse(readFileSync(resolve(root, 'examples/mesh.yaml'), 'utf8'));
  return withContentHashes(raw, root) as Record<string, unknown>;
}
