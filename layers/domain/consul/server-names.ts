import type { MeshSpec } from '../spec/schema';
import { SERVER_SERVICE_NAME } from '../naming';
import { CONSUL_PORTS } from './ports';

/** Consul's DNS domain. Left at Consul's default; server certificates and ingress hosts are derived from it. */
export const CONSUL_DOMAIN = 'consul';

/**
 * The stable internal DNS name of the Consul servers: `consul-server.<mesh>.internal`. The orchestrator registers the
 * server tasks in a Cloud Map private namespace `<mesh>.internal` under that service name, so dataplanes find the
 * servers without knowing an IP (tasks come and go; the name stays).
 */
export function defaultServerAddress(spec: Pick<MeshSpec, 'name'>): string {
  return `${SERVER_SERVICE_NAME}.${spec.name}.internal`;
}

/**
 * The servers' HTTP API as a task reaches it: `https://<address>:8501` with TLS (the address is a SAN of every server
 * certificate, serverCertificateDnsNames), else `http://<address>:8500`.
 * @example serverHttpAddress(spec) // 'https://consul-server.reference-mesh.internal:8501'
 */
export function serverHttpAddress(spec: Pick<MeshSpec, 'name' | 'consul'>, serverAddress = defaultServerAddress(spec)): string {
  return spec.consul.security.tls.enabled ? `https://${serverAddress}:${CONSUL_PORTS.https}` : `http://${serverAddress}:${CONSUL_PORTS.http}`;
}

/**
 * The name a client verifies in a server's TLS certificate. `consul tls cert create -server -dc <dc>` puts
 * `server.<dc>.<domain>` in every server certificate, and `verify_server_hostname` makes servers check it on each
 * other: dataplanes and the orchestrator's HTTPS calls check the same name, whatever address they dialled.
 */
export function serverTlsServerName(spec: Pick<MeshSpec, 'datacenter'>): string {
  return `server.${spec.datacenter}.${CONSUL_DOMAIN}`;
}

/**
 * Every DNS name a server certificate must carry: the TLS server name plus the internal address (as an extra SAN,
 * `consul tls cert create -additional-dnsname`), so a client may also verify against the name it dialled.
 */
export function serverCertificateDnsNames(spec: Pick<MeshSpec, 'name' | 'datacenter'>, serverAddress = defaultServerAddress(spec)): string[] {
  return [serverTlsServerName(spec), serverAddress, 'localhost'];
}
