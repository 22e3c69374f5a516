import { randomBytes } from 'node:crypto';
import { readSpecCopy, specCopyParameterNames, storeSpecCopy } from '../../../layers/deploy/spec-copy';
import { loadMeshSpec } from '../../../layers/domain/spec/load';
import { MeshSpecSchema } from '../../../layers/domain/spec/schema';
import { SpecInvalidError } from '../../../layers/errors';
import { largeSpec } from '../../integration/aws-inputs/large-spec';
import { fakeSsm as fakeSsmStore } from './fake-ssm';

/** SSM as the copy uses it, with Standard tier's 4 KB limit and one version per write. */
const fakeSsm = () => fakeSsmStore(new Map(), { maxBytes: 4096 });

const reference = loadMeshSpec('examples/mesh.yaml');

describe("the deployed spec's copy in SSM", () => {
  it('reads back exactly the spec it stored, and writes nothing when it is stored already', async () => {
    const ssm = fakeSsm();
    expect(await storeSpecCopy(reference, { ssm })).toBe('written');
    const writes = ssm.puts.length;

    expect(await readSpecCopy(reference.name, { ssm })).toEqual(reference);
    expect(await storeSpecCopy(reference, { ssm })).toBe('unchanged');
    expect(ssm.puts.length).toBe(writes);
  });

  it('cuts a large spec into Standard-tier parts and writes the header last', async () => {
    // Random values do not compress: about 12 KB of them makes several 4 KB parts.
    const raw = largeSpec() as { clusters: Array<{ services: Array<{ env?: Record<string, string> }> }> };
    raw.clusters[0].services[0].env = Object.fromEntries(Array.from({ length: 48 }, (_, i) => [`RANDOM_${i}`, randomBytes(128).toString('hex')]));
    const spec = MeshSpecSchema.parse(raw);
    const ssm = fakeSsm();
    await storeSpecCopy(spec, { ssm });

    const names = specCopyParameterNames(spec.name);
    expect(ssm.puts.at(-1)).toBe(names.header);
    expect(ssm.puts.length).toBeGreaterThan(2);
    expect(await readSpecCopy(spec.name, { ssm })).toEqual(spec);
  });

  it('has nothing for a mesh never deployed', async () => {
    expect(await readSpecCopy('never-deployed', { ssm: fakeSsm() })).toBeUndefined();
  });

  it('refuses a copy whose part was changed after its header, naming the header', async () => {
    const ssm = fakeSsm();
    await storeSpecCopy(reference, { ssm });
    const part = specCopyParameterNames(reference.name).part(1);
    // A valid part, of another spec: it decodes, but not to what the header's checksum names.
    const other = fakeSsm();
    await storeSpecCopy({ ...reference, datacenter: 'dc9' }, { ssm: other });
    ssm.parameters.set(part, other.parameters.get(part)!);

    const read = readSpecCopy(reference.name, { ssm });
    await expect(read).rejects.toThrow(SpecInvalidError);
    await expect(read).rejects.toMatchObject({ issues: [{ path: `(ssm ${specCopyParameterNames(reference.name).header})` }] });
  });
});
