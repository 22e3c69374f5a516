import type { MeshSpec } from '../spec/schema';
import { meshParameterPrefix } from '../naming';

/**
 * SSM SecureString parameter holding the ACL token a dataplane of `consulName` (a service, or the ingress gateway)
 * presents to the servers: `<mesh prefix>/secrets/acl/dataplane/<name>`, next to naming.secretParameterNames' secrets.
 *
 * The token needs the permissions of a service identity for that name (`service_identities = [{ service_name }]`;
 * for the ingress gateway, `service:write` on the gateway and `service:read`/`node:read` on everything it routes to).
 * Whoever bootstraps ACLs creates it and stores it here; ECS injects it at task start.
 */
export function dataplaneTokenParameterName(spec: Pick<MeshSpec, 'name'>, consulName: string, root = '/consul-mesh'): string {
  return `${meshParameterPrefix(spec, root)}/secrets/acl/dataplane/${consulName}`;
}
