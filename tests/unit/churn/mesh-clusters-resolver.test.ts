import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { meshClusterNames } from '../../../layers/churn/mesh-clusters';
import { validateMeshSpec, type MeshSpec } from '../../../layers/domain/spec';
import { referenceSpec } from './support';

const RESOLVER = join(__dirname, '../../../serverless/mesh-clusters.js');
const resolver = require(RESOLVER) as { clusterNamesOf(spec: MeshSpec): string[]; clusterArnPatternsOf(names: string[]): unknown[] };

/** Runs one export of the resolver as osls does (plain Node, `require`, a `resolveVariable` callback). */
function resolveAsOsls(property: string, variables: Record<string, string>): unknown {
  const script = `
    const variables = ${JSON.stringify(variables)};
    require(${JSON.stringify(RESOLVER)}).${property}({ options: {}, resolveVariable: async (v) => variables[v] })
      .then((value) => process.stdout.write(JSON.stringify(value)), (error) => { process.stderr.write(error.message); process.exit(3); });`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: join(__dirname, '../../..'), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
}

describe('serverless/mesh-clusters.js', () => {
  it('names the same clusters as the handler for the reference mesh', () => {
    const spec = referenceSpec();

    expect(resolver.clusterNamesOf(spec)).toEqual([...meshClusterNames(spec)].sort());
    expect(resolver.clusterNamesOf(spec)).toEqual(['cluster-1', 'cluster-2', 'consul-server', 'ingress']);
  });

  it('names the same clusters as the handler for a spec relying on defaults and without gateway', () => {
    const result = validateMeshSpec({ object: { name: 'tiny', clusters: [{ name: 'apps', services: [{ name: 'web', image: 'web:1.0.0', port: 8080 }] }] } });
    if (!result.ok) throw new Error(JSON.stringify(result.issues));

    expect(resolver.clusterNamesOf(result.spec)).toEqual([...meshClusterNames(result.spec)].sort());
    expect(resolver.clusterNamesOf(result.spec)).toEqual(['apps', 'consul-server']);
  });

  it('turns cluster names into suffix patterns on the cluster ARN', () => {
    expect(resolver.clusterArnPatternsOf(['cluster-1'])).toEqual([{ suffix: ':cluster/cluster-1' }]);
  });

  it('resolves the rule patterns and IAM cluster ARNs from the spec file, as osls calls it', () => {
    const variables = { 'param:meshSpec': 'examples/mesh.yaml', 'aws:region': 'eu-west-1' };

    expect(resolveAsOsls('clusterArnPatterns', variables)).toEqual(['cluster-1', 'cluster-2', 'consul-server', 'ingress'].map((n) => ({ suffix: `:cluster/${n}` })));
    expect(resolveAsOsls('clusterResourceArns', variables)).toContain('arn:aws:ecs:eu-west-1:*:cluster/ingress');
  });

  it('fails the resolution with the spec problems for an invalid spec', () => {
    expect(() => resolveAsOsls('clusterNames', { 'param:meshSpec': 'package.json' })).toThrow(/not a valid mesh spec[\s\S]*clusters/);
  });
});
