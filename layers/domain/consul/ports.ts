/**
 * The ports the rendered configuration uses. Consul's own defaults, kept explicit so the task definitions,
 * security groups and dataplane configuration agree with the server configuration.
 */
export const CONSUL_PORTS = {
  /** HTTP API (plaintext). */
  http: 8500,
  /** HTTPS API; only when TLS is on. */
  https: 8501,
  /** gRPC (xDS) in plaintext. */
  grpc: 8502,
  /**
   * gRPC over TLS. Since Consul 1.14 plaintext and TLS gRPC listen on separate ports; a dataplane talking TLS
   * must use this one.
   */
  grpcTls: 8503,
} as const;

/** Envoy's ports inside a dataplane task (consul-dataplane's envoy settings). */
export const ENVOY_PORTS = {
  /** Envoy admin API, bound to loopback only (consul-dataplane's default). */
  admin: 19000,
  /**
   * Envoy readiness endpoint (`/ready`), what the container health check probes. 22000 is the port consul-ecs uses
   * for the same purpose, clear of the sidecar range 21000-21255 and of the public listener 20000. The spec rules
   * reserve it and the admin port, so no service or upstream listener of a valid spec can take them.
   */
  ready: 22000,
} as const;
