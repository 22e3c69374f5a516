import { renderServerHcl, serverAgentArgs } from '../../../layers/domain/consul/server-hcl';
import { buildServerRetryJoin } from '../../../layers/domain/consul/retry-join';
import { TAG, serverFamily } from '../../../layers/domain/naming';
import type { MeshSpec } from '../../../layers/domain/spec/schema';
import { blockOf, parseHcl } from './support/parse-hcl';
import { referenceSpec, SECRET_LOOKING, smallSpec } from './support/specs';

describe('renderServerHcl', () => {
  it('renders the reference topology as HCL that parses to the settings the spec asks for', async () => {
    const spec = referenceSpec();

    const parsed = await parseHcl(renderServerHcl(spec));

    expect(parsed).toMatchObject({
      datacenter: 'dc1',
      primary_datacenter: 'dc1',
      data_dir: '/consul/data',
      server: true,
      bootstrap_expect: 3,
      client_addr: '0.0.0.0',
      bind_addr: '{{ GetInterfaceIP "eth0" }}',
      encrypt_verify_incoming: true,
      encrypt_verify_outgoing: true,
    });
    expect(blockOf(parsed, 'ui_config')).toEqual({ enabled: true });
    expect(blockOf(parsed, 'connect')).toEqual({ enabled: true });
    expect(blockOf(parsed, 'ports')).toEqual({ http: 8500, https: 8501, grpc: 8502, grpc_tls: 8503 });
    expect(blockOf(parsed, 'auto_encrypt')).toEqual({ allow_tls: true });
    expect(blockOf(parsed, 'acl')).toEqual({
      enabled: true,
      default_policy: 'deny',
      down_policy: 'extend-cache',
      enable_token_persistence: true,
    });
  });

  it('turns TLS on with every verification flag set and certificate files at fixed paths', async () => {
    const tls = blockOf(await parseHcl(renderServerHcl(referenceSpec())), 'tls');

    expect(blockOf(tls, 'defaults')).toEqual({
      ca_file: '/consul/config/tls/ca.pem',
      cert_file: '/consul/config/tls/server.pem',
      key_file: '/consul/config/tls/server-key.pem',
      verify_incoming: true,
      verify_outgoing: true,
    });
    expect(blockOf(tls, 'internal_rpc')).toEqual({ verify_server_hostname: true });
    // Only the interfaces whose clients hold no client certificate relax verify_incoming; RPC between servers keeps it.
    expect(blockOf(tls, 'grpc')).toEqual({ verify_incoming: false });
    expect(blockOf(tls, 'https')).toEqual({ verify_incoming: false });
    expect(Object.keys(tls).sort()).toEqual(['defaults', 'grpc', 'https', 'internal_rpc']);
  });

  it('joins the servers by cloud auto-join on the ECS tasks tagged with the mesh, never by an IP', async () => {
    const spec = referenceSpec();

    const parsed = await parseHcl(renderServerHcl(spec));

    expect(parsed.retry_join).toEqual([
      `provider=aws service=ecs region=us-east-1 ecs_cluster=consul-server ecs_family=${serverFamily(spec)} tag_key=${TAG.serverJoin} tag_value=reference-mesh`,
    ]);
    expect(JSON.stringify(parsed.retry_join)).not.toMatch(/\d+\.\d+\.\d+\.\d+/);
  });

  it.each([1, 3, 5])('sets bootstrap_expect to the server count (%i)', async (count) => {
    const parsed = await parseHcl(renderServerHcl(smallSpec({ servers: { count } })));

    expect(parsed.bootstrap_expect).toBe(count);
  });

  it('holds no secret: no gossip key, no token, no PEM, only references to where the entrypoint writes them', () => {
    const text = renderServerHcl(referenceSpec());

    for (const pattern of SECRET_LOOKING) expect(text).not.toMatch(pattern);
    expect(text).not.toMatch(/^\s*encrypt\s*=/m);
    expect(text).not.toMatch(/initial_management\s*=|tokens\s*\{/);
    expect(text).toContain('/consul/config/gossip.hcl');
    expect(text).toContain('/consul/config/acl-tokens.hcl');
  });

  it('leaves out TLS settings and ports when the spec turns TLS off', async () => {
    const spec = smallSpec({ security: { tls: { enabled: false, autoEncrypt: false } } });

    const parsed = await parseHcl(renderServerHcl(spec));

    expect(parsed.tls).toBeUndefined();
    expect(parsed.auto_encrypt).toBeUndefined();
    expect(blockOf(parsed, 'ports')).toEqual({ http: 8500, grpc: 8502 });
  });

  it('leaves out auto_encrypt when TLS is on but the spec turns autoEncrypt off', async () => {
    const parsed = await parseHcl(renderServerHcl(smallSpec({ security: { tls: { autoEncrypt: false } } })));

    expect(parsed.auto_encrypt).toBeUndefined();
    expect(blockOf(blockOf(parsed, 'tls'), 'internal_rpc')).toEqual({ verify_server_hostname: true });
  });

  it('leaves out the gossip verification flags when gossip encryption is off', async () => {
    const parsed = await parseHcl(renderServerHcl(smallSpec({ security: { gossip: { enabled: false } } })));

    expect(parsed.encrypt_verify_incoming).toBeUndefined();
    expect(parsed.encrypt_verify_outgoing).toBeUndefined();
  });

  it('renders the ACL default policy from the spec, and no acl block when ACLs are off', async () => {
    const allow = await parseHcl(renderServerHcl(smallSpec({ security: { acl: { defaultPolicy: 'allow' } } })));
    const off = await parseHcl(renderServerHcl(smallSpec({ security: { acl: { enabled: false } } })));

    expect(blockOf(allow, 'acl')).toMatchObject({ enabled: true, default_policy: 'allow', enable_token_persistence: true });
    expect(off.acl).toBeUndefined();
  });

  it('is deterministic: the same spec renders byte-identical text, even from a copy', () => {
    const spec = referenceSpec();
    const copy = structuredClone(spec);

    expect(renderServerHcl(spec)).toBe(renderServerHcl(spec));
    expect(renderServerHcl(copy)).toBe(renderServerHcl(spec));
  });

  it('binds to the interface given as an option and refuses a name that is not an interface', async () => {
    const parsed = await parseHcl(renderServerHcl(smallSpec(), { bindInterface: 'eth1', logLevel: 'DEBUG' }));

    expect(parsed.bind_addr).toBe('{{ GetInterfaceIP "eth1" }}');
    expect(parsed.log_level).toBe('DEBUG');
    expect(() => renderServerHcl(smallSpec(), { bindInterface: 'eth0" }}' })).toThrow(RangeError);
  });

  it('starts Consul on the whole config directory so the secret fragments are merged', () => {
    expect(serverAgentArgs()).toEqual(['agent', '-config-dir=/consul/config']);
  });
});

describe('buildServerRetryJoin', () => {
  it('quotes a value go-discover would otherwise split', () => {
    const spec = { ...smallSpec(), region: 'eu west "1"' } as MeshSpec;

    expect(buildServerRetryJoin(spec)).toContain('region="eu west \\"1\\"" ');
  });
});
