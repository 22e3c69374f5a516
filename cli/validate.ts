import { validateMeshSpec } from '../layers/domain/spec/load';
import { formatIssue } from '../layers/domain/spec/issues';
import { counted } from './table';

/**
 * `meshctl validate <spec>`: no I/O beyond reading the file. Prints one line per problem, naming its path.
 * @returns the process exit code: 0 for a valid spec, 1 otherwise.
 */
export function validateCommand(path: string, out: { log: (s: string) => void; error: (s: string) => void } = console): number {
  const result = validateMeshSpec({ path });
  if (result.ok) {
    const services = result.spec.clusters.reduce((n, c) => n + c.services.length, 0);
    out.log(`${path}: valid (mesh "${result.spec.name}", ${counted(result.spec.clusters.length, 'cluster')}, ${counted(services, 'service')}, ${counted(result.spec.consul.servers.count, 'Consul server')})`);
    return 0;
  }
  for (const issue of result.issues) out.error(`${path}: ${formatIssue(issue)}`);
  return 1;
}
