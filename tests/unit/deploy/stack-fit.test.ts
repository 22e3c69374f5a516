import { join } from 'node:path';
import { loadMeshSpec } from '../../../layers/domain/spec/load';
import type { MeshSpec } from '../../../layers/domain/spec/schema';
import { stackFitIssues } from '../../../layers/deploy/stack-fit';

const reference = loadMeshSpec(join(__dirname, '../../../examples/mesh.yaml'));

function withSecrets(spec: MeshSpec, secrets: Record<string, string>): MeshSpec {
  const [first, ...rest] = spec.clusters;
  const [service, ...others] = first.services;
  return { ...spec, clusters: [{ ...first, services: [{ ...service, secrets }, ...others] }, ...rest] };
}

describe('stackFitIssues: a valid spec this stack cannot run', () => {
  it('accepts the reference spec in its own region', () => {
    expect(stackFitIssues(reference, { region: 'us-east-1' })).toEqual([]);
  });

  it('refuses a spec for another region, naming both', () => {
    expect(stackFitIssues({ ...reference, region: 'eu-west-1' }, { region: 'us-east-1' })).toEqual([
      { path: 'region', message: expect.stringContaining('the spec is for eu-west-1, but this stack runs in us-east-1') },
    ]);
  });

  it('accepts secrets under the mesh prefix (with or without the leading slash) and under appSecretsPath', () => {
    const spec = withSecrets(reference, {
      A: '/consul-mesh/reference-mesh/app/db-password',
      B: 'consul-mesh/reference-mesh/app/api-key',
      C: '/teams/platform/users/key',
    });
    expect(stackFitIssues(spec, { appSecretsPath: '/teams/platform' })).toEqual([]);
    expect(stackFitIssues(spec, { appSecretsPath: 'teams/platform/' })).toEqual([]);
  });

  it('refuses a secret the task execution role may not read, naming its path and the parameter to set', () => {
    const spec = withSecrets(reference, { DB: '/teams/platform/users/key', OTHER: '/consul-mesh/other-mesh/x', NEAR: '/teams/platform-b/x' });
    const issues = stackFitIssues(spec, { appSecretsPath: '/teams/platform/' });
    expect(issues.map((i) => i.path)).toEqual(['clusters[0].services[0].secrets.OTHER', 'clusters[0].services[0].secrets.NEAR']);
    expect(issues[0].message).toContain('/consul-mesh/other-mesh/x is outside what the task execution role may read (/consul-mesh/reference-mesh/ or /teams/platform/)');
    expect(issues[0].message).toContain('appSecretsPath');
    // Without the stack's path, only the mesh's prefix is readable.
    expect(stackFitIssues(spec, {}).map((i) => i.path)).toEqual([
      'clusters[0].services[0].secrets.DB',
      'clusters[0].services[0].secrets.OTHER',
      'clusters[0].services[0].secrets.NEAR',
    ]);
  });
});
