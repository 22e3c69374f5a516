import { DescribeServicesCommand, type ECSClient, type Service } from '@aws-sdk/client-ecs';

/** DescribeServices takes at most 10 services a call (ECS API reference: "services ... up to 10"). */
export const SERVICES_PER_DESCRIBE = 10;

/**
 * DescribeServices for any number of services of one cluster, 10 a call, in the order ECS answers each batch.
 * Services ECS does not know are left out (they are `failures: MISSING`), as in a single call.
 *
 * A cluster of a mesh may run more services than one call takes: the spec does not (and need not) cap them.
 */
export async function describeServices(ecs: Pick<ECSClient, 'send'>, cluster: string, names: readonly string[]): Promise<Service[]> {
  const services: Service[] = [];
  for (let i = 0; i < names.length; i += SERVICES_PER_DESCRIBE) {
    const { services: batch = [] } = await ecs.send(new DescribeServicesCommand({ cluster, services: names.slice(i, i + SERVICES_PER_DESCRIBE) }));
    services.push(...batch);
  }
  return services;
}
