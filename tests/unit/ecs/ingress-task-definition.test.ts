import { buildIngressTaskDefinition } from '../../../layers/domain/ecs';
import { TAG } from '../../../layers/domain/naming';
import { NotFoundError } from '../../../layers/errors';
import { contextFor, referenceSpec, specFrom } from './support';

describe('buildIngressTaskDefinition', () => {
  const spec = referenceSpec();
  const ctx = contextFor(spec);

  it('runs one gateway dataplane container with the listener ports', () => {
    const td = buildIngressTaskDefinition(spec, ctx);
    expect(td.family).toBe('reference-mesh-ingress-gateway');
    expect(td.containerDefinitions).toHaveLength(1);
    const [gateway] = td.containerDefinitions ?? [];
    expect(gateway.name).toBe('consul-dataplane');
    expect(gateway.portMappings).toEqual([{ containerPort: 80, hostPort: 80, protocol: 'tcp' }]);
    expect(gateway.environment).toContainEqual({ name: 'CONSUL_PROXY_KIND', value: 'ingress-gateway' });
    expect(gateway.environment).toContainEqual({ name: 'CONSUL_SERVICE_NAME', value: 'ingress-gateway' });
    expect(gateway.environment).toContainEqual({ name: 'CONSUL_NODE_NAME', value: 'ingress' });
    expect(gateway.environment).toContainEqual({ name: 'CONSUL_CONFIG_PARAMETER', value: '/consul-mesh/reference-mesh/config/dataplane/ingress-gateway.json' });
    expect(gateway.secrets?.map((s) => s.name)).toEqual(['CONSUL_CA_CERT', 'CONSUL_CONFIG', 'CONSUL_DATAPLANE_TOKEN']);
    expect(gateway.image).toBe(ctx.images['consul-dataplane']);
    expect(td).toMatchObject({ cpu: '256', memory: '512' });
    expect(Object.fromEntries((td.tags ?? []).map((t) => [t.key, t.value]))).toMatchObject({ [TAG.role]: 'ingress-gateway', [TAG.service]: 'ingress-gateway' });
  });

  it('maps several listeners sorted by port and prefers the gateway image', () => {
    const s = specFrom({
      name: 'shop',
      clusters: [{ name: 'c1', services: [{ name: 'web', image: 'web:1.0.0', port: 8080 }] }],
      ingress: { name: 'edge', image: 'edge-gw:2.0.0', listeners: [{ port: 8443, services: ['web'] }, { port: 80, services: ['*'] }] },
    });
    const [gateway] = buildIngressTaskDefinition(s, contextFor(s)).containerDefinitions ?? [];
    expect(gateway.portMappings?.map((p) => p.containerPort)).toEqual([80, 8443]);
    expect(gateway.image).toBe('edge-gw:2.0.0');
    const [resolved] = buildIngressTaskDefinition(s, contextFor(s, { images: { edge: 'acct/edge:abc' } })).containerDefinitions ?? [];
    expect(resolved.image).toBe('acct/edge:abc');
  });

  it('refuses a spec without an ingress', () => {
    const s = specFrom({ name: 'shop', clusters: [{ name: 'c1', services: [{ name: 'web', image: 'web:1.0.0', port: 8080 }] }] });
    expect(() => buildIngressTaskDefinition(s, contextFor(s))).toThrow(NotFoundError);
  });
});
