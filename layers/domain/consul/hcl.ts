/**
 * A small writer of HCL native syntax, enough for Consul agent configuration and `consul config write` files.
 *
 * Consul reads its files with HCL 1 (hashicorp/hcl v1); the tests read them back with HCL 2 parsers. The output
 * therefore keeps to the subset both understand: `name = value` attributes, `name { ... }` blocks, `# comments`,
 * double-quoted strings, integers, booleans, lists and object literals whose keys are identifiers.
 * Rendering is deterministic: the same tree always gives byte-identical text.
 */

export type HclValue = string | number | boolean | readonly HclValue[] | { readonly [key: string]: HclValue };

export type HclBodyItem =
  | { readonly type: 'attribute'; readonly name: string; readonly value: HclValue; readonly comment?: string }
  | { readonly type: 'block'; readonly name: string; readonly body: readonly HclBodyItem[]; readonly comment?: string }
  | { readonly type: 'comment'; readonly text: string }
  | { readonly type: 'blank' };

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const INDENT = '  ';

/** `name = value`, with an optional comment line above it. */
export function attr(name: string, value: HclValue, comment?: string): HclBodyItem {
  return { type: 'attribute', name, value, comment };
}

/** `name { ... }`, with an optional comment line above it. */
export function block(name: string, body: readonly HclBodyItem[], comment?: string): HclBodyItem {
  return { type: 'block', name, body, comment };
}

/** One or more `#` comment lines (a newline in `text` starts a new comment line). */
export function comment(text: string): HclBodyItem {
  return { type: 'comment', text };
}

/** An empty line, to group related settings. */
export const blank: HclBodyItem = { type: 'blank' };

/** Renders a body (a whole file) as HCL text ending with one newline. */
export function renderHcl(body: readonly HclBodyItem[]): string {
  const lines = renderBody(body, 0);
  // Blank lines at the very start or end carry no meaning; drop them so the output is stable.
  while (lines.length > 0 && lines[0] === '') lines.shift();
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return `${lines.join('\n')}\n`;
}

/**
 * A quoted HCL string. `${` and `%{` are refused rather than escaped: HCL 2 escapes them as `$${`/`%%{` while
 * HCL 1 (what Consul parses with) keeps those doubled characters literally, so no escape means the same to both.
 */
export function hclString(value: string): string {
  if (value.includes('${') || value.includes('%{')) {
    throw new RangeError(`HCL strings here may not contain "\${" or "%{" (HCL 1 and 2 read them differently): ${JSON.stringify(value)}`);
  }
  let out = '"';
  for (const ch of value) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '\\') out += '\\\\';
    else if (ch === '"') out += '\\"';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

function renderBody(body: readonly HclBodyItem[], depth: number): string[] {
  const pad = INDENT.repeat(depth);
  const lines: string[] = [];
  for (const item of body) {
    switch (item.type) {
      case 'blank':
        if (lines.length > 0 && lines[lines.length - 1] !== '') lines.push('');
        break;
      case 'comment':
        lines.push(...commentLines(item.text, pad));
        break;
      case 'attribute': {
        if (item.comment) lines.push(...commentLines(item.comment, pad));
        const [first, ...rest] = renderValue(item.value, depth);
        lines.push(`${pad}${identifier(item.name)} = ${first}`, ...rest);
        break;
      }
      case 'block':
        if (item.comment) lines.push(...commentLines(item.comment, pad));
        lines.push(`${pad}${identifier(item.name)} {`, ...renderBody(item.body, depth + 1).filter((l) => l !== ''), `${pad}}`);
        break;
    }
  }
  return lines;
}

function commentLines(text: string, pad: string): string[] {
  return text.split('\n').map((line) => (line === '' ? `${pad}#` : `${pad}# ${line}`));
}

/** Renders a value; the first line continues the `name = ` line, later lines carry their own indentation. */
function renderValue(value: HclValue, depth: number): string[] {
  if (typeof value === 'string') return [hclString(value)];
  if (typeof value === 'boolean') return [value ? 'true' : 'false'];
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`HCL numbers must be finite: ${value}`);
    return [String(value)];
  }
  if (isList(value)) {
    if (value.length === 0) return ['[]'];
    if (value.every(isScalar)) return [`[${value.map((v) => renderValue(v, depth)[0]).join(', ')}]`];
    const pad = INDENT.repeat(depth + 1);
    const lines = ['['];
    for (const item of value) {
      const [first, ...rest] = renderValue(item, depth + 1);
      const itemLines = [`${pad}${first}`, ...rest];
      itemLines[itemLines.length - 1] += ',';
      lines.push(...itemLines);
    }
    lines.push(`${INDENT.repeat(depth)}]`);
    return lines;
  }
  const entries = Object.entries(value);
  if (entries.length === 0) return ['{}'];
  const pad = INDENT.repeat(depth + 1);
  const lines = ['{'];
  for (const [key, v] of entries) {
    const [first, ...rest] = renderValue(v, depth + 1);
    lines.push(`${pad}${IDENTIFIER.test(key) ? key : hclString(key)} = ${first}`, ...rest);
  }
  lines.push(`${INDENT.repeat(depth)}}`);
  return lines;
}

function identifier(name: string): string {
  if (!IDENTIFIER.test(name)) throw new RangeError(`not an HCL identifier: ${JSON.stringify(name)}`);
  return name;
}

function isList(value: HclValue): value is readonly HclValue[] {
  return Array.isArray(value);
}

function isScalar(value: HclValue): boolean {
  return typeof value !== 'object';
}
