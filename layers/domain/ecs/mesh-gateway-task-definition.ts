import type { RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import type { MeshSpec } from '../spec/schema';
import { meshGatewayFamily } from '../naming';
import { NotFoundError } from '../../errors';
import { IMAGE_KEY } from './containers';
import { requireImage, type TaskDefinitionContext } from './context';
import { buildDataplaneContainer, tcpPort } from './dataplane-container';
import { gatewayTaskDefinition } from './ingress-task-definition';

/**
 * The mesh gateway task definition: one `consul-dataplane` container running Envoy as a mesh gateway (the proxy
 * kind comes from its registration, `Kind = "mesh-gateway"`, which consul-dataplane reads with its
 * `-proxy-service-id` and `-service-node-name`, as consul-ecs runs its gateways). It listens on `wan.port` for
 * peers and for the mesh's own sidecars (LAN and WAN tagged addresses share the port: one listener per address
 * Envoy binds). The image is the gateway's own, else the dataplane image; the task role is the gateways' role
 * (no AWS call from the task).
 *
 * @throws NotFoundError when the spec has no mesh gateway.
 */
export function buildMeshGatewayTaskDefinition(spec: MeshSpec, ctx: TaskDefinitionContext): RegisterTaskDefinitionCommandInput {
  const gateway = spec.meshGateway;
  if (!gateway) throw new NotFoundError(`the mesh "${spec.name}" has no mesh gateway`);
  const container = buildDataplaneContainer(spec, ctx, {
    target: { kind: 'mesh-gateway' },
    image: requireImage(ctx, gateway.name, gateway.image ?? ctx.images[IMAGE_KEY.dataplane]),
    portMappings: [tcpPort(gateway.wan.port)],
  });
  return gatewayTaskDefinition(spec, ctx, { family: meshGatewayFamily(spec), role: 'mesh-gateway', name: gateway.name, container });
}
