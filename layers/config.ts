import { z } from 'zod';
import { ConfigError } from './errors';

/**
 * Configuration read from the environment once, at cold start, and validated: a missing or malformed key fails
 * the init with a `ConfigError` naming the key, instead of a confusing failure on the first request.
 * Endpoints are not configured here: the AWS SDK resolves `AWS_ENDPOINT_URL` and the region itself.
 */
const EnvSchema = z.object({
  MESH_NAME: z.string().min(1).optional(),
  /** Base URL of the Consul HTTP API the functions talk to (a stable internal address on AWS). */
  CONSUL_HTTP_ADDR: z.url().optional(),
  /** SSM parameter holding the orchestrator's Consul ACL token (SecureString). */
  CONSUL_TOKEN_PARAMETER: z.string().startsWith('/').optional(),
  /** SSM prefix under which rendered configuration is stored. */
  SSM_PREFIX: z.string().startsWith('/').default('/consul-mesh'),
  DEPLOY_STATE_MACHINE_ARN: z.string().startsWith('arn:').optional(),
  ROLLOUT_STATE_MACHINE_ARN: z.string().startsWith('arn:').optional(),
  CODEBUILD_PROJECT: z.string().min(1).optional(),
  MESH_API_TOKEN: z.string().min(16).optional(),
  LOG_LEVEL: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR']).default('INFO'),
});

export type Config = z.output<typeof EnvSchema>;

/**
 * Reads and validates the environment. `required` lists the keys this function cannot run without.
 * @example const config = readConfig(process.env, ['CONSUL_HTTP_ADDR']);
 */
export function readConfig<K extends keyof Config>(env: NodeJS.ProcessEnv, required: readonly K[] = []): Config & Required<Pick<Config, K>> {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`environment variable ${String(issue.path[0])} is invalid: ${issue.message}`);
  }
  for (const key of required) {
    if (parsed.data[key] === undefined) throw new ConfigError(`environment variable ${String(key)} is required`);
  }
  return parsed.data as Config & Required<Pick<Config, K>>;
}
