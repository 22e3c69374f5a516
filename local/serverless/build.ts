/**
 * From the resolved document `serverless print` produced to the typed `ServerlessConfig`: defaults applied the
 * way Serverless and AWS apply them, environments merged, CloudFormation references resolved to local resources.
 */
import { join } from 'node:path';
import { LOCAL_ACCOUNT_ID } from '../aws/protocol';
import { ServerlessConfigError } from './errors';
import { parseFunctionEvent } from './events';
import { resolveIntrinsics, resourceTypesOf, type IntrinsicContext, type LocalResource } from './intrinsics';
import type { FunctionConfig, FunctionEvent, HttpApiAuthorizerConfig, ServerlessConfig, StateMachineConfig } from './model';
import { defaultFunctionName, functionLogicalId, stackName, stateMachineLogicalId } from './naming';
import { describeIssues, serverlessSchema, type RawAuthorizer, type RawFunction, type RawServerless } from './schema';

/** AWS Lambda's default timeout (seconds), also Serverless'. */
export const DEFAULT_TIMEOUT_SECONDS = 6;
/** Serverless' default memory size (MB). */
export const DEFAULT_MEMORY_MB = 1024;

export interface BuildOptions {
  readonly appDir: string;
  /** Resolves references to resources of `resources:` (queues, buses...) the local cloud provides elsewhere. */
  readonly resolveExternal?: IntrinsicContext['resolveExternal'];
}

export const lambdaArn = (region: string, name: string) => `arn:aws:lambda:${region}:${LOCAL_ACCOUNT_ID}:function:${name}`;
export const stateMachineArn = (region: string, name: string) => `arn:aws:states:${region}:${LOCAL_ACCOUNT_ID}:stateMachine:${name}`;

const asList = (value: string | string[] | undefined): string[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** Resources `Ref`/`Fn::GetAtt` may name: functions by logical id and by key, state machines by logical id. */
function localResources(raw: RawServerless, service: string, region: string): Map<string, LocalResource> {
  const resources = new Map<string, LocalResource>();
  for (const [key, fn] of Object.entries(raw.functions ?? {})) {
    const name = fn.name ?? defaultFunctionName(service, raw.provider.stage, key);
    const resource = { ref: name, attributes: { Arn: lambdaArn(region, name) } };
    resources.set(functionLogicalId(key), resource);
    // serverless-step-functions translates a function key to its logical id before CloudFormation sees it.
    if (!resources.has(key)) resources.set(key, resource);
  }
  for (const [key, machine] of Object.entries(raw.stepFunctions?.stateMachines ?? {})) {
    const logicalId = stateMachineLogicalId(key, machine);
    const name = machine.name ?? logicalId;
    const arn = stateMachineArn(region, name);
    resources.set(logicalId, { ref: arn, attributes: { Arn: arn, Name: name } });
  }
  return resources;
}

function environmentOf(values: RawFunction['environment'], ctx: IntrinsicContext, path: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(values ?? {})) {
    const resolved = resolveIntrinsics(value, ctx, `${path}.${name}`);
    if (typeof resolved === 'object' && resolved !== null) {
      throw new ServerlessConfigError(`${path}.${name}: an environment value must resolve to a string`);
    }
    env[name] = String(resolved);
  }
  return env;
}

function buildFunction(key: string, fn: RawFunction, raw: RawServerless, service: string, ctx: IntrinsicContext, appDir: string): FunctionConfig {
  const path = `functions.${key}`;
  const name = fn.name ?? defaultFunctionName(service, raw.provider.stage, key);
  const dot = fn.handler.lastIndexOf('.');
  return {
    key,
    name,
    arn: lambdaArn(ctx.region, name),
    logicalId: functionLogicalId(key),
    handler: fn.handler,
    handlerModule: join(appDir, fn.handler.slice(0, dot)),
    handlerExport: fn.handler.slice(dot + 1),
    environment: {
      ...environmentOf(raw.provider.environment, ctx, 'provider.environment'),
      ...environmentOf(fn.environment, ctx, `${path}.environment`),
    },
    timeout: fn.timeout ?? raw.provider.timeout ?? DEFAULT_TIMEOUT_SECONDS,
    memorySize: fn.memorySize ?? raw.provider.memorySize ?? DEFAULT_MEMORY_MB,
    runtime: typeof fn.runtime === 'string' ? fn.runtime : raw.provider.runtime,
    maximumRetryAttempts: fn.maximumRetryAttempts,
    maximumEventAge: fn.maximumEventAge,
    destinations: fn.destinations,
    events: (fn.events ?? []).map((event, index) => resolvePattern(parseFunctionEvent(event, `${path}.events[${index}]`), ctx, `${path}.events[${index}].eventBridge.pattern`)),
  };
}

/**
 * CloudFormation resolves intrinsics inside a rule's `EventPattern` (a JSON property), e.g. a state machine's ARN as
 * `!Ref DeployMeshStateMachine`: the local rule gets the local resource's value.
 */
function resolvePattern(event: FunctionEvent, ctx: IntrinsicContext, path: string): FunctionEvent {
  if (event.type !== 'eventBridge' || !event.pattern) return event;
  return { ...event, pattern: resolveIntrinsics(event.pattern, ctx, path) as Record<string, unknown> };
}

/** Wait `Seconds` given as an intrinsic arrive as strings; serverless-step-functions unquotes them. */
function unquoteWaitSeconds(node: unknown): void {
  if (node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) return node.forEach(unquoteWaitSeconds);
  const record = node as Record<string, unknown>;
  if (record.Type === 'Wait' && typeof record.Seconds === 'string' && /^\d+$/.test(record.Seconds)) record.Seconds = Number(record.Seconds);
  Object.values(record).forEach(unquoteWaitSeconds);
}

function buildStateMachines(raw: RawServerless, ctx: IntrinsicContext): StateMachineConfig[] {
  return Object.entries(raw.stepFunctions?.stateMachines ?? {}).map(([key, machine]) => {
    const path = `stepFunctions.stateMachines.${key}.definition`;
    const logicalId = stateMachineLogicalId(key, machine);
    const name = machine.name ?? logicalId;
    let source: unknown = machine.definition;
    if (typeof source === 'string') {
      try {
        source = JSON.parse(source);
      } catch (error) {
        throw new ServerlessConfigError(`${path}: not valid JSON`, { cause: error });
      }
    }
    const definition = resolveIntrinsics(source, ctx, path);
    if (definition === null || typeof definition !== 'object' || Array.isArray(definition)) {
      throw new ServerlessConfigError(`${path}: expected an object`);
    }
    unquoteWaitSeconds(definition);
    return { key, name, logicalId, arn: stateMachineArn(ctx.region, name), type: machine.type ?? 'STANDARD', definition };
  });
}

function buildAuthorizer(name: string, authorizer: RawAuthorizer, raw: RawServerless): HttpApiAuthorizerConfig {
  const path = `provider.httpApi.authorizers.${name}`;
  const type = authorizer.type ?? 'jwt';
  if (type === 'request') {
    if (!authorizer.functionName === !authorizer.functionArn) {
      throw new ServerlessConfigError(`${path}: set exactly one of "functionName" or "functionArn"`);
    }
    if (authorizer.functionName && !raw.functions?.[authorizer.functionName]) {
      throw new ServerlessConfigError(`${path}.functionName: no function "${authorizer.functionName}" in functions`);
    }
    if (typeof authorizer.functionArn === 'object') {
      throw new ServerlessConfigError(`${path}.functionArn: intrinsics are not supported here locally; use functionName`);
    }
  } else if (!authorizer.issuerUrl || asList(authorizer.audience).length === 0) {
    throw new ServerlessConfigError(`${path}: a JWT authorizer needs "issuerUrl" and "audience"`);
  }
  return {
    name,
    type,
    functionKey: authorizer.functionName,
    functionArn: typeof authorizer.functionArn === 'string' ? authorizer.functionArn : undefined,
    identitySource: asList(authorizer.identitySource),
    enableSimpleResponses: authorizer.enableSimpleResponses ?? false,
    payloadVersion: authorizer.payloadVersion ?? '2.0',
    resultTtlInSeconds: authorizer.resultTtlInSeconds ?? 0,
    issuerUrl: authorizer.issuerUrl,
    audience: asList(authorizer.audience),
  };
}

/** Validates the document and builds the typed view. Throws `ServerlessConfigError` naming the bad key. */
export function buildServerlessConfig(document: Record<string, unknown>, options: BuildOptions): ServerlessConfig {
  const parsed = serverlessSchema.safeParse(document);
  if (!parsed.success) throw new ServerlessConfigError(`serverless.yml is not usable locally: ${describeIssues(parsed.error)}`);
  const raw = parsed.data;
  const service = typeof raw.service === 'string' ? raw.service : raw.service.name;
  const { stage, region } = raw.provider;
  const ctx: IntrinsicContext = {
    region,
    accountId: LOCAL_ACCOUNT_ID,
    stackName: stackName(service, stage),
    resources: localResources(raw, service, region),
    resourceTypes: resourceTypesOf((document.resources as { Resources?: unknown } | undefined)?.Resources),
    resolveExternal: options.resolveExternal,
  };
  const functions = Object.entries(raw.functions ?? {}).map(([key, fn]) => buildFunction(key, fn, raw, service, ctx, options.appDir));
  const authorizers = Object.entries(raw.provider.httpApi?.authorizers ?? {}).map(([name, a]) => buildAuthorizer(name, a, raw));
  for (const fn of functions) {
    for (const event of fn.events) {
      if (event.type === 'httpApi' && event.authorizer && 'name' in event.authorizer) {
        const wanted = event.authorizer.name;
        if (!authorizers.some((a) => a.name === wanted)) {
          throw new ServerlessConfigError(`functions.${fn.key}: the httpApi event ${event.routeKey} references the unknown authorizer "${wanted}"`);
        }
      }
    }
  }
  return {
    appDir: options.appDir,
    service,
    stage,
    region,
    accountId: LOCAL_ACCOUNT_ID,
    functions,
    stepFunctions: { stateMachines: buildStateMachines(raw, ctx) },
    httpApi: { authorizers },
    raw: document,
  };
}
