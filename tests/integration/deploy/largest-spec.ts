import { MAX_SERVICES, MAX_SPEC_BYTES, submittedSpecBytes } from '../../../layers/domain/spec';

/**
 * The largest spec a deployment accepts: MAX_SERVICES services (over four clusters, every one with an upstream and
 * environment entries) and exactly MAX_SPEC_BYTES bytes as submitted, the environment values padded to fill it.
 * Names are as long as the schema allows (services 63 characters, clusters 255), since the plan and the statuses
 * repeat them per service: this is the spec whose deployment state is the largest. Images are given (not built), so
 * a deployment of it is bounded by ECS and Consul, not by builds.
 */
export function largestSpec(options: { name?: string; extraBytes?: number } = {}): Record<string, unknown> {
  const perCluster = Math.ceil(MAX_SERVICES / 4);
  const names = Array.from({ length: MAX_SERVICES }, (_, i) => `svc-${String(i).padStart(3, '0')}-`.padEnd(63, 'n'));
  const cluster = (name: string) => `${name}-`.padEnd(255, 'c');
  const service = (name: string, i: number) => ({
    name,
    image: `public.ecr.aws/example/app-${i}:1.0.0`,
    port: 8080,
    protocol: 'http',
    desiredCount: 1,
    upstreams: [{ service: names[(i + 1) % names.length], localBindPort: 9000 + (i % 500) }],
    env: { LOG_LEVEL: 'info', PAD: '' },
  });
  const spec = {
    name: options.name ?? 'reference-mesh',
    region: 'us-east-1',
    datacenter: 'dc1',
    network: { mode: 'awsvpc', launchType: 'FARGATE' },
    consul: {
      servers: { count: 3, version: '1.20.1', image: 'hashicorp/consul:1.20.1', cluster: cluster('consul-server') },
      dataplane: { image: 'hashicorp/consul-dataplane:1.6.0' },
      security: { tls: { enabled: true, autoEncrypt: true }, gossip: { enabled: true }, acl: { enabled: true, defaultPolicy: 'deny' } },
    },
    clusters: Array.from({ length: Math.ceil(MAX_SERVICES / perCluster) }, (_, c) => ({
      name: cluster(`cluster-${c + 1}`),
      services: names.slice(c * perCluster, (c + 1) * perCluster).map((n) => service(n, names.indexOf(n))),
    })),
    ingress: { cluster: 'ingress', name: 'ingress-gateway', desiredCount: 1, listeners: [{ port: 80, protocol: 'http', services: ['*'] }] },
    intentions: names.map((n, i) => ({ source: n, destination: names[(i + 1) % names.length], action: 'allow' })),
  };
  const services = spec.clusters.flatMap((c) => c.services);
  const room = MAX_SPEC_BYTES + (options.extraBytes ?? 0) - submittedSpecBytes(spec);
  if (room < 0) throw new Error(`the skeleton alone is ${-room} bytes over the limit`);
  services.forEach((s, i) => (s.env.PAD = 'x'.repeat(Math.floor(room / services.length) + (i < room % services.length ? 1 : 0))));
  return spec;
}
