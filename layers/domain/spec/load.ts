import { readFileSync } from 'node:fs';
import { parseDocument, type YAMLError } from 'yaml';
import { MeshSpecSchema, type MeshSpec } from './schema';
import { checkSpecRules, MAX_SPEC_BYTES } from './rules';
import { withContentHashes } from '../../build-context';
import { formatIssue, formatPath, type SpecIssue } from './issues';
import { salvage } from './salvage';
import { SpecInvalidError } from '../../errors';

export type SpecSource = { path: string } | { text: string } | { object: unknown };

/** The outcome of validating a spec: the spec with defaults filled in, or every problem found. */
export type SpecResult = { ok: true; spec: MeshSpec } | { ok: false; issues: SpecIssue[] };

/**
 * Validates a mesh spec given as a file path, YAML/JSON text or an already parsed object. No I/O beyond
 * reading the named file. Never throws for a bad spec: problems come back as issues naming their paths.
 */
export function validateMeshSpec(source: SpecSource): SpecResult {
  let raw: unknown;
  if ('object' in source) {
    raw = source.object;
  } else {
    let text: string;
    if ('path' in source) {
      try {
        text = readFileSync(source.path, 'utf8');
      } catch (error) {
        return { ok: false, issues: [{ path: '(file)', message: `cannot read ${source.path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}` }] };
      }
    } else {
      text = source.text;
    }
    // Not the measure (that is the JSON below), only a bound on what is worth parsing at all.
    const size = Buffer.byteLength(text, 'utf8');
    if (size > MAX_TEXT_BYTES) return { ok: false, issues: [{ path: '(root)', message: `the file is ${size} bytes; a spec is at most ${MAX_SPEC_BYTES} bytes as JSON` }] };
    const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
    if (doc.errors.length > 0) return { ok: false, issues: doc.errors.map(yamlIssue) };
    raw = doc.toJS();
  }

  // One pass: the schema's issues and the cross-field rules' together, the rules running on what can be kept of
  // an invalid spec, so fixing one problem never reveals another that was there all along.
  const parsed = MeshSpecSchema.safeParse(raw);
  const spec = parsed.success ? parsed.data : (salvage(MeshSpecSchema, raw) as MeshSpec);
  const issues = [...(parsed.success ? [] : parsed.error.issues.flatMap(toSpecIssues)), ...checkSpecRules(spec)];
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

/** A YAML syntax error as an issue: the position in the path, the message without the parser's trailing position. */
function yamlIssue(error: YAMLError): SpecIssue {
  const at = error.linePos?.[0];
  // prettyErrors (which computes linePos) appends ` at line 5, column 1:` and the source lines: the path says where.
  const message = error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
  return { path: at ? `(yaml line ${at.line}, column ${at.col})` : '(yaml)', message: `${message}: fix the YAML syntax there` };
}

/**
 * Loads and validates a mesh spec from a file path or from YAML/JSON text.
 * A string containing a newline or starting with `{` is taken as text; otherwise as a path.
 *
 * @throws SpecInvalidError listing every problem (`error.issues`), each naming its path.
 * @example
 *   const spec = loadMeshSpec('examples/mesh.yaml');
 *   spec.clusters[0].services[0].port // 8080
 */
export function loadMeshSpec(pathOrText: string): MeshSpec {
  const looksLikeText = pathOrText.includes('\n') || pathOrText.trimStart().startsWith('{');
  const result = validateMeshSpec(looksLikeText ? { text: pathOrText } : { path: pathOrText });
  if (!result.ok) throw new SpecInvalidError(result.issues);
  return result.spec;
}

/** A spec file larger than this is refused before it is parsed (YAML is rarely more than twice its JSON). */
const MAX_TEXT_BYTES = 4 * MAX_SPEC_BYTES;

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

/** Zod's issues with each unknown key at its own path and the expected type spelled out. */
function toSpecIssues(issue: ZodIssue): SpecIssue[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({ path: formatPath([...issue.path, key]), message: 'unknown key' }));
  }
  if (issue.code === 'invalid_type') {
    const message = issue.message.startsWith('Invalid input') ? `expected ${issue.expected}` : issue.message;
    return [{ path: formatPath(issue.path), message }];
  }
  if (issue.code === 'invalid_value' && issue.message.startsWith('Invalid')) {
    return [{ path: formatPath(issue.path), message: `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}` }];
  }
  return [{ path: formatPath(issue.path), message: issue.message }];
}

export { formatIssue };
