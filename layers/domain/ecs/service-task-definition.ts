import type { ContainerDefinition, RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import type { MeshSpec, ServiceSpec } from '../spec/schema';
import { serviceFamily, servicesWithCluster, TAG } from '../naming';
import { NotFoundError } from '../../errors';
import { awsLogs, compatibilities, meshTags, networkMode, runtimePlatform, nonEmpty, sortedEnvironment, sortedSecrets, withSpecHashTag } from './common';
import { appContainerName, DATAPLANE_CONTAINER, IMAGE_KEY, SIDECAR_PORT } from './containers';
import { requireImage, type TaskDefinitionContext } from './context';
import { buildDataplaneContainer, tcpPort } from './dataplane-container';
import { specHash } from './hash';
import { buildAppHealthCheck } from './health-check';

/**
 * The task definition of a mesh service (family `<mesh>-<service>`): the app container and its
 * `consul-dataplane` sidecar, which listens on port 20000 for inbound mTLS and serves the upstreams on
 * 127.0.0.1:<localBindPort>.
 *
 * Start and stop order: the app `dependsOn` the dataplane being HEALTHY (Envoy ready), so the app's first
 * outbound call already finds its upstream listeners. ECS stops containers in reverse dependency order, so the
 * app stops before its proxy and in-flight requests can drain. There is no init container (see containers.ts).
 *
 * Sizes: the spec's cpu/memory are the task's (what Fargate bills and validates); the containers share them.
 *
 * @throws NotFoundError when the spec has no service of that name.
 */
export function buildServiceTaskDefinition(spec: MeshSpec, serviceName: string, ctx: TaskDefinitionContext): RegisterTaskDefinitionCommandInput {
  const found = servicesWithCluster(spec).find((s) => s.service.name === serviceName);
  if (!found) throw new NotFoundError(`the mesh "${spec.name}" has no service "${serviceName}"`);
  const service = found.service;

  const dataplane = buildDataplaneContainer(spec, ctx, {
    target: { kind: 'service', name: service.name },
    image: requireImage(ctx, IMAGE_KEY.dataplane),
    portMappings: [tcpPort(SIDECAR_PORT)],
  });

  return withSpecHashTag(
    {
      family: serviceFamily(spec, service.name),
      taskRoleArn: ctx.taskRoleArns.service,
      executionRoleArn: ctx.executionRoleArn,
      networkMode: networkMode(spec),
      requiresCompatibilities: compatibilities(spec),
      runtimePlatform: runtimePlatform(spec),
      cpu: String(service.cpu),
      memory: String(service.memory),
      containerDefinitions: [buildAppContainer(spec, service, ctx), dataplane],
      tags: meshTags(spec, 'service', { [TAG.service]: service.name }),
    },
    specHash,
  );
}

function buildAppContainer(spec: MeshSpec, service: ServiceSpec, ctx: TaskDefinitionContext): ContainerDefinition {
  return {
    name: appContainerName(service.name),
    image: requireImage(ctx, service.name, service.image),
    essential: true,
    portMappings: [tcpPort(service.port)],
    environment: nonEmpty(sortedEnvironment(service.env)),
    secrets: nonEmpty(sortedSecrets(spec, ctx, service.secrets)),
    healthCheck: buildAppHealthCheck(service),
    dependsOn: [{ containerName: DATAPLANE_CONTAINER, condition: 'HEALTHY' }],
    logConfiguration: awsLogs(spec, service.name),
  };
}
