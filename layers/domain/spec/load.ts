import { readFileSync } from 'node:fs';
import { parseDocument, type YAMLError } from 'yaml';
import type { MeshSpec } from './schema';
import { MAX_SPEC_BYTES } from './rules';
import { formatIssue, type SpecIssue } from './issues';
import { sortIssues, submittedSpecBytes, validateSpecObject, type SpecResult } from './validate';
import { SpecInvalidError } from '../../errors';

export type SpecSource = { path: string } | { text: string } | { object: unknown };
export type { SpecResult };

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

  return validateSpecObject(raw);
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

export { formatIssue, sortIssues, submittedSpecBytes };
