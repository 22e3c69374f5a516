/**
 * Validating a spec that is already an object (what the functions receive in their input): apart from
 * `load.ts`, which also reads files and parses YAML, so that a function's bundle does not carry a YAML parser it
 * never calls.
 */
import { MeshSpecSchema, type MeshSpec } from './schema';
import { checkSpecRules, MAX_SPEC_BYTES } from './rules';
import { withContentHashes } from '../../build-context';
import { formatPath, type SpecIssue } from './issues';
import { salvage } from './salvage';

/** The outcome of validating a spec: the spec with defaults filled in, or every problem found. */
export type SpecResult = { ok: true; spec: MeshSpec } | { ok: false; issues: SpecIssue[] };

/**
 * Validates a parsed spec (JSON or YAML already read), filling in defaults. Never throws for a bad spec: problems
 * come back as issues naming their paths.
 */
export function validateSpecObject(raw: unknown): SpecResult {
  // One pass: the schema's issues and the cross-field rules' together, the rules running on what can be kept of
  // an invalid spec, so fixing one problem never reveals another that was there all along.
  const parsed = MeshSpecSchema.safeParse(raw);
  const spec = parsed.success ? parsed.data : (salvage(MeshSpecSchema, raw) as MeshSpec);
  const issues = [...(parsed.success ? [] : parsed.error.issues.flatMap((issue) => toSpecIssues(issue, raw))), ...checkSpecRules(spec)];
  if (raw !== null && typeof raw === 'object' && !Array.isArray(raw)) {
    const size = submittedSpecBytes(raw);
    if (size > MAX_SPEC_BYTES) issues.push(tooLarge(size));
  }
  return issues.length > 0 ? { ok: false, issues: sortIssues(issues) } : { ok: true, spec: parsed.data! };
}

/**
 * Issues in the order of their paths, indexes compared as numbers (`clusters[2]` before `clusters[10]`), the
 * file-level ones (`(file)`, `(root)`, `(yaml ...)`) first; issues of one path keep the order they were found in.
 */
export function sortIssues(issues: SpecIssue[]): SpecIssue[] {
  const key = (path: string) => (path.startsWith('(') ? `\u0000${path}` : path);
  return [...issues].sort((a, b) => key(a.path).localeCompare(key(b.path), 'en', { numeric: true }));
}

/** A content hash as `meshctl deploy` fills it in: 64 hex digits. */
const HASH_PLACEHOLDER = '0'.repeat(64);

/**
 * The size the limit protects: the spec as submitted, as JSON (what the execution input carries, defaults not filled
 * in), with every build context's content hash as `meshctl deploy` adds it, so `meshctl validate`, `meshctl deploy`
 * and the API measure the same bytes.
 */
export function submittedSpecBytes(raw: unknown): number {
  return Buffer.byteLength(JSON.stringify(withContentHashes(raw, '', undefined, () => HASH_PLACEHOLDER)), 'utf8');
}

function tooLarge(size: number): SpecIssue {
  return {
    path: '(root)',
    message: `the spec is ${size} bytes as submitted (JSON, build contexts with their content hash); a deployment carries at most ${MAX_SPEC_BYTES} bytes of spec (Step Functions' 256 KB per task input, less room for the plan and statuses next to it)`,
  };
}

type ZodIssue = import('zod').z.core.$ZodIssue;

/**
 * Zod's issues with each unknown key at its own path and the expected type spelled out; a key that is not there at
 * all is said to be required (zod/mini words a missing key and a wrong type alike, "Invalid input").
 */
function toSpecIssues(issue: ZodIssue, raw: unknown): SpecIssue[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({ path: formatPath([...issue.path, key]), message: 'unknown key' }));
  }
  const required = isMissing(raw, issue.path) ? 'required: ' : '';
  if (issue.code === 'invalid_type') {
    const message = issue.message.startsWith('Invalid input') ? `${required}expected ${issue.expected}` : issue.message;
    return [{ path: formatPath(issue.path), message }];
  }
  if (issue.code === 'invalid_value' && issue.message.startsWith('Invalid')) {
    return [{ path: formatPath(issue.path), message: `${required}expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}` }];
  }
  return [{ path: formatPath(issue.path), message: issue.message }];
}

/** Whether the key at `path` is absent (or null) in an object that is there: a required key left out. */
function isMissing(raw: unknown, path: readonly PropertyKey[]): boolean {
  if (path.length === 0) return false;
  let parent: unknown = raw;
  for (const key of path.slice(0, -1)) {
    if (parent === null || typeof parent !== 'object') return false;
    parent = (parent as Record<PropertyKey, unknown>)[key];
  }
  if (parent === null || typeof parent !== 'object' || Array.isArray(parent)) return false;
  return (parent as Record<PropertyKey, unknown>)[path[path.length - 1]] == null;
}

