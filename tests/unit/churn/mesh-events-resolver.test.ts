import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ingressFamily, serverFamily, serviceFamily } from '../../../layers/domain/naming';
import { compileWildcard } from '@consul-mesh/local-cloud';
import { loadMeshSpec } from '../../../layers/domain/spec';

/** The reference mesh (examples/mesh.yaml). */
const referenceSpec = () => loadMeshSpec('examples/mesh.yaml');

const RESOLVER = join(__dirname, '../../../serverless/mesh-events.js');
const resolver = require(RESOLVER) as { taskDefinitionArnPatternsOf(mesh: string): Array<{ wildcard: string }> };

/** Runs one export of the resolver as osls does (plain Node, `require`, a `resolveVariable` callback). */
function resolveAsOsls(property: string, variables: Record<string, string>): unknown {
  const script = `
    const variables = ${JSON.stringify(variables)};
    require(${JSON.stringify(RESOLVER)}).${property}({ options: {}, resolveVariable: async (v) => variables[v] })
      .then((value) => process.stdout.write(JSON.stringify(value)), (error) => { process.stderr.write(error.message); process.exit(3); });`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: join(__dirname, '../../..'), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
}

const arn = (family: string, revision = 3) => `arn:aws:ecs:eu-west-1:123456789012:task-definition/${family}:${revision}`;

describe('serverless/mesh-events.js', () => {
  it("matches every family of the mesh, whatever the cluster, and no other mesh's or account's task definitions", () => {
    const spec = referenceSpec();
    const [pattern] = resolver.taskDefinitionArnPatternsOf(spec.name);
    const matches = compileWildcard(pattern.wildcard);

    const families = [serverFamily(spec), ingressFamily(spec), ...spec.clusters.flatMap((c) => c.services.map((s) => serviceFamily(spec, s.name)))];
    for (const family of families) expect({ family, matches: matches.test(arn(family)) }).toEqual({ family, matches: true });
    expect(matches.test(arn('users'))).toBe(false);
    expect(matches.test(arn('other-mesh-users'))).toBe(false);
    expect(matches.test(arn('reference-meshusers'))).toBe(false);
  });

  it('refuses a value that is not a mesh name rather than build a pattern that matches too much', () => {
    expect(() => resolver.taskDefinitionArnPatternsOf('*')).toThrow(/not a mesh name/);
  });

  it('resolves the pattern from the meshName parameter, as osls calls it', () => {
    expect(resolveAsOsls('taskDefinitionArnPatterns', { 'param:meshName': 'shop' })).toEqual([{ wildcard: '*:task-definition/shop-*' }]);
  });
});
