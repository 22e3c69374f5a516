import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { MESH_SPEC_JSON_SCHEMA_PATH, renderMeshSpecJsonSchema } from '../layers/domain/spec/json-schema';

/** `npm run schema`: regenerates the committed JSON Schema of the mesh spec from the zod schema. */
const target = resolve(__dirname, '..', MESH_SPEC_JSON_SCHEMA_PATH);
writeFileSync(target, renderMeshSpecJsonSchema());
console.log(`wrote ${MESH_SPEC_JSON_SCHEMA_PATH}`);
