import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { parse } from 'yaml';
import { MESH_SPEC_JSON_SCHEMA_PATH, renderMeshSpecJsonSchema } from '../../../layers/domain/spec/json-schema';

const ROOT = resolve(__dirname, '../../..');
const examples = readdirSync(join(ROOT, 'examples')).filter((f) => f.endsWith('.yaml'));

describe('the JSON Schema of the mesh spec', () => {
  it('is committed as generated from the zod schema (regenerate with npm run schema)', () => {
    expect(readFileSync(join(ROOT, MESH_SPEC_JSON_SCHEMA_PATH), 'utf8')).toBe(renderMeshSpecJsonSchema());
  });

  it.each(examples)('is referenced by examples/%s for editors, and accepts it', (file) => {
    const text = readFileSync(join(ROOT, 'examples', file), 'utf8');
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=../schema/mesh-spec.schema.json');
    const validate = new Ajv2020({ strict: false }).compile(JSON.parse(renderMeshSpecJsonSchema()) as object);
    expect({ valid: validate(parse(text)), errors: validate.errors ?? null }).toEqual({ valid: true, errors: null });
  });

  it('refuses what the zod schema refuses field by field: an unknown key, a wrong type, a bad name', () => {
    const validate = new Ajv2020({ strict: false }).compile(JSON.parse(renderMeshSpecJsonSchema()) as object);
    const spec = (service: Record<string, unknown>) => ({ name: 'shop', clusters: [{ name: 'c1', services: [{ name: 'users', image: 'users:1.0.0', port: 8080, ...service }] }] });
    expect(validate(spec({}))).toBe(true);
    expect(validate(spec({ colour: 'red' }))).toBe(false);
    expect(validate(spec({ port: '8080' }))).toBe(false);
    expect(validate(spec({ name: 'Users' }))).toBe(false);
  });
});
