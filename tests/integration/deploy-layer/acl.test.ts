import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { createConsulAclClient } from '../../../layers/adapters/consul-acl';
import { ensureAcl } from '../../../layers/deploy/acl';
import { ensureSecrets } from '../../../layers/deploy/secrets';
import { tokenAccessorId } from '../../../layers/domain/consul/acl-policies';
import { secretParameterNames } from '../../../layers/domain/naming';
import { loadMeshSpec, type MeshSpec } from '../../../layers/domain/spec';
import { startPartialCloud, type ConsulServer, type PartialCloud } from '@consul-mesh/local-cloud';
import { createSsmApi } from '../../../layers/adapters/ssm';

/** The deploy's ACL step against the local SSM and the local Consul (ACLs on), through the real clients. */
describe('ensuring the mesh\'s ACL policies and tokens', () => {
  const MANAGEMENT = 'deploy-layer-management-token';
  let cloud: PartialCloud;
  let consul: ConsulServer;
  let ssm: SSMClient;
  const spec = loadMeshSpec('examples/mesh.yaml');
  const client = () => createConsulAclClient({ address: consul.url, token: MANAGEMENT });

  beforeAll(async () => {
    const started = await startPartialCloud({ ssm: true, consul: { acl: { enabled: true, managementToken: MANAGEMENT } }, logger: () => undefined });
    cloud = started;
    consul = started.consul;
    ssm = new SSMClient(cloud.clientConfig);
    await ensureSecrets(spec, { ssm: createSsmApi(ssm) });
  });
  afterAll(async () => {
    ssm?.destroy();
    await cloud?.close();
  });

  it('creates every policy and token once, then writes nothing on a re-run', async () => {
    const first = await ensureAcl(spec, { ssm: createSsmApi(ssm), consul: client() });
    const writesBefore = consul.aclState();
    const again = await ensureAcl(spec, { ssm: createSsmApi(ssm), consul: client() });

    expect(first.written).toHaveLength(3 + 7);
    expect(again).toEqual({ written: [], unchanged: first.written });
    expect(consul.aclState()).toEqual(writesBefore);
  });

  it('widens the orchestrator\'s policy and adds the token of a service the spec adds, touching nothing else', async () => {
    const grown: MeshSpec = {
      ...spec,
      clusters: spec.clusters.map((c, i) => (i === 0 ? { ...c, services: [...c.services, { ...c.services[1], name: 'billing', port: 8082 }] } : c)),
    };
    await ensureSecrets(grown, { ssm: createSsmApi(ssm) });

    const result = await ensureAcl(grown, { ssm: createSsmApi(ssm), consul: client() });

    expect(result.written).toEqual([`policy/${spec.name}-orchestrator`, 'token/dataplane/billing']);
  });

  it('refuses to overwrite a token whose SecretID Consul holds differently (rotation is explicit)', async () => {
    const parameter = secretParameterNames(spec).orchestratorToken;
    await ssm.send(new PutParameterCommand({ Name: parameter, Type: 'SecureString', Value: '0f0e0d0c-0b0a-4909-8807-060504030201', Overwrite: true }));

    await expect(ensureAcl(spec, { ssm: createSsmApi(ssm), consul: client() })).rejects.toMatchObject({ name: 'AclTokenMismatch' });
    expect((await client().readToken(tokenAccessorId(spec, 'orchestrator')))?.SecretID).not.toBe('0f0e0d0c-0b0a-4909-8807-060504030201');
  });
});
