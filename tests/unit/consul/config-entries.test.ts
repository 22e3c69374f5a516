import { buildConfigEntries } from '../../../layers/domain/consul/config-entries';
import { buildIngressGatewayEntry, ingressHost } from '../../../layers/domain/consul/ingress-gateway-entry';
import { buildServiceDefaults } from '../../../layers/domain/consul/service-defaults';
import { buildServiceIntentions } from '../../../layers/domain/consul/service-intentions';
import { configParameterNames } from '../../../layers/domain/naming';
import { referenceSpec, smallSpec } from './support/specs';

const threeServices = [
  {
    name: 'apps',
    services: [
      { name: 'web', image: 'web:1.0.0', port: 8080 },
      { name: 'api', image: 'api:2.1.0', port: 9090, protocol: 'grpc' },
      { name: 'db', image: 'db:5.0.0', port: 5432, protocol: 'tcp' },
    ],
  },
];

describe('buildServiceDefaults', () => {
  it('gives every service of the reference topology Protocol http, in spec order', () => {
    expect(buildServiceDefaults(referenceSpec())).toEqual(
      ['users', 'activities', 'todos', 'notifications'].map((Name) => ({ Kind: 'service-defaults', Name, Protocol: 'http' })),
    );
  });

  it('carries each service\'s own protocol', () => {
    const spec = smallSpec({ clusters: threeServices, intentions: [] });

    expect(buildServiceDefaults(spec).map((e) => [e.Name, e.Protocol])).toEqual([
      ['web', 'http'],
      ['api', 'grpc'],
      ['db', 'tcp'],
    ]);
  });
});

describe('buildIngressGatewayEntry', () => {
  it('exposes every http service of the reference topology on port 80 through "*", routed by Host', () => {
    expect(buildIngressGatewayEntry(referenceSpec())).toEqual({
      Kind: 'ingress-gateway',
      Name: 'ingress-gateway',
      Listeners: [{ Port: 80, Protocol: 'http', Services: [{ Name: '*' }] }],
    });
  });

  it('gives named services on L7 listeners the host <service>.ingress.consul, and none on a tcp listener', () => {
    const spec = smallSpec({
      clusters: threeServices,
      intentions: [],
      ingress: {
        name: 'edge',
        listeners: [
          { port: 8080, protocol: 'http', services: ['web'] },
          { port: 9000, protocol: 'grpc', services: ['api'] },
          { port: 5433, protocol: 'tcp', services: ['db'] },
        ],
      },
    });

    expect(buildIngressGatewayEntry(spec)?.Listeners).toEqual([
      { Port: 8080, Protocol: 'http', Services: [{ Name: 'web', Hosts: ['web.ingress.consul'] }] },
      { Port: 9000, Protocol: 'grpc', Services: [{ Name: 'api', Hosts: [ingressHost('api')] }] },
      { Port: 5433, Protocol: 'tcp', Services: [{ Name: 'db' }] },
    ]);
  });

  it('is undefined for a spec without an ingress gateway', () => {
    expect(buildIngressGatewayEntry(smallSpec())).toBeUndefined();
  });
});

describe('buildServiceIntentions', () => {
  it('groups the reference intentions by destination, sources in spec order', () => {
    expect(buildServiceIntentions(referenceSpec())).toEqual([
      {
        Kind: 'service-intentions',
        Name: 'users',
        Sources: [
          { Name: 'ingress-gateway', Action: 'allow' },
          { Name: 'todos', Action: 'allow' },
        ],
      },
      { Kind: 'service-intentions', Name: 'todos', Sources: [{ Name: 'users', Action: 'allow' }] },
    ]);
  });

  it('keeps a wildcard source and lists a repeated source once, with its first action', () => {
    const spec = smallSpec({
      intentions: [
        { source: '*', destination: 'api', action: 'deny' },
        { source: 'web', destination: 'api', action: 'allow' },
        { source: 'web', destination: 'api', action: 'deny' },
      ],
    });

    expect(buildServiceIntentions(spec)).toEqual([
      {
        Kind: 'service-intentions',
        Name: 'api',
        Sources: [
          { Name: '*', Action: 'deny' },
          { Name: 'web', Action: 'allow' },
        ],
      },
    ]);
  });
});

describe('buildConfigEntries', () => {
  it('returns every entry in apply order: service-defaults, then the gateway, then intentions', () => {
    const entries = buildConfigEntries(referenceSpec());

    expect(entries.map((e) => `${e.Kind}/${e.Name}`)).toEqual([
      'service-defaults/users',
      'service-defaults/activities',
      'service-defaults/todos',
      'service-defaults/notifications',
      'ingress-gateway/ingress-gateway',
      'service-intentions/users',
      'service-intentions/todos',
    ]);
  });

  it('gives every entry a distinct SSM parameter name', () => {
    const spec = referenceSpec();
    const names = buildConfigEntries(spec).map((e) => configParameterNames(spec).configEntry(e.Kind, e.Name));

    expect(new Set(names).size).toBe(names.length);
  });

  it('leaves out the gateway when the spec has none', () => {
    expect(buildConfigEntries(smallSpec()).map((e) => e.Kind)).toEqual(['service-defaults', 'service-defaults', 'service-intentions']);
  });
});
