/**
 * What the local cloud must be told about the product it runs: names the product chooses, which neither AWS nor
 * Consul fixes. The local cloud knows AWS and Consul and imports nothing of the product; the product passes these in
 * from one wiring module (`cli/local-cloud.ts`), as a deployment passes parameters to a stack.
 */
export interface ProductConventions {
  /**
   * The ECS service whose tasks run the Consul servers (in every cluster of a region). A datacenter has a leader only
   * while a quorum of them runs, and the `stop-consul-servers` fault crashes them.
   */
  consulServerService: string;
  /**
   * Names of the Consul server container's `secrets` (the environment variables ECS fills from SSM at task start):
   * the emulated servers read the same parameters a real server's entrypoint would.
   */
  serverSecrets: {
    /** The gossip encryption key (`encrypt`). */
    gossipKey: string;
    /** The ACL bootstrap (`initial_management`) token. */
    bootstrapToken: string;
    /** The CA certificate; the dataplanes' container uses the same name. */
    caCert: string;
  };
  /**
   * Where the Consul server image's entrypoint writes the token its health check reads (autopilot's server health
   * needs `operator:read`): the emulated health check reads the same file of the task.
   */
  serverHealthCheckTokenFile: string;
  /** What a value of serverless.yml's `meshName` parameter must look like, and the hint a refused one gets. */
  meshName: { pattern: RegExp; hint: string };
}
