import { randomInt } from 'node:crypto';
import { specHash } from '../domain/ecs/hash';

/**
 * Names of a deployment: its id (`d-<yyyymmddHHMMss>-<6 base36>`) and its Step Functions execution name
 * (`<mesh>-<12 hex of the spec hash>-<yyyymmddHHMMss>-<6 base36>`).
 *
 * Step Functions execution names are at most 80 characters of `[A-Za-z0-9-_]` (StartExecution `name`), and the
 * name is the only thing ListExecutions returns that a caller can filter on. So the name carries the mesh (to
 * find its deployments), the spec hash (to tell "the very same spec is already deploying") and the deployment id
 * suffix (so `status d-...` finds the execution without reading every input).
 */

/** Longest execution name Step Functions accepts. */
export const EXECUTION_NAME_MAX = 80;
const HASH_CHARS = 12;
const SUFFIX_PATTERN = /^d-(\d{14}-[0-9a-z]{6})$/;
const NAME_PATTERN = /^(.+)-([0-9a-f]{12})-(\d{14}-[0-9a-z]{6})$/;
/** 80 minus "-", 12 hex, "-" and the 21-character suffix: a mesh name (≤ 63) longer than this is cut. */
export const MESH_PART_MAX = EXECUTION_NAME_MAX - 1 - HASH_CHARS - 1 - 21;

/**
 * A new deployment id from the clock (UTC) and 6 random base36 characters.
 * @example newDeploymentId(new Date('2025-03-04T05:06:07Z')) // 'd-20250304050607-k3x9q0'
 */
export function newDeploymentId(now: Date = new Date(), random: () => string = randomBase36): string {
  return newOperationId('d', now, random);
}

/**
 * `<prefix>-<yyyymmddHHMMss>-<6 base36>`: the shape of deployment (`d`) and rollout (`r`) ids, sortable by time
 * and short enough to travel in an execution name.
 */
export function newOperationId(prefix: string, now: Date = new Date(), random: () => string = randomBase36): string {
  const stamp = now.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  const suffix = random();
  if (!/^[0-9a-z]{6}$/.test(suffix)) throw new RangeError(`random id suffix must be 6 base36 characters, got "${suffix}"`);
  return `${prefix}-${stamp}-${suffix}`;
}

function randomBase36(): string {
  let out = '';
  for (let i = 0; i < 6; i += 1) out += randomInt(36).toString(36);
  return out;
}

/** The first 12 hex characters of the sha256 of the spec's canonical JSON (sorted keys): equal specs, equal hash. */
export function specHashPrefix(spec: unknown): string {
  return specHash(spec).slice(0, HASH_CHARS);
}

/** The mesh part of execution names: the mesh name, cut to fit the 80-character limit. */
export function executionMeshPart(mesh: string): string {
  return mesh.slice(0, MESH_PART_MAX);
}

/** True when the mesh name had to be cut, so a name match alone cannot prove the mesh (another mesh may share the prefix). */
export function meshPartIsCut(mesh: string): boolean {
  return mesh.length > MESH_PART_MAX;
}

/**
 * The execution name of a deployment.
 * @throws RangeError for a deployment id not of the form `d-<yyyymmddHHMMss>-<6 base36>`.
 * @example executionName('shop', 'a1b2c3d4e5f6', 'd-20250304050607-k3x9q0') // 'shop-a1b2c3d4e5f6-20250304050607-k3x9q0'
 */
export function executionName(mesh: string, specHash12: string, deploymentId: string): string {
  const suffix = SUFFIX_PATTERN.exec(deploymentId)?.[1];
  if (!suffix) throw new RangeError(`deployment id "${deploymentId}" is not of the form d-<yyyymmddHHMMss>-<6 base36>`);
  if (!/^[0-9a-f]{12}$/.test(specHash12)) throw new RangeError(`spec hash prefix "${specHash12}" is not 12 hex characters`);
  return `${executionMeshPart(mesh)}-${specHash12}-${suffix}`;
}

export interface ParsedExecutionName {
  /** The mesh name as it appears in the name (cut to MESH_PART_MAX). */
  meshPart: string;
  specHash12: string;
  deploymentId: string;
}

/**
 * Reads an execution name back; undefined for names this CLI did not make (other tools may start executions of
 * the same state machine). The hash and suffix are matched from the end, so a mesh called `shop` never matches
 * the executions of a mesh called `shop-eu`.
 */
export function parseExecutionName(name: string): ParsedExecutionName | undefined {
  const match = NAME_PATTERN.exec(name);
  if (!match) return undefined;
  return { meshPart: match[1], specHash12: match[2], deploymentId: `d-${match[3]}` };
}

/** True when `id` looks like a deployment id (`d-<yyyymmddHHMMss>-<6 base36>`). */
export function isDeploymentId(id: string): boolean {
  return SUFFIX_PATTERN.test(id);
}
