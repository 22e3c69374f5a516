/**
 * The typed view of a resolved `serverless.yml`: what the local cloud deploys and runs.
 */

/** `httpApi: 'GET /items/{id}'` or `{method, path, authorizer}`; `*` is the `$default` catch-all route. */
export interface HttpApiEvent {
  readonly type: 'httpApi';
  /** Upper-case; `ANY` for `*`. */
  readonly method: string;
  /** `/items/{id}`, `/files/{proxy+}`, or `*` for the catch-all route. */
  readonly path: string;
  /** API Gateway's route key: `GET /items/{id}`, or `$default` for `*`. */
  readonly routeKey: string;
  readonly authorizer?: { readonly name: string; readonly scopes: readonly string[] } | { readonly type: 'aws_iam' };
}

/** An EventBridge rule targeting the function (`pattern` and/or `schedule`). */
export interface EventBridgeEvent {
  readonly type: 'eventBridge';
  readonly pattern?: Readonly<Record<string, unknown>>;
  readonly schedule?: string;
  readonly eventBus?: unknown;
  readonly name?: string;
  readonly description?: string;
  readonly enabled: boolean;
  readonly input?: unknown;
  readonly inputPath?: string;
  readonly inputTransformer?: { readonly inputTemplate: string; readonly inputPathsMap?: Readonly<Record<string, string>> };
  readonly retryPolicy?: { readonly maximumEventAge?: number; readonly maximumRetryAttempts?: number };
  readonly deadLetterQueueArn?: unknown;
}

/** A `schedule` event: one rule per rate/cron expression. */
export interface ScheduleEvent {
  readonly type: 'schedule';
  readonly rate: readonly string[];
  readonly enabled: boolean;
  readonly name?: string;
  readonly description?: string;
  readonly input?: unknown;
  readonly inputPath?: string;
  readonly inputTransformer?: { readonly inputTemplate: string; readonly inputPathsMap?: Readonly<Record<string, string>> };
}

/** Any other trigger (`sqs`, `s3`, ...): kept so nothing is silently dropped, not run locally. */
export interface OtherEvent {
  readonly type: 'other';
  readonly name: string;
  readonly raw: unknown;
}

export type FunctionEvent = HttpApiEvent | EventBridgeEvent | ScheduleEvent | OtherEvent;

export interface FunctionConfig {
  /** The key under `functions:`. */
  readonly key: string;
  /** The deployed function name (`name`, else `<service>-<stage>-<key>`). */
  readonly name: string;
  /** `arn:aws:lambda:<region>:000000000000:function:<name>`. */
  readonly arn: string;
  /** `WorkLambdaFunction`. */
  readonly logicalId: string;
  /** As written: `functions/steps/build.handler`. */
  readonly handler: string;
  /** Absolute module path without extension: `<appDir>/functions/steps/build`. */
  readonly handlerModule: string;
  /** The export called: `handler`. */
  readonly handlerExport: string;
  /** `provider.environment` merged with the function's own (the function wins), intrinsics resolved. */
  readonly environment: Readonly<Record<string, string>>;
  /** Seconds; the function's, else `provider.timeout`, else 6 (AWS's and Serverless' default). */
  readonly timeout: number;
  /** MB; the function's, else `provider.memorySize`, else 1024 (Serverless' default). */
  readonly memorySize: number;
  readonly runtime?: string;
  /** Async invocation settings (`maximumRetryAttempts` 0–2, `maximumEventAge` seconds, `destinations`). */
  readonly maximumRetryAttempts?: number;
  readonly maximumEventAge?: number;
  readonly destinations?: { readonly onSuccess?: unknown; readonly onFailure?: unknown };
  readonly events: readonly FunctionEvent[];
}

export interface StateMachineConfig {
  /** The key under `stepFunctions.stateMachines:`. */
  readonly key: string;
  /** `name`, else the logical id (on AWS CloudFormation would append a random suffix). */
  readonly name: string;
  readonly logicalId: string;
  /** `arn:aws:states:<region>:000000000000:stateMachine:<name>`. */
  readonly arn: string;
  readonly type: 'STANDARD' | 'EXPRESS';
  /** The ASL, with every function reference resolved to the local function's ARN or name. */
  readonly definition: Readonly<Record<string, unknown>>;
}

/** An entry of `provider.httpApi.authorizers`. */
export interface HttpApiAuthorizerConfig {
  readonly name: string;
  readonly type: 'request' | 'jwt';
  /** Request authorizers: the key of the function in `functions:` ... */
  readonly functionKey?: string;
  /** ... or its ARN (`functionArn`). */
  readonly functionArn?: string;
  /** `$request.header.Authorization`, `$request.querystring.token`, ... */
  readonly identitySource: readonly string[];
  readonly enableSimpleResponses: boolean;
  readonly payloadVersion: '1.0' | '2.0';
  /** 0 disables caching of the authorizer's answer. */
  readonly resultTtlInSeconds: number;
  /** JWT authorizers. */
  readonly issuerUrl?: string;
  readonly audience: readonly string[];
}

export interface ServerlessConfig {
  readonly appDir: string;
  readonly service: string;
  readonly stage: string;
  readonly region: string;
  readonly accountId: string;
  readonly functions: readonly FunctionConfig[];
  readonly stepFunctions: { readonly stateMachines: readonly StateMachineConfig[] };
  readonly httpApi: { readonly authorizers: readonly HttpApiAuthorizerConfig[] };
  /** The whole resolved document, for anything not modelled here. */
  readonly raw: Readonly<Record<string, unknown>>;
}

/** The function with this key, or undefined. */
export function findFunction(config: ServerlessConfig, key: string): FunctionConfig | undefined {
  return config.functions.find((fn) => fn.key === key);
}
