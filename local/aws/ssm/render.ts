/** The response shapes of Parameter Store: `Parameter`, `ParameterHistory`, `ParameterMetadata`. */
import { toEpochSeconds } from '../protocol';
import { parameterArn } from './names';
import { openSecureString } from './secure-string';
import type { ParameterVersion, ResolvedParameter, StoredParameter } from './store';

export interface RenderContext {
  readonly region: string;
  readonly accountId: string;
  /** `WithDecryption`: SecureString values are returned as ciphertext unless it is true. */
  readonly decrypt: boolean;
}

function valueOf(version: ParameterVersion, ctx: RenderContext): string {
  if (version.type !== 'SecureString' || !ctx.decrypt) return version.value;
  return openSecureString(version.value, ctx.region, version.keyId ?? '');
}

function lastModifiedUser(ctx: RenderContext): string {
  return `arn:aws:iam::${ctx.accountId}:root`;
}

export function renderParameter({ parameter, version, selector }: ResolvedParameter, ctx: RenderContext) {
  return {
    Name: parameter.name,
    Type: version.type,
    Value: valueOf(version, ctx),
    Version: version.version,
    ...(selector !== undefined ? { Selector: selector } : {}),
    LastModifiedDate: toEpochSeconds(version.lastModifiedDate),
    ARN: parameterArn(ctx.region, ctx.accountId, parameter.name),
    DataType: version.dataType,
  };
}

export function renderHistory(parameter: StoredParameter, version: ParameterVersion, ctx: RenderContext) {
  return {
    Name: parameter.name,
    Type: version.type,
    ...(version.keyId !== undefined ? { KeyId: version.keyId } : {}),
    LastModifiedDate: toEpochSeconds(version.lastModifiedDate),
    LastModifiedUser: lastModifiedUser(ctx),
    ...(version.description !== undefined ? { Description: version.description } : {}),
    Value: valueOf(version, ctx),
    ...(version.allowedPattern !== undefined ? { AllowedPattern: version.allowedPattern } : {}),
    Version: version.version,
    Labels: [...version.labels],
    Tier: version.tier,
    Policies: [],
    DataType: version.dataType,
  };
}

export function renderMetadata(parameter: StoredParameter, version: ParameterVersion, ctx: RenderContext) {
  return {
    Name: parameter.name,
    ARN: parameterArn(ctx.region, ctx.accountId, parameter.name),
    Type: version.type,
    ...(version.keyId !== undefined ? { KeyId: version.keyId } : {}),
    LastModifiedDate: toEpochSeconds(version.lastModifiedDate),
    LastModifiedUser: lastModifiedUser(ctx),
    ...(version.description !== undefined ? { Description: version.description } : {}),
    ...(version.allowedPattern !== undefined ? { AllowedPattern: version.allowedPattern } : {}),
    Version: version.version,
    Tier: version.tier,
    Policies: [],
    DataType: version.dataType,
  };
}
