/**
 * Local resolution of the CloudFormation intrinsics `serverless.yml` and its ASL files may contain.
 *
 * On AWS, CloudFormation resolves `{"Fn::GetAtt": ["work", "Arn"]}` in a state machine definition (after
 * serverless-step-functions has translated the function key `work` to its logical id `WorkLambdaFunction`) and
 * `{"Ref": "DeployStateMachine"}` in a function's environment. Locally every such resource has a predictable name
 * and ARN, so the same references resolve to the local ones. Supported: `Ref`, `Fn::GetAtt`, `Fn::Sub` (both
 * forms), `Fn::Join`, `Fn::Select`, the pseudo parameters and serverless-step-functions' `#{AWS::Region}` syntax.
 */
import { ServerlessConfigError } from './errors';

/** A resource the local cloud knows: what `Ref` returns and the attributes `Fn::GetAtt` can read. */
export interface LocalResource {
  readonly ref: string;
  readonly attributes: Readonly<Record<string, string>>;
}

export interface IntrinsicContext {
  readonly region: string;
  readonly accountId: string;
  readonly stackName: string;
  /** By logical id (and, for functions, also by their key in `functions:`, as serverless-step-functions allows). */
  readonly resources: ReadonlyMap<string, LocalResource>;
  /** The CloudFormation type of each resource of the template (`AWS::SQS::Queue`), handed to `resolveExternal`. */
  readonly resourceTypes?: ReadonlyMap<string, string>;
  /** Other resources (from `resources:`), resolved by the composition by their type: undefined when unknown. */
  readonly resolveExternal?: (logicalId: string, attribute?: string, type?: string) => string | undefined;
}

/** Logical id → `Type` of a template's `Resources` (serverless.yml's `resources.Resources`, a packaged template's). */
export function resourceTypesOf(resources: unknown): Map<string, string> {
  const types = new Map<string, string>();
  if (resources === null || typeof resources !== 'object') return types;
  for (const [id, resource] of Object.entries(resources as Record<string, unknown>)) {
    const type = (resource as { Type?: unknown } | null)?.Type;
    if (typeof type === 'string') types.set(id, type);
  }
  return types;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** An object whose only key is `Ref` or `Fn::*`: a CloudFormation intrinsic function. */
export function isIntrinsic(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'));
}

function pseudoParameter(name: string, ctx: IntrinsicContext): string | undefined {
  switch (name) {
    case 'AWS::Region':
      return ctx.region;
    case 'AWS::AccountId':
      return ctx.accountId;
    case 'AWS::Partition':
      return 'aws';
    case 'AWS::URLSuffix':
      return 'amazonaws.com';
    case 'AWS::StackName':
      return ctx.stackName;
    default:
      return undefined;
  }
}

function ref(logicalId: string, ctx: IntrinsicContext, path: string): string {
  const value = pseudoParameter(logicalId, ctx) ?? ctx.resources.get(logicalId)?.ref ?? ctx.resolveExternal?.(logicalId, undefined, ctx.resourceTypes?.get(logicalId));
  if (value === undefined) throw new ServerlessConfigError(`${path}: {"Ref": "${logicalId}"} names no resource the local cloud knows`);
  return value;
}

function getAtt(logicalId: string, attribute: string, ctx: IntrinsicContext, path: string): string {
  const value = ctx.resources.get(logicalId)?.attributes[attribute] ?? ctx.resolveExternal?.(logicalId, attribute, ctx.resourceTypes?.get(logicalId));
  if (value === undefined) {
    throw new ServerlessConfigError(`${path}: {"Fn::GetAtt": ["${logicalId}", "${attribute}"]} names no resource attribute the local cloud knows`);
  }
  return value;
}

/** `${Name}`, `${Name.Attribute}` and the literal `${!Text}` of `Fn::Sub`. */
function substitute(template: string, variables: Record<string, string>, ctx: IntrinsicContext, path: string): string {
  return template.replace(/\$\{([^}]+)\}/g, (_whole, name: string) => {
    if (name.startsWith('!')) return `\${${name.slice(1)}}`;
    if (name in variables) return variables[name];
    const dot = name.indexOf('.');
    return dot > 0 && !name.startsWith('AWS::') ? getAtt(name.slice(0, dot), name.slice(dot + 1), ctx, path) : ref(name, ctx, path);
  });
}

function asString(value: Json, path: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new ServerlessConfigError(`${path}: expected an intrinsic that yields a string, got ${JSON.stringify(value)}`);
}

function resolveFunction(intrinsic: Record<string, unknown>, ctx: IntrinsicContext, path: string): Json {
  const [name, argument] = Object.entries(intrinsic)[0];
  const arg = resolveIntrinsics(argument, ctx, `${path}.${name}`);
  switch (name) {
    case 'Ref':
      return ref(asString(arg, path), ctx, path);
    case 'Fn::GetAtt': {
      const [logicalId, attribute] = Array.isArray(arg) ? arg : asString(arg, path).split(/\.(.*)/s);
      return getAtt(asString(logicalId, path), asString(attribute ?? '', path), ctx, path);
    }
    case 'Fn::Sub': {
      if (typeof arg === 'string') return substitute(arg, {}, ctx, path);
      if (Array.isArray(arg) && typeof arg[0] === 'string') {
        const variables = Object.fromEntries(Object.entries((arg[1] ?? {}) as Record<string, Json>).map(([k, v]) => [k, asString(v, path)]));
        return substitute(arg[0], variables, ctx, path);
      }
      break;
    }
    case 'Fn::Join':
      if (Array.isArray(arg) && typeof arg[0] === 'string' && Array.isArray(arg[1])) {
        return arg[1].map((part) => asString(part, path)).join(arg[0]);
      }
      break;
    case 'Fn::Select':
      if (Array.isArray(arg) && Array.isArray(arg[1])) {
        const selected = arg[1][Number(arg[0])];
        if (selected !== undefined) return selected;
      }
      break;
  }
  throw new ServerlessConfigError(`${path}: the intrinsic ${JSON.stringify({ [name]: argument })} cannot be resolved locally`);
}

/**
 * A copy of `value` with every intrinsic replaced by its local value and `#{AWS::...}` pseudo parameters
 * substituted in strings. `path` names the location in errors (`stepFunctions.stateMachines.deploy.definition`).
 */
export function resolveIntrinsics(value: unknown, ctx: IntrinsicContext, path: string): Json {
  if (isIntrinsic(value)) return resolveFunction(value, ctx, path);
  if (typeof value === 'string') return value.includes('#{') ? value.replace(/#\{([^}]+)\}/g, (_w, name: string) => ref(name, ctx, path)) : value;
  if (Array.isArray(value)) return value.map((item, index) => resolveIntrinsics(item, ctx, `${path}[${index}]`));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolveIntrinsics(item, ctx, `${path}.${key}`)]));
  }
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return value;
  throw new ServerlessConfigError(`${path}: ${typeof value} is not a JSON value`);
}
