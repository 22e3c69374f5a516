import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { SsmApi } from '../adapters/ssm';
import { meshParameterPrefix } from '../domain/naming';
import { formatPath } from '../domain/spec/issues';
import { MeshSpecSchema, type MeshSpec } from '../domain/spec/schema';
import { SpecInvalidError } from '../errors';

/**
 * The deployed spec's copy in SSM Parameter Store: what rebuilds a Consul datacenter that lost every server (its KV
 * copy, `consul-mesh/<mesh>/spec`, is lost with them). The ACL policies and tokens, config entries and intentions
 * are derived from it (their SecretIDs are the SecureStrings under `secrets/acl/`), so with it nothing the mesh needs
 * lives only in Consul.
 *
 * A spec may be up to 256 KB while a Standard parameter holds 4 KB: the JSON is gzipped, base64-encoded and cut
 * into parts of 4,096 characters (`recovery/spec-parts/<n>`); the header (`recovery/spec`) names the parts and the
 * SHA-256 of the JSON, and is written last, so a reader never assembles a half-written copy. Each write is a new
 * version of its parameter (SSM keeps 100): the spec's history. Not a SecureString: a spec names secrets, never
 * holds them.
 */
export interface SpecCopyHeader {
  readonly format: 1;
  readonly encoding: 'gzip+base64';
  readonly sha256: string;
  readonly parts: number;
}

/** Characters per part: SSM's Standard tier holds 4 KB values. */
const PART_CHARS = 4096;

export function specCopyParameterNames(meshName: string, root = '/consul-mesh') {
  const prefix = `${meshParameterPrefix({ name: meshName }, root)}/recovery`;
  return { header: `${prefix}/spec`, part: (n: number) => `${prefix}/spec-parts/${n}` };
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Stores `spec` as the mesh's deployed spec in SSM, unless the copy there is this very spec (one read, no write:
 * a deployment that changes nothing writes nothing). Returns whether it wrote.
 */
export async function storeSpecCopy(spec: MeshSpec, deps: { ssm: Pick<SsmApi, 'getParameter' | 'putParameter'>; root?: string }): Promise<'written' | 'unchanged'> {
  const names = specCopyParameterNames(spec.name, deps.root);
  const json = JSON.stringify(spec);
  const digest = sha256(json);
  const current = await readHeader(names.header, deps.ssm);
  if (current?.sha256 === digest) return 'unchanged';
  const encoded = gzipSync(json).toString('base64');
  const parts: string[] = [];
  for (let at = 0; at < encoded.length; at += PART_CHARS) parts.push(encoded.slice(at, at + PART_CHARS));
  for (const [i, value] of parts.entries()) {
    await deps.ssm.putParameter({ Name: names.part(i + 1), Type: 'String', Value: value, Overwrite: true, Tier: 'Standard' });
  }
  const header: SpecCopyHeader = { format: 1, encoding: 'gzip+base64', sha256: digest, parts: parts.length };
  await deps.ssm.putParameter({
    Name: names.header,
    Type: 'String',
    Value: JSON.stringify(header),
    Overwrite: true,
    Tier: 'Standard',
    Description: 'The deployed mesh spec (gzip, base64, in spec-parts): restores a Consul datacenter that lost every server',
  });
  return 'written';
}

/**
 * The mesh's deployed spec from its SSM copy, or undefined when there is none (a mesh deployed before copies were
 * kept, or never deployed).
 *
 * @throws SpecInvalidError when the copy is damaged (a part missing, a checksum that does not match) or is not a
 *   valid spec of this mesh: a restore from it would be wrong, so it is loud.
 */
export async function readSpecCopy(meshName: string, deps: { ssm: Pick<SsmApi, 'getParameter' | 'getParameters'>; root?: string }): Promise<MeshSpec | undefined> {
  const names = specCopyParameterNames(meshName, deps.root);
  const header = await readHeader(names.header, deps.ssm);
  if (!header) return undefined;
  const wanted = Array.from({ length: header.parts }, (_, i) => names.part(i + 1));
  const values = new Map<string, string>();
  for (const p of await deps.ssm.getParameters(wanted)) if (p.Name && p.Value !== undefined) values.set(p.Name, p.Value);
  const damaged = (message: string) => new SpecInvalidError([{ path: `(ssm ${names.header})`, message }]);
  const missing = wanted.find((name) => !values.has(name));
  if (missing) throw damaged(`names ${header.parts} parts, but ${missing} does not exist`);
  let json: string;
  try {
    json = gunzipSync(Buffer.from(wanted.map((name) => values.get(name)).join(''), 'base64')).toString('utf8');
  } catch (error) {
    throw damaged(`its parts do not decode: ${(error as Error).message}`);
  }
  if (sha256(json) !== header.sha256) throw damaged('its parts do not match its sha256 (a part was changed after the header)');
  const parsed = MeshSpecSchema.safeParse(JSON.parse(json));
  if (!parsed.success) throw new SpecInvalidError(parsed.error.issues.map((i) => ({ path: formatPath(i.path), message: `${i.message} (ssm ${names.header})` })));
  if (parsed.data.name !== meshName) throw damaged(`holds the spec of mesh "${parsed.data.name}"`);
  return parsed.data;
}

async function readHeader(name: string, ssm: Pick<SsmApi, 'getParameter'>): Promise<SpecCopyHeader | undefined> {
  try {
    const Parameter = await ssm.getParameter(name);
    const value = JSON.parse(Parameter?.Value ?? 'null') as Partial<SpecCopyHeader> | null;
    if (value?.format !== 1 || typeof value.sha256 !== 'string' || typeof value.parts !== 'number') return undefined;
    return value as SpecCopyHeader;
  } catch (error) {
    if ((error as Error).name === 'ParameterNotFound') return undefined;
    throw error;
  }
}
