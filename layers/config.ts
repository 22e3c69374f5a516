import * as z from 'zod/mini';
import { ConfigError } from './errors';

/**
 * Configuration read from the environment once, at cold start, and validated: a missing or malformed key fails
 * the init with a `ConfigError` naming the key, instead of a confusing failure on the first request.
 * Endpoints are not configured here: the AWS SDK resolves `AWS_ENDPOINT_URL` and the region itself.
 */
const EnvSchema = z.object({
  MESH_NAME: z.optional(z.string().check(z.minLength(1))),
  /** Base URL of the Consul HTTP API the functions talk to (a stable internal address on AWS). */
  CONSUL_HTTP_ADDR: z.optional(z.url()),
  /** SSM parameter holding the orchestrator's Consul ACL token (SecureString). */
  CONSUL_TOKEN_PARAMETER: z.optional(z.string().check(z.startsWith('/'))),
  /**
   * The orchestrator's token parameter, for the one function whose CONSUL_TOKEN_PARAMETER is the management token
   * (the datacenter recovery) and which then reconciles with the orchestrator's own token.
   */
  ORCHESTRATOR_TOKEN_PARAMETER: z.optional(z.string().check(z.startsWith('/'))),
  /** SSM prefix under which rendered configuration is stored. */
  SSM_PREFIX: z._default(z.string().check(z.startsWith('/')), '/consul-mesh'),
  /** The SSM path of the services' own secrets besides the mesh's prefix (serverless.yml's `appSecretsPath`). */
  APP_SECRETS_PATH: z.optional(z.string()),
  /** The region the functions run in (set by Lambda): the stack's, which a deployed spec's `region` must be. */
  AWS_REGION: z.optional(z.string()),
  DEPLOY_STATE_MACHINE_ARN: z.optional(z.string().check(z.startsWith('arn:'))),
  ROLLOUT_STATE_MACHINE_ARN: z.optional(z.string().check(z.startsWith('arn:'))),
  ROTATE_STATE_MACHINE_ARN: z.optional(z.string().check(z.startsWith('arn:'))),
  DESTROY_STATE_MACHINE_ARN: z.optional(z.string().check(z.startsWith('arn:'))),
  CODEBUILD_PROJECT: z.optional(z.string().check(z.minLength(1))),
  /** The bucket of build contexts (`contexts/<contentHash>.zip`), the stack's BuildSourceBucket. */
  BUILD_SOURCE_BUCKET: z.optional(z.string().check(z.minLength(3))),
  /** The role ECS uses to start every task of the mesh: pull images, read SSM secrets, write to the mesh's log group. */
  TASK_EXECUTION_ROLE_ARN: z.optional(z.string().check(z.startsWith('arn:'))),
  /**
   * What the containers of each kind of task may do, one role per kind (least privilege): the Consul servers'
   * (cloud auto-join lists and describes the server cluster's tasks), the ingress gateway's and the mesh services'.
   */
  SERVER_TASK_ROLE_ARN: z.optional(z.string().check(z.startsWith('arn:'))),
  GATEWAY_TASK_ROLE_ARN: z.optional(z.string().check(z.startsWith('arn:'))),
  SERVICE_TASK_ROLE_ARN: z.optional(z.string().check(z.startsWith('arn:'))),
  AWS_ACCOUNT_ID: z.optional(z.string().check(z.regex(/^\d{12}$/, 'must be a 12-digit account id'))),
  /** Comma-separated subnet and security group ids for awsvpc tasks when the spec names none. */
  MESH_SUBNETS: z.optional(z.string()),
  MESH_SECURITY_GROUPS: z.optional(z.string()),
  /** The Cloud Map service ARN the Consul server tasks register in. */
  SERVER_REGISTRY_ARN: z.optional(z.string().check(z.startsWith('arn:'))),
  /**
   * The log groups GET /activity reads (the task-event and reconcile functions', `/aws/lambda/<function name>`),
   * comma-separated; without it the route answers an empty list.
   */
  ACTIVITY_LOG_GROUPS: z.optional(z.string()),
  /** Seconds between polls of the deploy wait loops, and the rounds before a stage times out. */
  POLL_SECONDS: z._default(z.coerce.number().check(z.int()).check(z.gte(0)).check(z.lte(300)), 10),
  MAX_ROUNDS: z._default(z.coerce.number().check(z.int()).check(z.gte(1)).check(z.lte(1000)), 90),
  LOG_LEVEL: z._default(z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT']), 'INFO'),
  /** Clusters the scheduled reconcile works on at the same time (each costs ECS List/Describe calls and Consul reads). */
  RECONCILE_CONCURRENCY: z._default(z.coerce.number().check(z.int()).check(z.gte(1)).check(z.lte(32)), 4),
  /** How long a container trusts its cached copy of the deployed spec before checking Consul's ModifyIndex again. */
  SPEC_CACHE_SECONDS: z._default(z.coerce.number().check(z.int()).check(z.gte(0)).check(z.lte(300)), 10),
});

export type Config = z.output<typeof EnvSchema>;

/** Splits a comma-separated list variable, dropping blanks. */
export function listOf(value: string | undefined): string[] {
  return (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

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
