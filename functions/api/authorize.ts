import { createAwsClients, ssmClient } from '../../layers/adapters/aws';
import { authorizeRequest, createTokenSource } from '../../layers/api/auth';
import { AuthorizerEventSchema } from '../../layers/api/authorizer-event';
import { lazy } from '../../layers/handler-kit';
import { createLogger } from '../../layers/logger';

const deps = lazy(() => ({
  tokens: createTokenSource({
    // MESH_API_TOKEN: set only in the local cloud's environment; LOCAL_API_TOKEN: the local stage's documented
    // default (empty on AWS, where the token is the SSM SecureString API_TOKEN_PARAMETER).
    envToken: process.env.MESH_API_TOKEN || process.env.LOCAL_API_TOKEN,
    parameterName: process.env.API_TOKEN_PARAMETER,
    ssm: createAwsClients({ ssm: ssmClient }).ssm,
  }),
  logger: createLogger('api-authorizer'),
}));

/**
 * The HTTP API's Lambda REQUEST authorizer (payload 2.0, simple responses): `Authorization: Bearer <token>`
 * against the configured token (see layers/api/auth.ts). API Gateway answers 401 itself when the header is
 * missing, and 403 when this answers `isAuthorized: false`. Logs the route and the reason, never the header.
 */
export async function handler(event: unknown) {
  const { tokens, logger } = deps();
  const parsed = AuthorizerEventSchema.safeParse(event);
  if (!parsed.success) {
    logger.warn('refused: not an HTTP API authorizer event');
    return { isAuthorized: false };
  }
  const { identitySource, headers, routeKey } = parsed.data;
  const { answer, reason } = await authorizeRequest(identitySource?.[0] ?? headers?.authorization, tokens);
  // A refusal is a security signal worth a warning: which route and why, never the header.
  if (!answer.isAuthorized) logger.warn('refused', { route: routeKey, reason });
  return answer;
}
