import type { SsmProvider } from '../aws/ssm/provider';
import { LOCAL_ACCOUNT_ID } from '../aws/protocol';

/**
 * The two AWS lookups the process stand-ins need, made as the ECS agent makes them at task start: the value of a
 * `secrets` entry (an SSM parameter by name or ARN, decrypted) and the digest an image reference names.
 */

/** The decrypted value of an SSM parameter named by name or ARN, or undefined when it does not exist. */
export async function parameterValue(ssm: SsmProvider, nameOrArn: string, region: string): Promise<string | undefined> {
  const marker = ':parameter';
  const name = nameOrArn.startsWith('arn:') ? nameOrArn.slice(nameOrArn.indexOf(marker) + marker.length) : nameOrArn;
  try {
    const ctx = { region, accountId: LOCAL_ACCOUNT_ID, requestId: 'local-task-start' };
    const { Parameter } = (await ssm.operations.GetParameter({ Name: name, WithDecryption: true }, ctx)) as { Parameter?: { Value?: string } };
    return Parameter?.Value;
  } catch {
    return undefined;
  }
}

/** The digest of `<account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag>` in a registry, or undefined. */
export function registryDigest(image: string, find: (region: string, repository: string, reference: string) => { digest: string } | undefined): string | undefined {
  const match = /^\d{12}\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com\/([^:@]+)(?::([^@]+))?$/.exec(image);
  if (!match || match[3] === undefined) return undefined;
  return find(match[1], match[2], match[3])?.digest;
}
