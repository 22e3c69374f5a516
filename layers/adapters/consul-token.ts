import { createConsulClient, type ConsulApi, type ConsulClientOptions } from './consul';
import type { SsmApi } from './ssm';

/**
 * A Consul client whose ACL token is read from SSM (SecureString, decrypted) on first use and kept for the
 * container's life. Without a token parameter (ACLs off) it sends no token. The token is never logged.
 * `create` builds the client (the catalog client by default; the ACL step passes its ACL client).
 */
export function consulFromSsm<T = ConsulApi>(options: {
  address: string;
  tokenParameter?: string;
  ssm: Pick<SsmApi, 'getParameter'>;
  create?: (options: ConsulClientOptions) => T;
}): () => Promise<T> {
  const create = options.create ?? (createConsulClient as unknown as (options: ConsulClientOptions) => T);
  let client: Promise<T> | undefined;
  return () =>
    (client ??= (async () => {
      let token: string | undefined;
      if (options.tokenParameter) {
        try {
          token = (await options.ssm.getParameter(options.tokenParameter, { decrypt: true }))?.Value;
        } catch (error) {
          // No token yet (the mesh's first deployment creates it): talk without one; Consul will say if it minds.
          if ((error as Error).name !== 'ParameterNotFound') throw error;
        }
      }
      // Keep the client only once it has its token, so a token created later is picked up.
      if (options.tokenParameter && !token) client = undefined;
      return create({ address: options.address, token });
    })().catch((error) => {
      client = undefined;
      throw error;
    }));
}
