import type { AclResolver } from './acl';
import { ConsulHttpError } from './errors';
import { serviceKey, type ConsulState } from './store/types';

/**
 * What the servers answer a consul-dataplane over gRPC before its Envoy can become ready
 * (https://developer.hashicorp.com/consul/docs/connect/dataplane): the token must resolve (`ACL not found`
 * otherwise), `GetEnvoyBootstrapParams` needs the proxy registered on its node and `service:read` on it, and the
 * xDS stream needs `service:write` on the proxy's destination service (a connect proxy) or on the gateway itself,
 * as Consul's xDS server authorizes a stream. consul-dataplane makes the bootstrap call once and exits when it fails
 * (refused or not registered); a refused stream is retried and Envoy is not ready meanwhile.
 */
export type DataplaneAccess =
  | { readonly ok: true }
  | {
      readonly ok: false;
      /**
       * Where it failed: `bootstrap` (the token does not resolve or cannot read the proxy) and `unregistered` (no such
       * proxy on the node yet) fail consul-dataplane's one `GetEnvoyBootstrapParams` call and the process exits;
       * `xds` (the proxy stream is refused): the dataplane runs on, Envoy never gets a configuration.
       */
      readonly stage: 'bootstrap' | 'unregistered' | 'xds';
      readonly error: string;
    };

const GATEWAY_KINDS = new Set(['ingress-gateway', 'terminating-gateway', 'mesh-gateway', 'api-gateway']);

export function dataplaneAccess(acl: AclResolver, state: ConsulState, secret: string, node: string, proxyId: string): DataplaneAccess {
  let authz;
  try {
    authz = acl.resolve(secret);
  } catch (error) {
    if (error instanceof ConsulHttpError) return { ok: false, stage: 'bootstrap', error: `rpc error: code = PermissionDenied desc = ${error.message}` };
    throw error;
  }
  const proxy = state.services.get(serviceKey(node, proxyId));
  if (!proxy) return { ok: false, stage: 'unregistered', error: `rpc error: code = NotFound desc = proxy service "${proxyId}" is not registered on node "${node}"` };
  if (!authz.allowed('service', 'read', proxy.Service)) {
    return { ok: false, stage: 'bootstrap', error: `rpc error: code = PermissionDenied desc = ${authz.denial('service', 'read', proxy.Service)}` };
  }
  const destination = proxy.Proxy.DestinationServiceName;
  const target = GATEWAY_KINDS.has(proxy.Kind) ? proxy.Service : typeof destination === 'string' ? destination : proxy.Service;
  if (!authz.allowed('service', 'write', target)) {
    return { ok: false, stage: 'xds', error: `rpc error: code = PermissionDenied desc = ${authz.denial('service', 'write', target)}` };
  }
  return { ok: true };
}
