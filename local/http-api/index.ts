/** The local API Gateway HTTP API (payload format 2.0). */
export { HttpApiServer, type HttpApiServerOptions } from './server';
export type { FunctionInvoker } from './authorizers';
export { signLocalJwt } from './jwt';
export { buildRoutes, matchRoute, type Route } from './routes';
export type { HttpApiEventV2, HttpApiAuthorizerEventV2, AuthorizerContext } from './event';
