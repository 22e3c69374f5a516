import { parse } from '@cdktf/hcl2json';

/**
 * Reads a Consul `-config-dir` the way Consul merges it: every file is parsed on its own, then the files are merged,
 * nested blocks key by key (`acl { enabled }` in one file and `acl { tokens { agent } }` in another make one `acl`).
 * A setting that two files both give would silently override the other in Consul; here it is reported instead.
 */
export async function mergeConfigDir(files: ReadonlyArray<{ name: string; text: string }>): Promise<{ merged: Record<string, unknown>; conflicts: string[] }> {
  const merged: Record<string, unknown> = {};
  const owner = new Map<string, string>();
  const conflicts: string[] = [];
  for (const file of files) {
    const parsed = await parse(file.name, file.text);
    for (const [path, value] of leaves(parsed)) {
      const first = owner.get(path);
      if (first !== undefined) conflicts.push(`${path} is set by ${first} and ${file.name}`);
      else owner.set(path, file.name);
      setPath(merged, path.split('.'), value);
    }
  }
  return { merged, conflicts };
}

/** Leaf settings of a parsed file as `a.b.c` paths; a block (`x { }`, parsed as `[{ ... }]`) is entered. */
function leaves(value: unknown, prefix = ''): Array<[string, unknown]> {
  const body = Array.isArray(value) && value.length === 1 && isObject(value[0]) ? value[0] : value;
  if (!isObject(body)) return [[prefix, value]];
  return Object.entries(body).flatMap(([key, v]) => leaves(v, prefix === '' ? key : `${prefix}.${key}`));
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    node = isObject(next) ? next : (node[key] = {});
  }
  node[path[path.length - 1]] = value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A setting of a merged configuration by path (`tls.defaults.ca_file`), or undefined. */
export function setting(config: Record<string, unknown>, path: string): unknown {
  let node: unknown = config;
  for (const key of path.split('.')) {
    if (!isObject(node)) return undefined;
    node = node[key];
  }
  return node;
}
