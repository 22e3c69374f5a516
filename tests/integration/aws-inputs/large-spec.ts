/**
 * A large mesh spec at the edges of what the spec schema accepts: a service and the gateway named with 63
 * characters, more services in one cluster than one DescribeServices call takes, environment variables and secrets
 * on every service (SSM names of 1011 characters and of 15 levels), upstreams, several ingress listeners,
 * intentions, five servers of 4 vCPU / 30 GB. With LONGEST_NAMES, also a 63-character mesh and 255-character
 * clusters. The inputs the code builds from it must still be inputs AWS accepts.
 */

/** A DNS label of exactly `length` characters (the spec's limit for mesh and service names is 63). */
export function label(prefix: string, length: number): string {
  return `${prefix}${'x'.repeat(length - prefix.length - 1)}${prefix.length % 10}`.slice(0, length);
}

/**
 * The longest name the spec accepts, the deepest hierarchy SSM holds (15 levels), and ordinary ones; all under the
 * mesh's prefix, which the task execution role may read (a stack can add another path: `appSecretsPath`).
 */
function secretName(mesh: string, service: string, i: number): string {
  const prefix = `/consul-mesh/${mesh}`;
  if (i === 0) return `${prefix}/${'p'.repeat(1011 - prefix.length - 1)}`;
  if (i === 1) return `${prefix}${Array.from({ length: 13 }, (_, level) => `/l${level}`).join('')}`;
  return `${prefix}/teams/platform/${service}/secret-${i}`;
}

/**
 * Services per cluster: the first cluster holds more than DescribeServices takes in one call (10), which the
 * schema allows; the second one.
 */
const SERVICES_PER_CLUSTER = [11, 1];
const SERVICE_COUNT = SERVICES_PER_CLUSTER.reduce((a, b) => a + b, 0);

/**
 * The local cloud's orchestrator deploys `reference-mesh` only (its Consul ACL token is that mesh's) and its
 * EventBridge rule matches the reference spec's clusters (derived from the spec when serverless.yml is deployed),
 * so the spec deployed there keeps those names; the pure builders get the longest names the schema allows.
 */
export const DEPLOYABLE_NAMES = { mesh: 'reference-mesh', clusters: ['cluster-1', 'cluster-2'], ingressCluster: 'ingress' };
export const LONGEST_NAMES = {
  mesh: label('mesh', 63),
  clusters: [`C${'_'.repeat(253)}9`, 'cluster-2'],
  ingressCluster: `E${'-'.repeat(253)}9`,
};

export function largeSpec(names: typeof DEPLOYABLE_NAMES = DEPLOYABLE_NAMES): Record<string, unknown> {
  const services = (c: number) =>
    Array.from({ length: SERVICES_PER_CLUSTER[c] }, (_, s) => {
      const index = SERVICES_PER_CLUSTER.slice(0, c).reduce((a, b) => a + b, 0) + s;
      const name = index === 0 ? label('svc-a', 63) : `svc-${index}`;
      const env = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`SETTING_${i}_${'K'.repeat(20)}`, `value-${i}-${'v'.repeat(40)}`]));
      // Secrets are SSM parameter names the spec only references: up to the spec's 1011 characters.
      const secrets = Object.fromEntries(
        Array.from({ length: 8 }, (_, i) => [`SECRET_${i}`, secretName(names.mesh, name, i)]),
      );
      return {
        name,
        image: `registry.example.com/team/${index === 0 ? 'a' : 'b'}/service-${index}:1.2.${index}`,
        port: 8080,
        protocol: index % 3 === 0 ? 'grpc' : 'http',
        desiredCount: 1,
        cpu: index % 2 === 0 ? 1024 : 256,
        memory: index % 2 === 0 ? 8192 : 2048,
        healthCheck: { path: `/health/${'h'.repeat(50)}`, interval: '5m', timeout: '2m', startPeriodSeconds: 300, retries: 10 },
        upstreams: Array.from({ length: 4 }, (_, u) => ({ service: `svc-${((index + u + 1) % SERVICE_COUNT) || 1}`, localBindPort: 1200 + u })),
        env,
        secrets,
      };
    });
  return {
    name: names.mesh,
    // The stack's region: a spec for another one is refused (its SSM parameters would live in the stack's).
    region: 'us-east-1',
    datacenter: 'dc-edge_1',
    network: { mode: 'awsvpc', launchType: 'FARGATE', subnets: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'], securityGroups: ['sg-0123456789abcdef0'] },
    consul: { servers: { count: 5, version: '1.20.1', cpu: 4096, memory: 30720 }, dataplane: { image: 'hashicorp/consul-dataplane:1.6.1' } },
    clusters: names.clusters.map((name, c) => ({ name, services: services(c) })),
    ingress: {
      cluster: names.ingressCluster,
      name: label('gw', 63),
      desiredCount: 2,
      listeners: [
        { port: 80, protocol: 'http', services: ['*'] },
        { port: 8443, protocol: 'http2', services: ['svc-1', 'svc-2'] },
        { port: 9090, protocol: 'tcp', services: ['svc-3'] },
      ],
    },
    rollout: { minimumHealthyPercent: 0, maximumPercent: 200, circuitBreaker: { enable: true, rollback: true }, bakeSeconds: 0 },
    intentions: [
      { source: '*', destination: 'svc-1', action: 'deny' },
      ...Array.from({ length: 10 }, (_, i) => ({ source: `svc-${i + 1}`, destination: `svc-${i + 2}`, action: 'allow' })),
    ],
  };
}
