/** One problem found in a mesh spec: where (`clusters[1].services[0].port`) and what was expected. */
export interface SpecIssue {
  path: string;
  message: string;
}

/** Formats a path of keys and indexes the way users read it: `clusters[1].services[0].port`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(root)' : out;
}

export function formatIssue(issue: SpecIssue): string {
  return `${issue.path}: ${issue.message}`;
}
