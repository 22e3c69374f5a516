import fc from 'fast-check';
import { buildDataplaneConfig, renderDataplaneConfig } from '../../../layers/domain/consul/dataplane-config';
import { renderServerHcl } from '../../../layers/domain/consul/server-hcl';
import { buildDataplaneLaunch } from '../../../layers/domain/consul/dataplane-launch';
import { buildServerLaunch } from '../../../layers/domain/consul/server-launch';
import { servicesWithCluster, TAG } from '../../../layers/domain/naming';
import { validateMeshSpec } from '../../../layers/domain/spec/load';
import type { MeshSpec } from '../../../layers/domain/spec/schema';
import { blockOf, parseHcl } from './support/parse-hcl';
import { SECRET_LOOKING } from './support/specs';

const label = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}[a-z0-9]$/);
const protocol = fc.constantFrom('http', 'http2', 'grpc', 'tcp');

/** Valid mesh specs: 1, 3 or 5 servers, any security switches, 1-3 clusters of 1-3 services, maybe a gateway. */
const meshSpecs: fc.Arbitrary<MeshSpec> = fc
  .record({
    name: label,
    datacenter: fc.stringMatching(/^[a-z0-9_-]{1,12}$/),
    count: fc.constantFrom(1, 3, 5),
    tls: fc.boolean(),
    autoEncrypt: fc.boolean(),
    gossip: fc.boolean(),
    acl: fc.boolean(),
    defaultPolicy: fc.constantFrom('deny', 'allow'),
    clusters: fc.array(fc.array(fc.record({ protocol, port: fc.integer({ min: 1024, max: 7999 }) }), { minLength: 1, maxLength: 3 }), {
      minLength: 1,
      maxLength: 3,
    }),
    gateway: fc.option(fc.constantFrom('wildcard', 'named'), { nil: undefined }),
    intentionSeeds: fc.array(fc.tuple(fc.nat(), fc.nat(), fc.boolean()), { maxLength: 4 }),
  })
  .map((g) => {
    let n = 0;
    const clusters = g.clusters.map((services, ci) => ({
      name: `cluster-${ci}`,
      // Unique service names and ports per cluster keep the spec valid in any network mode.
      services: services.map((s, si) => ({ name: `svc-${n++}`, image: 'app:1.0.0', port: s.port + si, protocol: s.protocol })),
    }));
    const all = clusters.flatMap((c) => c.services);
    const http = all.filter((s) => s.protocol === 'http');
    const ingress =
      g.gateway === 'wildcard'
        ? { listeners: [{ port: 80, protocol: 'http', services: ['*'] }] }
        : g.gateway === 'named' && http.length > 0
          ? { listeners: [{ port: 8080, protocol: 'http', services: http.map((s) => s.name) }] }
          : undefined;
    const intentions = g.intentionSeeds.map(([a, b, allow]) => ({
      source: all[a % all.length].name,
      destination: all[b % all.length].name,
      action: allow ? 'allow' : 'deny',
    }));
    const object = {
      name: g.name,
      datacenter: g.datacenter,
      consul: {
        servers: { count: g.count },
        security: {
          tls: { enabled: g.tls, autoEncrypt: g.tls && g.autoEncrypt },
          gossip: { enabled: g.gossip },
          acl: { enabled: g.acl, defaultPolicy: g.defaultPolicy },
        },
      },
      clusters,
      ...(ingress ? { ingress } : {}),
      intentions: intentions.filter((i) => i.source !== i.destination),
    };
    const result = validateMeshSpec({ object });
    if (!result.ok) throw new Error(`generator produced an invalid spec: ${JSON.stringify(result.issues)}`);
    return result.spec;
  });

describe('rendering any valid spec', () => {
  it('yields a server consul.hcl that parses, with bootstrap_expect = the server count and the mesh\'s join tag', async () => {
    await fc.assert(
      fc.asyncProperty(meshSpecs, async (spec) => {
        const text = renderServerHcl(spec);
        const parsed = await parseHcl(text);

        expect(parsed.bootstrap_expect).toBe(spec.consul.servers.count);
        expect(parsed.datacenter).toBe(spec.datacenter);
        expect(parsed.retry_join).toEqual([expect.stringContaining(`tag_key=${TAG.serverJoin} tag_value=${spec.name}`)]);
        expect(parsed.tls !== undefined).toBe(spec.consul.security.tls.enabled);
        expect(parsed.acl !== undefined).toBe(spec.consul.security.acl.enabled);
        for (const pattern of SECRET_LOOKING) expect(text).not.toMatch(pattern);
        if (spec.consul.security.tls.enabled) {
          const defaults = blockOf(blockOf(parsed, 'tls'), 'defaults');
          expect([defaults.verify_incoming, defaults.verify_outgoing]).toEqual([true, true]);
        }
        expect(renderServerHcl(structuredClone(spec))).toBe(text);
      }),
      { numRuns: 40 },
    );
  });

  it('yields dataplane configurations that all parse', async () => {
    await fc.assert(
      fc.asyncProperty(meshSpecs, async (spec) => {
        for (const { cluster, service } of servicesWithCluster(spec)) {
          const config = JSON.parse(renderDataplaneConfig(spec, { kind: 'service', name: service.name }));
          expect(config).toEqual(buildDataplaneConfig(spec, { kind: 'service', name: service.name }));
          expect(config.proxy.nodeName).toBe(cluster);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('yields launch contracts whose secrets follow the security switches and whose health checks probe what the configuration opens', async () => {
    await fc.assert(
      fc.asyncProperty(meshSpecs, async (spec) => {
        const security = spec.consul.security;
        const server = buildServerLaunch(spec);
        const serverSecrets = server.secrets.map((s) => s.name);
        expect(serverSecrets.includes('CONSUL_GOSSIP_KEY')).toBe(security.gossip.enabled);
        expect(serverSecrets.includes('CONSUL_CA_KEY')).toBe(security.tls.enabled);
        expect(serverSecrets.includes('CONSUL_BOOTSTRAP_TOKEN')).toBe(security.acl.enabled);
        expect(server.healthCheckUrl).toBe(`http://127.0.0.1:${blockOf(await parseHcl(renderServerHcl(spec)), 'ports').http}/v1/operator/autopilot/health`);

        const targets = [
          ...servicesWithCluster(spec).map(({ service }) => ({ kind: 'service' as const, name: service.name })),
          ...(spec.ingress ? [{ kind: 'ingress-gateway' as const }] : []),
        ];
        for (const target of targets) {
          const launch = buildDataplaneLaunch(spec, target);
          const config = buildDataplaneConfig(spec, target);
          const names = launch.secrets.map((s) => s.name);
          expect(names.includes('CONSUL_DATAPLANE_TOKEN')).toBe(config.consul.credentials?.type === 'static');
          expect(names.includes('CONSUL_CA_CERT')).toBe(!config.consul.tls.disabled);
          expect(launch.healthCheckUrl).toBe(`http://${config.envoy.readyBindAddress}:${config.envoy.readyBindPort}/ready`);
        }
      }),
      { numRuns: 40 },
    );
  });
});
