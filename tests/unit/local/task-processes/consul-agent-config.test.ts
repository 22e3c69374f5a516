import { AgentConfigError, parseAgentConfigFile } from '../../../../local/task-processes/consul-agent-config';
import { renderServerHcl } from '../../../../layers/domain/consul/server-hcl';
import { loadMeshSpec } from '../../../../layers/domain/spec';

describe('Consul agent configuration as `consul agent` loads it', () => {
  const spec = loadMeshSpec('examples/mesh.yaml');

  it('accepts the rendered consul.hcl of the reference mesh and the fragments the entrypoint writes', () => {
    expect(() => parseAgentConfigFile('consul.hcl', renderServerHcl(spec))).not.toThrow();
    expect(() => parseAgentConfigFile('gossip.hcl', 'encrypt = "abc="')).not.toThrow();
    expect(() => parseAgentConfigFile('acl-tokens.hcl', 'acl {\n  tokens {\n    initial_management = "x"\n    agent = "y"\n  }\n}\n')).not.toThrow();
  });

  it('refuses an unknown key with its full path, as Consul does', () => {
    const text = renderServerHcl(spec).replace('  defaults {\n', '  defaults {\n    verify_server_hostname = true\n');
    expect(() => parseAgentConfigFile('/consul/config/consul.hcl', text)).toThrow(
      new AgentConfigError('failed to parse /consul/config/consul.hcl: 1 error occurred:\n\t* invalid config key tls.defaults.verify_server_hostname\n'),
    );
    expect(() => parseAgentConfigFile('c.hcl', 'bootstrap_expected = 3\nports {\n  htp = 1\n}\n')).toThrow(/2 errors occurred:\n\t\* invalid config key bootstrap_expected\n\t\* invalid config key ports\.htp/);
  });

  it('refuses a value of a type the key cannot take, and accepts the ones Go decodes weakly', () => {
    expect(() => parseAgentConfigFile('c.hcl', 'bootstrap_expect = [3]\n')).toThrow(/'bootstrap_expect' expected type 'int', got unconvertible type 'slice'/);
    expect(() => parseAgentConfigFile('c.hcl', 'server = "maybe"\n')).toThrow(/'server' expected type 'bool'/);
    expect(() => parseAgentConfigFile('c.hcl', 'bootstrap_expect = "3"\nserver = "true"\n')).not.toThrow();
  });

  it('refuses a file that does not parse, HCL or JSON', () => {
    expect(() => parseAgentConfigFile('c.hcl', 'acl {\n  enabled = \n')).toThrow(/^failed to parse c\.hcl: /);
    expect(() => parseAgentConfigFile('c.json', '{"server": tru')).toThrow(/^failed to parse c\.json: /);
    expect(() => parseAgentConfigFile('c.json', '{"server": true, "datacentre": "dc1"}')).toThrow(/invalid config key datacentre/);
  });
});
