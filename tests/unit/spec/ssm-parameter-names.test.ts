import { validateMeshSpec, type MeshSpecInput } from '../../../layers/domain/spec';

/**
 * SSM parameter names the spec references must be names SSM can hold (PutParameter: at most 15 hierarchy levels,
 * no empty level); the security parameters, which the first deployment creates when they are absent, must also
 * avoid the prefixes SSM reserves ("aws", "ssm", case-insensitive). Otherwise a valid spec makes PutParameter fail
 * with a ValidationException halfway through a deployment (found by the inputs gate).
 */
const fifteenLevels = Array.from({ length: 15 }, (_, i) => `/l${i}`).join('');
const sixteenLevels = `${fifteenLevels}/l15`;

function spec(security: Record<string, unknown>, secrets: Record<string, string> = {}): MeshSpecInput {
  return {
    name: 'shop',
    consul: { security },
    clusters: [{ name: 'cluster-1', services: [{ name: 'users', image: 'users:1.0.0', port: 8080, secrets }] }],
  } as MeshSpecInput;
}

function issuesOf(value: unknown): string[] {
  const result = validateMeshSpec({ object: value });
  return result.ok ? [] : result.issues.map((i) => `${i.path}: ${i.message}`);
}

describe('SSM parameter names in a spec', () => {
  it('accepts 15 levels, and /aws/reference names for a service secret (Secrets Manager through SSM)', () => {
    expect(issuesOf(spec({ gossip: { keyParameter: fifteenLevels } }, { DB: fifteenLevels, API: '/aws/reference/secretsmanager/api-key' }))).toEqual([]);
  });

  it('refuses 16 levels and empty levels, naming the path', () => {
    const issues = issuesOf(spec({ gossip: { keyParameter: sixteenLevels }, tls: { caKeyParameter: '/mesh//ca-key' } }, { DB: `${sixteenLevels}`, API: '/mesh/api/' }));
    expect(issues.map((i) => i.split(':')[0]).sort()).toEqual(
      ['clusters[0].services[0].secrets.API', 'clusters[0].services[0].secrets.DB', 'consul.security.gossip.keyParameter', 'consul.security.tls.caKeyParameter'].sort(),
    );
    expect(issues.find((i) => i.startsWith('consul.security.gossip'))).toMatch(/15 levels/);
  });

  it('refuses the reserved aws and ssm prefixes for the parameters a deployment creates', () => {
    const issues = issuesOf(spec({ acl: { bootstrapTokenParameter: '/ssm/bootstrap' }, tls: { caCertParameter: '/AWS/ca-cert' }, gossip: { keyParameter: '/awsome/gossip' } }));
    expect(issues.map((i) => i.split(':')[0]).sort()).toEqual(
      ['consul.security.acl.bootstrapTokenParameter', 'consul.security.gossip.keyParameter', 'consul.security.tls.caCertParameter'].sort(),
    );
  });
});
