/**
 * What the container images' entrypoints and the task definitions must agree on with the rendered configuration:
 * file paths inside the containers and the environment variables values arrive in at start.
 *
 * Values that come from SSM Parameter Store (the rendered files, and the SecureString secrets) are injected by ECS
 * at task start through the container definition's `secrets` (`{ name, valueFrom: <parameter name> }`): ECS reads
 * the parameter (decrypting a SecureString) just before it starts the container, so no value is ever in a task
 * definition, an image or this repository. The entrypoint then writes each value where the table below says,
 * with mode 0600, before it execs Consul or consul-dataplane.
 */

/** Paths and variables of the Consul server container (the official image's layout: /consul/config, /consul/data). */
export const SERVER_RUNTIME = {
  /** Consul is started with `consul agent -config-dir=<configDir>`: it loads every `.hcl`/`.json` file there (not subdirectories). */
  configDir: '/consul/config',
  /** The rendered `consul.hcl` (renderServerHcl), from SSM. */
  configFile: '/consul/config/consul.hcl',
  /** The secrets fragment (renderServerSecretsTemplate after substitution), written at start, mode 0600. */
  secretsFile: '/consul/config/secrets.hcl',
  dataDir: '/consul/data',
  /** The CA certificate (SSM SecureString), written at start. */
  caFile: '/consul/config/tls/ca.pem',
  /** The server certificate and key, issued at start with the CA key (`consul tls cert create -server`). */
  certFile: '/consul/config/tls/server.pem',
  keyFile: '/consul/config/tls/server-key.pem',
  /** The CA key, needed only to issue the server certificate; the entrypoint deletes it once the certificate exists. */
  caKeyFile: '/consul/secrets/ca-key.pem',
  env: {
    /** The rendered consul.hcl (ECS `secrets` → the SSM String parameter configParameterNames(spec).serverHcl). */
    serverHcl: 'CONSUL_SERVER_HCL',
    /** The secrets template (renderServerSecretsTemplate), a plain environment variable: it holds no secret. */
    secretsTemplate: 'CONSUL_SECRETS_TEMPLATE',
    gossipKey: 'CONSUL_GOSSIP_KEY',
    bootstrapToken: 'CONSUL_ACL_BOOTSTRAP_TOKEN',
    caCert: 'CONSUL_CA_CERT_PEM',
    caKey: 'CONSUL_CA_KEY_PEM',
  },
} as const;

/** Paths and variables of the consul-dataplane container (one per service task, and the ingress gateway's). */
export const DATAPLANE_RUNTIME = {
  /** consul-dataplane only accepts a `-config-file` whose name ends in `.json`. */
  configFile: '/consul/dataplane/config.json',
  caFile: '/consul/dataplane/tls/ca.pem',
  env: {
    /** The rendered dataplane JSON (ECS `secrets` → the SSM String parameter configParameterNames(spec).dataplane(name)). */
    config: 'CONSUL_DATAPLANE_CONFIG_JSON',
    caCert: 'CONSUL_CA_CERT_PEM',
    /**
     * consul-dataplane reads its static ACL token from this variable itself (flag `-static-token`). Environment
     * values take precedence over the config file, and the token never touches a file.
     */
    staticToken: 'DP_CREDENTIAL_STATIC_TOKEN',
    /** consul-dataplane reads the proxy's service ID from this variable itself (flag `-proxy-id`); set by the entrypoint. */
    proxyId: 'DP_PROXY_ID',
    /** The proxy ID with a `${TASK_ID}` placeholder; the entrypoint substitutes the task's ID and exports DP_PROXY_ID. */
    proxyIdTemplate: 'MESH_PROXY_ID_TEMPLATE',
  },
  /** The placeholder in the proxy ID template. */
  taskIdPlaceholder: '${TASK_ID}',
} as const;
