import fc from 'fast-check';
import { isMeshPort, type MeshSpec, type MeshSpecInput } from '../../../layers/domain/spec';
import { specFrom } from './support';

/**
 * Arbitrary valid mesh specs: 1-3 clusters of 1-3 services, upstreams between them, env and secrets, every
 * network mode / launch type pair ECS allows, Fargate sizes, with or without an ingress. Ports are drawn distinct
 * across the whole mesh, so the host-mode clash rules hold by construction. Every spec goes through the real
 * schema and rules (specFrom), so a generator mistake fails loudly instead of testing nothing.
 */
const port = fc.integer({ min: 1, max: 65535 }).filter((p) => !isMeshPort(p));
const dnsLabel = fc.stringMatching(/^[a-z][a-z0-9-]{0,14}[a-z0-9]$/);
const clusterName = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_-]{0,20}$/).filter((n) => n !== 'consul-server' && n !== 'ingress');
const envName = fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,10}$/);
const ssmName = fc.stringMatching(/^\/[a-z0-9]{1,8}(\/[a-z0-9._-]{1,8}){0,3}$/);
const fargateSize = fc.constantFrom([256, 512], [256, 1024], [512, 1024], [512, 4096], [1024, 2048], [2048, 8192]);
const network = fc.constantFrom(
  { mode: 'awsvpc' as const, launchType: 'FARGATE' as const },
  { mode: 'awsvpc' as const, launchType: 'EC2' as const },
  { mode: 'host' as const, launchType: 'EC2' as const },
);
const healthCheck = fc.record({
  path: fc.constantFrom('/health', '/ready', "/it's/ok?x=1&y=2"),
  interval: fc.constantFrom('5s', '250ms', '1m', '30s'),
  timeout: fc.constantFrom('3s', '1s', '90s', '500ms'),
  startPeriodSeconds: fc.integer({ min: 0, max: 300 }),
  retries: fc.integer({ min: 1, max: 10 }),
});

const serviceExtras = (serviceCount: number) =>
  fc.record({
    upstreamPicks: fc.uniqueArray(fc.nat({ max: serviceCount - 1 }), { maxLength: 2 }),
    env: fc.dictionary(envName, fc.string({ maxLength: 12 }), { maxKeys: 4 }),
    secrets: fc.dictionary(envName, ssmName, { maxKeys: 3 }),
    protocol: fc.constantFrom('http' as const, 'http2' as const, 'grpc' as const, 'tcp' as const),
    desiredCount: fc.integer({ min: 0, max: 5 }),
    size: fargateSize,
    built: fc.boolean(),
    healthCheck,
  });

export const meshSpecArb: fc.Arbitrary<MeshSpec> = fc
  .record({
    clusterSizes: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3 }),
    network,
    serverCount: fc.constantFrom(1, 3, 5),
    withIngress: fc.boolean(),
    tls: fc.boolean(),
    gossip: fc.boolean(),
    acl: fc.boolean(),
  })
  .chain((shape) => {
    const n = shape.clusterSizes.reduce((a, b) => a + b, 0);
    return fc
      .record({
        meshName: dnsLabel,
        names: fc.uniqueArray(dnsLabel, { minLength: n + 1, maxLength: n + 1 }),
        clusterNames: fc.uniqueArray(clusterName, { minLength: shape.clusterSizes.length, maxLength: shape.clusterSizes.length }),
        ports: fc.uniqueArray(port, { minLength: 3 * n, maxLength: 3 * n }),
        services: fc.array(serviceExtras(n), { minLength: n, maxLength: n }),
        listenerPorts: fc.uniqueArray(port, { minLength: 1, maxLength: 3 }),
        listenerWildcard: fc.boolean(),
      })
      .map((parts): MeshSpec => {
        const serviceNames = parts.names.slice(0, n);
        let index = 0;
        const clusters = shape.clusterSizes.map((size, ci) => ({
          name: parts.clusterNames[ci],
          services: Array.from({ length: size }, () => {
            const i = index++;
            const extra = parts.services[i];
            const name = serviceNames[i];
            return {
              name,
              ...(extra.built ? { build: { context: `docker/services/${name}` } } : { image: `registry.example.com/team/img${i}:1.0.${i}` }),
              port: parts.ports[3 * i],
              protocol: extra.protocol,
              desiredCount: extra.desiredCount,
              cpu: extra.size[0],
              memory: extra.size[1],
              healthCheck: extra.healthCheck,
              upstreams: extra.upstreamPicks
                .filter((u) => u !== i)
                .map((u, k) => ({ service: serviceNames[u], localBindPort: parts.ports[3 * i + 1 + k] })),
              env: extra.env,
              secrets: extra.secrets,
            };
          }),
        }));
        const input: MeshSpecInput = {
          name: parts.meshName,
          network: shape.network,
          consul: {
            servers: { count: shape.serverCount },
            security: {
              tls: { enabled: shape.tls, autoEncrypt: shape.tls },
              gossip: { enabled: shape.gossip },
              acl: { enabled: shape.acl },
            },
          },
          clusters,
          ...(shape.withIngress
            ? {
                ingress: {
                  name: parts.names[n],
                  listeners: parts.listenerPorts.map((p, li) =>
                    parts.listenerWildcard && li === 0 ? { port: p, protocol: 'http' as const, services: ['*'] } : { port: p, protocol: 'tcp' as const, services: [serviceNames[li % n]] },
                  ),
                },
              }
            : {}),
        };
        return specFrom(input);
      });
  });
