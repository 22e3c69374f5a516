import type { SsmApi } from '../adapters/ssm';
import type { MeshSpec } from '../domain/spec/schema';
import { configParameterNames } from '../domain/naming';
import { renderServerHcl } from '../domain/consul/server-hcl';
import { renderDataplaneConfig } from '../domain/consul/dataplane-config';
import { buildConfigEntries } from '../domain/consul/config-entries';

/** SSM Standard tier holds 4 KB per value, Advanced 8 KB (DESIGN.md section 7). */
const ADVANCED_MAX = 8192;
/**
 * Every put asks for Intelligent-Tiering: Parameter Store stores a value that fits 4 KB as Standard (free) and a
 * larger one as Advanced, and keeps an Advanced parameter Advanced. Asking for `Standard` by size instead breaks the
 * life of a mesh: once a file needed Advanced, a later smaller value sent with `Tier: 'Standard'` is refused ("You
 * can't downgrade a parameter from the advanced-parameter tier to the standard-parameter tier"). Keeping the tier
 * ourselves would need DescribeParameters (GetParameter does not return the tier), an extra call whose IAM action
 * cannot be scoped to the mesh's parameters.
 */
const TIER = 'Intelligent-Tiering';
/** "Parameter Store retains the 100 most recently created versions of a parameter." */
const MAX_VERSIONS = 100;

export interface StoredParameter {
  name: string;
  version: number;
  changed: boolean;
}

/** The rendered files of a spec, by SSM parameter name: the server consul.hcl, one dataplane config per proxy, the config entries. */
export function renderedConfiguration(spec: MeshSpec, options: { serverAddress?: string } = {}): Map<string, string> {
  const names = configParameterNames(spec);
  const files = new Map<string, string>();
  files.set(names.serverHcl, renderServerHcl(spec));
  for (const cluster of spec.clusters) {
    for (const service of cluster.services) {
      files.set(names.dataplane(service.name), renderDataplaneConfig(spec, { kind: 'service', name: service.name }, options));
    }
  }
  if (spec.ingress) files.set(names.dataplane(spec.ingress.name), renderDataplaneConfig(spec, { kind: 'ingress-gateway' }, options));
  for (const entry of buildConfigEntries(spec)) files.set(names.configEntry(entry.Kind, entry.Name), JSON.stringify(entry));
  return files;
}

/** The SSM calls the configuration step makes. */
export type ConfigSsm = Pick<SsmApi, 'getParameter' | 'putParameter' | 'labelParameterVersion' | 'versionPages' | 'unlabelParameterVersion'>;

/**
 * Stores the rendered configuration in SSM. A changed value becomes a new version labelled with the deployment id
 * that introduced it (`name:<deploymentId>` reads it back); an unchanged value is not written again, so re-running
 * a spec changes nothing. (Labelling the unchanged version on every deployment would hit SSM's limit of 10 labels
 * per version.) SSM keeps 100 versions and refuses a new one while the oldest carries a label, so the oldest's
 * labels are removed first when a parameter reaches 100 versions.
 * These values hold no secret (secrets are separate SecureString parameters), so they are plain `String`.
 */
export async function storeConfiguration(
  spec: MeshSpec,
  deploymentId: string,
  deps: { ssm: ConfigSsm },
  options: { serverAddress?: string } = {},
): Promise<StoredParameter[]> {
  const stored: StoredParameter[] = [];
  for (const [name, value] of renderedConfiguration(spec, options)) {
    const size = Buffer.byteLength(value, 'utf8');
    if (size > ADVANCED_MAX) throw new Error(`${name} renders to ${size} bytes, over SSM's 8 KB Advanced-tier limit`);
    const current = await getValue(deps.ssm, name);
    let version = current?.version ?? 0;
    const changed = current?.value !== value;
    if (changed) {
      if (version >= MAX_VERSIONS) await unlabelOldest(deps.ssm, name, version - MAX_VERSIONS + 1);
      const put = await deps.ssm.putParameter({ Name: name, Value: value, Type: 'String', Overwrite: true, Tier: TIER });
      version = put.Version ?? version + 1;
      await deps.ssm.labelParameterVersion(name, version, [deploymentLabel(deploymentId)]);
    }
    stored.push({ name, version, changed });
  }
  return stored;
}

/**
 * SSM labels: letters, digits, `.`, `-`, `_`; at most 100 characters; not starting with a digit, `aws` or `ssm`.
 * Deployment ids (`d-...`) already fit; this keeps any other id valid.
 */
export function deploymentLabel(deploymentId: string): string {
  const cleaned = deploymentId.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 100);
  return /^([0-9]|aws|ssm)/i.test(cleaned) ? `d-${cleaned}`.slice(0, 100) : cleaned;
}

/** Removes the labels of `oldest`, the version SSM drops on the next put (it refuses while it is labelled). */
async function unlabelOldest(ssm: ConfigSsm, name: string, oldest: number): Promise<void> {
  for await (const page of ssm.versionPages(name)) {
    const entry = page.find((p) => p.Version === oldest);
    if (entry?.Labels?.length) {
      await ssm.unlabelParameterVersion(name, oldest, entry.Labels);
      return;
    }
  }
}

async function getValue(ssm: ConfigSsm, name: string): Promise<{ value: string; version: number } | undefined> {
  try {
    const Parameter = await ssm.getParameter(name);
    return Parameter?.Value !== undefined ? { value: Parameter.Value, version: Parameter.Version ?? 1 } : undefined;
  } catch (error) {
    if ((error as Error).name === 'ParameterNotFound') return undefined;
    throw error;
  }
}
