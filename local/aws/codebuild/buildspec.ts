/**
 * Buildspec loading and validation ("Build specification reference for CodeBuild"). A project's `buildspec`
 * (or StartBuild's `buildspecOverride`) is either an inline YAML definition or a path relative to the source
 * root; empty means `buildspec.yml` in the source root. Problems are what CodeBuild reports as YAML_FILE_ERROR.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, posix, resolve } from 'node:path';
import { parseDocument } from 'yaml';

export const BUILDSPEC_PHASES = ['install', 'pre_build', 'build', 'post_build'] as const;
export type BuildspecPhase = (typeof BUILDSPEC_PHASES)[number];

/** Versions CodeBuild accepts (0.1 is deprecated but still valid). */
const VERSIONS = ['0.1', '0.2'];
const PHASE_KEYS = ['commands', 'finally', 'on-failure', 'run-as', 'runtime-versions'];

export interface Buildspec {
  readonly version: string;
  readonly phases: Partial<Record<BuildspecPhase, { readonly commands: readonly string[] }>>;
  /** `env.variables`: the lowest-precedence environment variables. */
  readonly variables: Readonly<Record<string, string>>;
  /** `env.exported-variables`: names whose final values the build reports. */
  readonly exportedVariables: readonly string[];
}

export type BuildspecResult = { readonly buildspec: Buildspec } | { readonly error: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

function checkPhase(name: string, body: unknown): string | { commands: string[] } {
  if (!(BUILDSPEC_PHASES as readonly string[]).includes(name)) {
    return `unknown phase '${name}' (expected one of ${BUILDSPEC_PHASES.join(', ')})`;
  }
  if (!isRecord(body)) return `phases.${name} must be a mapping with 'commands'`;
  const unknown = Object.keys(body).find((key) => !PHASE_KEYS.includes(key));
  if (unknown !== undefined) return `phases.${name}: unknown key '${unknown}'`;
  if (!Array.isArray(body.commands)) return `phases.${name}.commands must be a list of strings`;
  const bad = body.commands.findIndex((command) => typeof command !== 'string');
  if (bad >= 0) return `Expected phases.${name}.commands[${bad}] to be of string type`;
  if (body.finally !== undefined && !isStringList(body.finally)) return `phases.${name}.finally must be a list of strings`;
  return { commands: body.commands as string[] };
}

function checkEnv(env: unknown): string | Pick<Buildspec, 'variables' | 'exportedVariables'> {
  if (env === undefined || env === null) return { variables: {}, exportedVariables: [] };
  if (!isRecord(env)) return 'env must be a mapping';
  const variables: Record<string, string> = {};
  if (env.variables !== undefined) {
    if (!isRecord(env.variables)) return 'env.variables must be a mapping';
    for (const [key, value] of Object.entries(env.variables)) {
      if (typeof value === 'object' && value !== null) return `env.variables.${key} must be a scalar`;
      variables[key] = String(value ?? '');
    }
  }
  const exported = env['exported-variables'] ?? [];
  if (!isStringList(exported)) return 'env.exported-variables must be a list of strings';
  return { variables, exportedVariables: exported };
}

/** Parse and validate buildspec text. */
export function parseBuildspec(text: string): BuildspecResult {
  const document = parseDocument(text);
  if (document.errors.length > 0) return { error: `YAML_FILE_ERROR: ${document.errors[0].message}` };
  const root: unknown = document.toJS();
  if (!isRecord(root)) return { error: 'YAML_FILE_ERROR: the buildspec must be a YAML mapping' };
  const version = root.version === undefined ? undefined : String(root.version);
  if (version === undefined || !VERSIONS.includes(version)) {
    return { error: `YAML_FILE_ERROR: invalid buildspec version '${version ?? ''}'; expected 0.2` };
  }
  if (!isRecord(root.phases)) return { error: "YAML_FILE_ERROR: the buildspec needs a 'phases' mapping" };
  const phases: Record<string, { commands: string[] }> = {};
  for (const [name, body] of Object.entries(root.phases)) {
    const checked = checkPhase(name, body);
    if (typeof checked === 'string') return { error: `YAML_FILE_ERROR: ${checked}` };
    phases[name] = checked;
  }
  const env = checkEnv(root.env);
  if (typeof env === 'string') return { error: `YAML_FILE_ERROR: ${env}` };
  return { buildspec: { version, phases, ...env } };
}

/** Inline definitions span lines or start with `version:`; anything else names a file. */
export function isInlineBuildspec(spec: string): boolean {
  return spec.includes('\n') || /^\s*version\s*:/.test(spec);
}

/** A directory a buildspec path may be relative to, and how messages name it. */
export interface SearchRoot {
  readonly dir: string;
  readonly label: string;
}

/**
 * Load the buildspec a build uses. A path is looked up in each of `roots` in turn: on AWS it is relative to the
 * source root only; the local cloud also tries the project root, which stands in for the repository checkout
 * (a project whose buildspec is `docker/buildspec.yml` can build a context such as `docker/services/users`).
 * No roots (NO_SOURCE) means only an inline buildspec can work.
 */
export function loadBuildspec(spec: string | undefined, roots: readonly SearchRoot[]): BuildspecResult {
  if (spec !== undefined && spec.trim() !== '' && isInlineBuildspec(spec)) return parseBuildspec(spec);
  const file = spec !== undefined && spec.trim() !== '' ? spec.trim() : 'buildspec.yml';
  if (roots.length === 0) return { error: 'YAML_FILE_ERROR: a build without source needs an inline buildspec' };
  for (const root of roots) {
    const path = resolve(join(root.dir, file));
    if (!existsSync(path) || !statSync(path).isFile()) continue;
    const result = parseBuildspec(readFileSync(path, 'utf8'));
    return 'error' in result ? { error: `${result.error} (in ${posix.join(root.label, file)})` } : result;
  }
  return { error: `YAML_FILE_ERROR: buildspec not found: ${posix.join(roots[0].label, file)}` };
}
