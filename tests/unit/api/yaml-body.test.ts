import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument, stringify } from 'yaml';
import { parseYamlBody } from '../../../layers/api/yaml-body';
import { InvalidInputError } from '../../../layers/errors';
import { referenceSpec, smallSpec } from '../consul/support/specs';

const EXAMPLES = join(__dirname, '../../../examples');

/** `meshctl validate`'s reading of a spec file (layers/domain/spec/load.ts), the one the API must agree with. */
function readAsValidateDoes(text: string): { ok: true; value: unknown } | { ok: false } {
  const doc = parseDocument(text, { uniqueKeys: true });
  return doc.errors.length > 0 ? { ok: false } : { ok: true, value: doc.toJS() };
}

function readAsApiDoes(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: parseYamlBody(text) };
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error;
    return { ok: false };
  }
}

function yamlFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.ya?ml$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** Where YAML 1.1, JSON and YAML 1.2 read a spec differently, and the syntax a hand-written spec uses. */
const SNIPPETS = [
  'flag: yes\nswitch: on\nother: n', // YAML 1.1 booleans: strings in 1.2
  'octal: 0o14\nleading: 012\nhex: 0x1F\nsexagesimal: 1:20', // 12, 12, 31, and a string
  'inf: .inf\nnan: .NaN\nexp: 1e3\nneg: -0.5',
  // (A key written `null:` is the one difference found: "" for yaml, "null" for js-yaml; no spec field has either name.)
  'none: ~\nvalue: null\nempty:\nquoted: "null"',
  'date: 2001-12-14\nstamp: 2001-12-14T21:59:43.10-05:00', // no timestamps in the core schema: strings
  '<<: {a: 1}\nb: 2', // no merge keys in 1.2: `<<` is a key like any other
  'base: &base {image: "users:1.0.0", port: 8080}\nservices: [*base, *base]',
  'text: |\n  line one\n  line two\nfolded: >-\n  one\n  two\n',
  "'quoted key': 'it''s'\n\"escaped\": \"tab\\there\"",
  '# a comment only\n',
  '',
  '---\nname: mesh\n...\n',
  '{"name": "json is yaml", "list": [1, 2.5, true, null]}',
  'a: 1\na: 2', // duplicate keys: refused by both
  'name: [unclosed',
  '---\na: 1\n---\nb: 2', // two documents: refused by both
];

describe('the API reads YAML bodies as meshctl validate reads spec files', () => {
  it('reads every example spec to the same value as the yaml package', () => {
    const files = yamlFiles(EXAMPLES);
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      expect({ file, read: readAsApiDoes(text) }).toEqual({ file, read: readAsValidateDoes(text) });
    }
  });

  it('reads the specs the tests build, written as YAML, to the same value', () => {
    for (const spec of [referenceSpec(), smallSpec({})]) {
      const text = stringify(spec);
      expect(readAsApiDoes(text)).toEqual({ ok: true, value: JSON.parse(JSON.stringify(spec)) });
      expect(readAsApiDoes(text)).toEqual(readAsValidateDoes(text));
    }
  });

  it.each(SNIPPETS)('agrees with the yaml package on %j', (text) => {
    expect(readAsApiDoes(text)).toEqual(readAsValidateDoes(text));
  });

  it('names the line of a syntax error', () => {
    expect(() => parseYamlBody('name: mesh\nclusters: [unclosed')).toThrow(
      expect.objectContaining({ name: 'InvalidInput', issues: [{ path: '(yaml line 2)', message: expect.stringMatching(/flow collection/) }] }),
    );
  });
});

describe('the API refuses YAML that expands past what a body can hold', () => {
  it('refuses a billion laughs (a few aliases that stand for billions of values) at once', () => {
    const levels = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'];
    for (let level = 1; level < 9; level++) {
      const previous = String.fromCharCode(96 + level);
      const name = String.fromCharCode(97 + level);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(', ')}]`);
    }
    const started = Date.now();
    expect(() => parseYamlBody(levels.join('\n'))).toThrow(expect.objectContaining({ name: 'InvalidInput', message: expect.stringMatching(/^the body is not usable YAML/) }));
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('refuses a document that contains itself', () => {
    expect(() => parseYamlBody('&a [*a, *a]')).toThrow(expect.objectContaining({ name: 'InvalidInput', message: expect.stringMatching(/^the body is not usable YAML/) }));
  });

  it('refuses more than 100 aliases, and accepts 100', () => {
    const aliases = (n: number) => `base: &b 1\nlist: [${Array(n).fill('*b').join(', ')}]`;
    expect(readAsApiDoes(aliases(100))).toEqual({ ok: true, value: { base: 1, list: Array(100).fill(1) } });
    expect(() => parseYamlBody(aliases(101))).toThrow(expect.objectContaining({ name: 'InvalidInput' }));
  });
});
