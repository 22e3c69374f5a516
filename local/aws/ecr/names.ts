/** Repository names, ARNs and URIs as Amazon ECR forms them. */
/** The pattern of the ECR API reference for `repositoryName` (2 to 256 characters). */
export const REPOSITORY_NAME_PATTERN = '(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*';

export function repositoryArn(region: string, accountId: string, name: string): string {
  return `arn:aws:ecr:${region}:${accountId}:repository/${name}`;
}

/** `<account>.dkr.ecr.<region>.amazonaws.com` — the registry an image reference starts with. */
export function registryHost(region: string, accountId: string): string {
  return `${accountId}.dkr.ecr.${region}.amazonaws.com`;
}

export function repositoryUri(region: string, accountId: string, name: string): string {
  return `${registryHost(region, accountId)}/${name}`;
}

/** Image digests are `sha256:` and 64 lowercase hex digits. */
export function isImageDigest(value: string): boolean {
  return /^sha256:[a-f0-9]{64}$/.test(value);
}

/** Docker's tag grammar: up to 128 characters of `[A-Za-z0-9_.-]`, not starting with `.` or `-`. */
export function isImageTag(value: string): boolean {
  return /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(value);
}
