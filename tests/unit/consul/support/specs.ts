import path from 'node:path';
import { loadMeshSpec, validateMeshSpec } from '../../../../layers/domain/spec/load';
import type { MeshSpec } from '../../../../layers/domain/spec/schema';

/** The reference topology (examples/mesh.yaml), validated with defaults filled. */
export function referenceSpec(): MeshSpec {
  return loadMeshSpec(path.resolve(__dirname, '../../../../examples/mesh.yaml'));
}

/** A small valid spec, with `overrides` merged at the top level (and into `consul.servers`/`consul.security`). */
export function smallSpec(overrides: {
  name?: string;
  datacenter?: string;
  servers?: Record<string, unknown>;
  security?: Record<string, unknown>;
  clusters?: unknown[];
  ingress?: unknown;
  intentions?: unknown[];
} = {}): MeshSpec {
  const object = {
    name: overrides.name ?? 'small-mesh',
    datacenter: overrides.datacenter ?? 'dc7',
    consul: { servers: { count: 1, ...overrides.servers }, security: { ...overrides.security } },
    clusters: overrides.clusters ?? [
      {
        name: 'apps',
        services: [
          { name: 'web', image: 'web:1.0.0', port: 8080, upstreams: [{ service: 'api', localBindPort: 1234 }] },
          { name: 'api', image: 'api:2.1.0', port: 9090, protocol: 'grpc' },
        ],
      },
    ],
    ...(overrides.ingress === undefined ? {} : { ingress: overrides.ingress }),
    intentions: overrides.intentions ?? [{ source: 'web', destination: 'api', action: 'allow' }],
  };
  const result = validateMeshSpec({ object });
  if (!result.ok) throw new Error(`test spec is invalid: ${result.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
  return result.spec;
}

/** Looks like a secret value: PEM armour, a long base64 run (a 32-byte gossip key is 44 characters) or a UUID token. */
export const SECRET_LOOKING = [/BEGIN/, /[A-Za-z0-9+/]{40,}={0,2}/, /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i];
