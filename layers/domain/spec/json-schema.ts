import * as z from 'zod';
import { MeshSpecSchema } from './schema';

/** Where the generated JSON Schema is committed; the examples reference it for editors (yaml-language-server). */
export const MESH_SPEC_JSON_SCHEMA_PATH = 'schema/mesh-spec.schema.json';

/**
 * The JSON Schema of what a user writes (the schema's input: defaults optional), generated from the one zod
 * schema so editors validate and complete specs with the same rules for each field. Cross-field rules
 * (duplicates, upstream targets, reserved ports) and refinements are not expressible in JSON Schema: `meshctl
 * validate` remains the authority.
 */
export function renderMeshSpecJsonSchema(): string {
  const schema = z.toJSONSchema(MeshSpecSchema, {
    io: 'input',
    target: 'draft-2020-12',
    unrepresentable: 'any',
    // zod writes `startsWith` as a `pattern` plus a `format: "starts_with"` no JSON Schema format defines (editors
    // and validators warn about it); the pattern alone says it.
    override: (ctx) => {
      if (ctx.jsonSchema.format === 'starts_with') delete ctx.jsonSchema.format;
    },
  });
  const document = {
    ...schema,
    title: 'Mesh spec',
    description: 'A Consul service mesh on Amazon ECS, deployed by meshctl deploy. Generated from layers/domain/spec/schema.ts: npm run schema.',
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
