import type { SSMClient } from '@aws-sdk/client-ssm';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { createConsulClient, type ConsulApi } from './consul';

/**
 * A Consul client whose ACL token is read from SSM (SecureString, decrypted) on first use and kept for the
 * container's life. Without a token parameter (ACLs off) it sends no token. The token is never logged.
 */
export function consulFromSsm(options: { address: string; tokenParameter?: string; ssm: Pick<SSMClient, 'send'> }): () => Promise<ConsulApi> {
  let client: Promise<ConsulApi> | undefined;
  return () =>
    (client ??= (async () => {
      let token: string | undefined;
      if (options.tokenParameter) {
        try {
          const { Parameter } = await options.ssm.send(new GetParameterCommand({ Name: options.tokenParameter, WithDecryption: true }));
          token = Parameter?.Value;
        } catch (error) {
          // No token yet (the mesh's first deployment creates it): talk without one; Consul will say if it minds.
          if ((error as Error).name !== 'ParameterNotFound') throw error;
        }
      }
      // Keep the client only once it has its token, so a token created later is picked up.
      if (options.tokenParameter && !token) client = undefined;
      return createConsulClient({ address: options.address, token });
    })().catch((error) => {
      client = undefined;
      throw error;
    }));
}
