/**
 * The one runtime contract between the rendered configuration, the task definitions and the images' entrypoints
 * (docker/consul-server/entrypoint.sh, docker/consul-dataplane/entrypoint.sh, documented in docker/README.md):
 * file paths inside the containers and the names of the environment variables values arrive in at start.
 * The ECS builders import these names; no other module spells them.
 *
 * Values that come from SSM Parameter Store (the rendered files, and the SecureString secrets) are injected by ECS
 * at task start through the container definition's `secrets` (`{ name, valueFrom: <parameter ARN> }`): ECS reads
 * the parameter (decrypting a SecureString) just before it starts the container, so no value is ever in a task
 * definition, an image or this repository. The entrypoint writes each value to a file of mode 0600 (or hands it to
 * consul-dataplane through its `DP_*` environment), unsets the variable and execs Consul or consul-dataplane.
 */

/** Variables both images read, with the same meaning. */
const SHARED_ENV = {
  /** The rendered configuration (consul.hcl, or the dataplane JSON): ECS `secrets` → its SSM String parameter. */
  config: 'CONSUL_CONFIG',
  /** The name of that parameter, plain `environment`: only quoted in the entrypoint's error messages. */
  configParameter: 'CONSUL_CONFIG_PARAMETER',
  /**
   * Hash of the rendered configuration, plain `environment`. A changed configuration changes the task definition,
   * so ECS replaces the tasks; the entrypoint logs it, so a task's log says which configuration it started with.
   */
  configHash: 'CONSUL_CONFIG_HASH',
  /** The CA certificate (PEM) the servers' certificates are signed with: ECS `secrets` → SSM SecureString. */
  caCert: 'CONSUL_CA_CERT',
} as const;

/** Paths and variables of the Consul server container (the official image's layout: /consul/config, /consul/data). */
export const SERVER_RUNTIME = {
  /**
   * Consul runs as `consul agent -config-dir=<configDir>` and merges every `.hcl`/`.json` file there (not the
   * subdirectories): the rendered consul.hcl plus the secret fragments the entrypoint writes.
   */
  configDir: '/consul/config',
  /** The rendered `consul.hcl` (renderServerHcl), written from `env.config`. */
  configFile: '/consul/config/consul.hcl',
  /** `encrypt = "<gossip key>"`, written from `env.gossipKey`. The rendered file never sets `encrypt`. */
  gossipFile: '/consul/config/gossip.hcl',
  /**
   * `acl { tokens { initial_management, agent } }`, written from `env.bootstrapToken` and `env.agentToken`. The
   * rendered file sets no token.
   */
  aclTokensFile: '/consul/config/acl-tokens.hcl',
  /**
   * The agent token again, alone, for the container health check (`healthCheck`), written from `env.agentToken` only:
   * never the management token. Not a `.hcl`/`.json` file, so Consul does not read it as configuration.
   */
  healthCheckTokenFile: '/consul/config/health-check.token',
  /**
   * The image's health-check program (docker/consul-server/healthcheck.sh): given autopilot's health URL, it exits 0
   * only when autopilot reports this server (its node ID, `<dataDir>/node-id`) as a voter that is caught up.
   */
  healthCheck: '/usr/local/bin/consul-server-healthcheck',
  dataDir: '/consul/data',
  /** The CA certificate, written from `env.caCert`. */
  caFile: '/consul/config/tls/ca.pem',
  /**
   * The server certificate and key, issued at start with the CA key (`consul tls cert create -server`); the CA key
   * itself only lives in a private temporary directory for that one command and is deleted before Consul starts.
   */
  certFile: '/consul/config/tls/server.pem',
  keyFile: '/consul/config/tls/server-key.pem',
  env: {
    ...SHARED_ENV,
    /** The gossip (Serf) encryption key, base64: ECS `secrets` → SSM SecureString. */
    gossipKey: 'CONSUL_GOSSIP_KEY',
    /** The CA private key (PEM), used once to issue this server's certificate: ECS `secrets` → SSM SecureString. */
    caKey: 'CONSUL_CA_KEY',
    /** The ACL initial management token: ECS `secrets` → SSM SecureString. */
    bootstrapToken: 'CONSUL_BOOTSTRAP_TOKEN',
    /** The servers' agent token (`acl.tokens.agent`, node write only): ECS `secrets` → SSM SecureString. */
    agentToken: 'CONSUL_AGENT_TOKEN',
    /**
     * Extra DNS names for the server certificate, space-separated, plain `environment`
     * (`consul tls cert create -additional-dnsname`): the servers' internal address, so a client may verify it.
     */
    certDnsNames: 'CONSUL_CERT_DNS_NAMES',
  },
} as const;

/** The proxy kinds the dataplane entrypoint knows; they decide the proxy's service ID (dataplaneProxyId). */
export type DataplaneProxyKind = 'connect-proxy' | 'ingress-gateway';

/** Paths and variables of the consul-dataplane container (one per service task, and the ingress gateway's). */
export const DATAPLANE_RUNTIME = {
  dir: '/consul/dataplane',
  /** Written from `env.config`; consul-dataplane only accepts a `-config-file` whose name ends in `.json`. */
  configFile: '/consul/dataplane/config.json',
  /** Written from `env.caCert`; the entrypoint also exports it as `DP_CA_CERTS`. */
  caFile: '/consul/dataplane/tls/ca.pem',
  env: {
    ...SHARED_ENV,
    /**
     * This proxy's ACL token: ECS `secrets` → SSM SecureString (dataplaneTokenParameterName). The entrypoint hands
     * it over as `DP_CREDENTIAL_STATIC_TOKEN`, which consul-dataplane prefers to its config file.
     */
    token: 'CONSUL_DATAPLANE_TOKEN',
    /** The Consul service the proxy belongs to (a mesh service, or the gateway's name), plain `environment`. */
    serviceName: 'CONSUL_SERVICE_NAME',
    /** `connect-proxy` or `ingress-gateway`, plain `environment`. */
    proxyKind: 'CONSUL_PROXY_KIND',
    /** The synthetic node the proxy is registered on (the ECS cluster's name), plain `environment`. */
    nodeName: 'CONSUL_NODE_NAME',
    /**
     * The servers' HTTP API (serverHttpAddress), plain `environment`: the entrypoint reads the catalog there until
     * the proxy is registered, before it starts consul-dataplane (which exits on an unregistered proxy).
     */
    httpAddr: 'CONSUL_HTTP_ADDR',
    /** How long (seconds) the entrypoint waits for that registration, plain `environment`. */
    registrationTimeout: 'CONSUL_REGISTRATION_TIMEOUT_SECONDS',
  },
} as const;
