/**
 * Authorization of HTTP API routes, as API Gateway performs it before calling the route's function.
 *
 * Lambda REQUEST authorizers (payload format 2.0): a missing identity source is 401 without calling the
 * authorizer; otherwise the authorizer function gets the authorizer event and answers either a simple response
 * (`{isAuthorized, context}`, when `enableSimpleResponses`) or an IAM policy; a denial is 403, an authorizer that
 * fails or answers something else is 500. Answers are cached per identity-source values for
 * `resultTtlInSeconds` (0 disables the cache). The authorizer's `context` reaches the route's function in
 * `requestContext.authorizer.lambda`.
 *
 * JWT authorizers: see `jwt.ts`. The claims reach the function in `requestContext.authorizer.jwt`.
 * Routes with `aws_iam` authorization are refused with 403: SigV4-signed calls to the HTTP API are not emulated.
 */
import type { HttpApiAuthorizerConfig } from '../serverless/model';
import { buildAuthorizerEvent, routeArn, type ApiIdentity, type AuthorizerContext } from './event';
import { resolveIdentitySources } from './identity-source';
import { claimsAsStrings, verifyLocalJwt } from './jwt';
import { policyAllows } from './policy';
import type { ApiRequest } from './request';
import { GATEWAY, type HttpResponse } from './response';
import type { Route } from './routes';

export type Authorization = { readonly allowed: true; readonly context?: AuthorizerContext } | { readonly allowed: false; readonly response: HttpResponse };

/** How the HTTP API reaches functions (the local `LambdaRuntime` fits). */
export interface FunctionInvoker {
  /**
   * Synchronous invocation. `reference` is the function's key in `serverless.yml` (routes, `functionName`
   * authorizers) or an ARN (`functionArn` authorizers); rejects with the function's error.
   */
  invoke(reference: string, event: unknown): Promise<unknown>;
}

export interface AuthorizerOptions {
  /** The HS256 secret local JWTs are signed with; without it every JWT is refused. */
  readonly jwtSecret?: string;
  readonly logger: (message: string, error?: unknown) => void;
}

interface CachedAnswer {
  readonly expires: number;
  readonly answer: unknown;
}

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
const deny = (response: HttpResponse): Authorization => ({ allowed: false, response });

export class Authorizers {
  private readonly byName = new Map<string, HttpApiAuthorizerConfig>();
  private readonly cache = new Map<string, CachedAnswer>();

  constructor(
    authorizers: readonly HttpApiAuthorizerConfig[],
    private readonly invoker: FunctionInvoker,
    private readonly options: AuthorizerOptions,
  ) {
    for (const authorizer of authorizers) {
      if (authorizer.type === 'request' && authorizer.payloadVersion !== '2.0') {
        throw new Error(`authorizer ${authorizer.name}: only payloadVersion 2.0 is supported by the local HTTP API`);
      }
      this.byName.set(authorizer.name, authorizer);
    }
  }

  async authorize(route: Route, request: ApiRequest, identity: ApiIdentity, pathParameters: Readonly<Record<string, string>>): Promise<Authorization> {
    const declared = route.authorizer;
    if (!declared) return { allowed: true };
    if (!('name' in declared)) return deny(GATEWAY.forbidden());
    const authorizer = this.byName.get(declared.name);
    if (!authorizer) return deny(GATEWAY.internalError());
    const sources = authorizer.identitySource.length > 0 ? authorizer.identitySource : authorizer.type === 'jwt' ? ['$request.header.Authorization'] : [];
    const values = resolveIdentitySources(sources, request, route.routeKey);
    if (!values) return deny(GATEWAY.unauthorized());
    if (authorizer.type === 'jwt') return this.authorizeJwt(authorizer, values[0], declared.scopes);
    return this.authorizeWithLambda(authorizer, route, request, identity, pathParameters, values);
  }

  private authorizeJwt(authorizer: HttpApiAuthorizerConfig, value: string, routeScopes: readonly string[]): Authorization {
    // API Gateway accepts the token with or without the `Bearer ` prefix.
    const token = value.replace(/^Bearer\s+/i, '');
    if (!this.options.jwtSecret) return deny(GATEWAY.unauthorized());
    const verdict = verifyLocalJwt(token, { secret: this.options.jwtSecret, issuer: authorizer.issuerUrl ?? '', audience: authorizer.audience });
    if (!verdict.valid) return deny(GATEWAY.unauthorized());
    if (routeScopes.length > 0 && !routeScopes.some((scope) => verdict.scopes.includes(scope))) return deny(GATEWAY.forbidden());
    return { allowed: true, context: { jwt: { claims: claimsAsStrings(verdict.claims), scopes: verdict.scopes.length > 0 ? verdict.scopes : null } } };
  }

  private async authorizeWithLambda(
    authorizer: HttpApiAuthorizerConfig,
    route: Route,
    request: ApiRequest,
    identity: ApiIdentity,
    pathParameters: Readonly<Record<string, string>>,
    identityValues: string[],
  ): Promise<Authorization> {
    const arn = routeArn(request, identity);
    // A cached answer is reused for any route; an IAM policy in it is evaluated against each route's ARN.
    const cacheKey = `${authorizer.name}\0${identityValues.join('\0')}`;
    const cached = authorizer.resultTtlInSeconds > 0 ? this.cache.get(cacheKey) : undefined;
    if (cached && cached.expires > Date.now()) return this.interpret(authorizer, cached.answer, arn);
    let answer: unknown;
    try {
      const event = buildAuthorizerEvent(request, identity, route.routeKey, pathParameters, identityValues);
      answer = await this.invoker.invoke(authorizer.functionArn ?? authorizer.functionKey ?? '', event);
    } catch (error) {
      this.options.logger(`authorizer ${authorizer.name} failed: ${error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error'}`);
      return deny(GATEWAY.internalError());
    }
    if (authorizer.resultTtlInSeconds > 0) this.cache.set(cacheKey, { expires: Date.now() + authorizer.resultTtlInSeconds * 1000, answer });
    return this.interpret(authorizer, answer, arn);
  }

  private interpret(authorizer: HttpApiAuthorizerConfig, answer: unknown, arn: string): Authorization {
    if (!isRecord(answer)) return this.malformed(authorizer);
    const context = answer.context === undefined || answer.context === null ? {} : answer.context;
    if (!isRecord(context)) return this.malformed(authorizer);
    let allowed: boolean | undefined;
    if (authorizer.enableSimpleResponses) allowed = typeof answer.isAuthorized === 'boolean' ? answer.isAuthorized : undefined;
    else allowed = policyAllows(answer.policyDocument, arn);
    if (allowed === undefined) return this.malformed(authorizer);
    return allowed ? { allowed: true, context: { lambda: context } } : deny(GATEWAY.forbidden());
  }

  private malformed(authorizer: HttpApiAuthorizerConfig): Authorization {
    this.options.logger(`authorizer ${authorizer.name} returned a response API Gateway cannot use`);
    return deny(GATEWAY.internalError());
  }
}
