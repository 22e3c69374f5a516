import { loadMeshSpec, validateMeshSpec, type MeshSpec, type MeshSpecInput } from '../../../layers/domain/spec';
import type { TaskDefinitionContext } from '../../../layers/domain/ecs';

export const ACCOUNT = '111122223333';

/** The reference topology of examples/mesh.yaml (DESIGN.md section 3). */
export function referenceSpec(): MeshSpec {
  return loadMeshSpec('examples/mesh.yaml');
}

/** Validates a spec object through the real schema and rules; fails the test with the issues when invalid. */
export function specFrom(input: MeshSpecInput): MeshSpec {
  const result = validateMeshSpec({ object: input });
  if (!result.ok) throw new Error(`test spec is invalid:\n${result.issues.map((i) => `${i.path}: ${i.message}`).join('\n')}`);
  return result.spec;
}

/** A context resolving an image for every service, gateway, the servers and the dataplane of `spec`. */
export function contextFor(spec: MeshSpec, overrides: Partial<TaskDefinitionContext> = {}): TaskDefinitionContext {
  const images: Record<string, string> = {
    'consul-server': `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/consul-server:1.20.1-5c4d3e2`,
    'consul-dataplane': `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/consul-dataplane:9e8d7c6`,
  };
  for (const cluster of spec.clusters) for (const s of cluster.services) images[s.name] = `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/${s.name}:3f2a9c1`;
  return {
    images,
    executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/mesh-execution`,
    taskRoleArns: {
      server: `arn:aws:iam::${ACCOUNT}:role/mesh-server-task`,
      'ingress-gateway': `arn:aws:iam::${ACCOUNT}:role/mesh-gateway-task`,
      service: `arn:aws:iam::${ACCOUNT}:role/mesh-service-task`,
    },
    accountId: ACCOUNT,
    ...overrides,
  };
}
