/**
 * Consul's checks of an `exported-services` config entry (`ExportedServicesConfigEntry.Validate`, Consul CE): the
 * name is the partition's, `default` without admin partitions; every service has a name and at least one consumer,
 * and each consumer names exactly one of `Peer`, `Partition` or `SamenessGroup`, never `*`.
 *
 * @returns Consul's error text, or undefined when the entry is valid.
 */
export function exportedServicesError(name: string, body: Record<string, unknown>): string | undefined {
  if (name !== 'default') return `exported-services Name must be "default"`;
  const services = body.Services;
  if (services === undefined || services === null) return undefined;
  if (!Array.isArray(services)) return 'Services must be a list';
  for (const [i, raw] of services.entries()) {
    const svc = (raw ?? {}) as Record<string, unknown>;
    const svcName = typeof svc.Name === 'string' ? svc.Name : '';
    if (svcName === '') return `Services[${i}]: service name cannot be empty`;
    if (svc.Namespace === '*' && svcName !== '*') return `Services[${i}]: service name must be wildcard if namespace is wildcard`;
    const consumers = Array.isArray(svc.Consumers) ? (svc.Consumers as Array<Record<string, unknown> | null>) : [];
    if (consumers.length === 0) return `Services[${i}]: must have at least one consumer`;
    for (const [j, consumer] of consumers.entries()) {
      const c = consumer ?? {};
      const set = (['Peer', 'Partition', 'SamenessGroup'] as const).filter((k) => typeof c[k] === 'string' && c[k] !== '');
      if (set.length > 1) return `Services[${i}].Consumers[${j}]: must define at most one of Peer, Partition, or SamenessGroup`;
      if (c.Partition === '*') return `Services[${i}].Consumers[${j}]: exporting to all partitions (wildcard) is not supported`;
      if (c.Peer === '*') return `Services[${i}].Consumers[${j}]: exporting to all peers (wildcard) is not supported`;
    }
  }
  return undefined;
}
