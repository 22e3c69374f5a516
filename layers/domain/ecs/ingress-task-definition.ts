import type { RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import type { MeshSpec } from '../spec/schema';
import { ingressFamily, TAG } from '../naming';
import { NotFoundError } from '../../errors';
import type { ContainerDefinition } from '@aws-sdk/client-ecs';
import { compatibilities, meshTags, networkMode, runtimePlatform, withSpecHashTag } from './common';
import { IMAGE_KEY } from './containers';
import { requireImage, type TaskDefinitionContext } from './context';
import { buildDataplaneContainer, tcpPort } from './dataplane-container';
import { specHash } from './hash';

/** Task size of a gateway (the spec does not size it): Fargate's smallest valid pair. */
export const INGRESS_CPU = '256';
export const INGRESS_MEMORY = '512';

/**
 * The ingress gateway task definition: one `consul-dataplane` container running Envoy as an ingress gateway,
 * with a port mapping per listener (sorted by port). Its listeners themselves come from the
 * `ingress-gateway` config entry; the image is the gateway's own, else the dataplane image.
 *
 * @throws NotFoundError when the spec has no ingress.
 */
export function buildIngressTaskDefinition(spec: MeshSpec, ctx: TaskDefinitionContext): RegisterTaskDefinitionCommandInput {
  const ingress = spec.ingress;
  if (!ingress) throw new NotFoundError(`the mesh "${spec.name}" has no ingress gateway`);
  const ports = [...new Set(ingress.listeners.map((l) => l.port))].sort((a, b) => a - b);
  const gateway = buildDataplaneContainer(spec, ctx, {
    target: { kind: 'ingress-gateway' },
    image: requireImage(ctx, ingress.name, ingress.image ?? ctx.images[IMAGE_KEY.dataplane]),
    portMappings: ports.map(tcpPort),
  });
  return gatewayTaskDefinition(spec, ctx, { family: ingressFamily(spec), role: 'ingress-gateway', name: ingress.name, container: gateway });
}

/**
 * A gateway's task definition (ingress or mesh gateway): its one dataplane container, the gateways' task role, the
 * gateway task size, the mesh's network and platform, tagged with its role and name and the spec hash.
 */
export function gatewayTaskDefinition(
  spec: MeshSpec,
  ctx: TaskDefinitionContext,
  gateway: { family: string; role: 'ingress-gateway' | 'mesh-gateway'; name: string; container: ContainerDefinition },
): RegisterTaskDefinitionCommandInput {
  return withSpecHashTag(
    {
      family: gateway.family,
      taskRoleArn: ctx.taskRoleArns['ingress-gateway'],
      executionRoleArn: ctx.executionRoleArn,
      networkMode: networkMode(spec),
      requiresCompatibilities: compatibilities(spec),
      runtimePlatform: runtimePlatform(spec),
      cpu: INGRESS_CPU,
      memory: INGRESS_MEMORY,
      containerDefinitions: [gateway.container],
      tags: meshTags(spec, gateway.role, { [TAG.service]: gateway.name }),
    },
    specHash,
  );
}
