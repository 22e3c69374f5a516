/**
 * SSM Parameter Store, as the AWS JSON 1.1 protocol serves it (`X-Amz-Target: AmazonSSM.<Operation>`).
 * One {@link ParameterStore} per region, all in the local account.
 */
import { AwsServiceError, type OperationHandler, type RequestContext, type ServiceProvider } from '../protocol';
import { BY_PATH_FILTER_KEYS, DESCRIBE_FILTER_KEYS, checkFilters, matchesFilters } from './filters';
import { attachLabels, detachLabels } from './labels';
import { canonicalName, isUnderPath, parseSelector, referencedName, validatePath } from './names';
import { page } from '../pagination';
import { AccountRegionStores } from '../stores';
import { putParameter } from './put-parameter';
import { renderHistory, renderMetadata, renderParameter, type RenderContext } from './render';
import * as schemas from './schemas';
import { latestVersion, ParameterStore, type ParameterSnapshot, type ParameterVersion, type ResolvedParameter } from './store';
import { parseInput, validationError } from './validation';

/** Every region's parameters, as the local cloud's persistence saves them. */
export interface SsmSnapshot {
  readonly regions: Record<string, ParameterSnapshot[]>;
}

export class SsmProvider implements ServiceProvider {
  readonly targetPrefix = 'AmazonSSM';
  readonly jsonVersion = '1.1' as const;
  readonly signingName = 'ssm';
  readonly operations: Record<string, OperationHandler> = {
    PutParameter: (input, ctx) => this.changed(putParameter(this.store(ctx.region, ctx.accountId), parseInput(schemas.putParameterInput, input), ctx)),
    GetParameter: (input, ctx) => this.getParameter(input, ctx),
    GetParameters: (input, ctx) => this.getParameters(input, ctx),
    GetParametersByPath: (input, ctx) => this.getParametersByPath(input, ctx),
    GetParameterHistory: (input, ctx) => this.getParameterHistory(input, ctx),
    LabelParameterVersion: (input, ctx) => this.changed(this.labelParameterVersion(input, ctx)),
    UnlabelParameterVersion: (input, ctx) => this.changed(this.unlabelParameterVersion(input, ctx)),
    DeleteParameter: (input, ctx) => this.changed(this.deleteParameter(input, ctx)),
    DeleteParameters: (input, ctx) => this.changed(this.deleteParameters(input, ctx)),
    DescribeParameters: (input, ctx) => this.describeParameters(input, ctx),
    AddTagsToResource: (input, ctx) => this.changed(this.addTags(input, ctx)),
    RemoveTagsFromResource: (input, ctx) => this.changed(this.removeTags(input, ctx)),
    ListTagsForResource: (input, ctx) => this.listTags(input, ctx),
  };

  private readonly stores = new AccountRegionStores(() => new ParameterStore());
  private changes = 0;

  /**
   * Grows with every operation that may change a parameter (writes only, never reads): the local cloud's
   * persistence polls it to know when to save.
   */
  get revision(): number {
    return this.changes;
  }

  /** Every region's parameters, versions, labels and tags as plain data. */
  exportSnapshot(): SsmSnapshot {
    const regions: Record<string, ParameterSnapshot[]> = {};
    for (const [region, store] of this.stores.byRegion()) regions[region] = store.exportParameters();
    return { regions };
  }

  /** Replaces the state with a saved one (SecureString values stay sealed with their region's local key). */
  importSnapshot(snapshot: SsmSnapshot): void {
    this.stores.clear();
    for (const [region, parameters] of Object.entries(snapshot.regions)) this.store(region).importParameters(parameters);
    this.changes += 1;
  }

  /** Counts a write (see {@link SsmProvider.revision}) and passes its result through. */
  private changed<T>(result: T): T {
    this.changes += 1;
    return result;
  }

  /** The parameters of one account and region (created on first use). */
  store(region: string, accountId?: string): ParameterStore {
    return this.stores.get(region, accountId);
  }

  /** A `name`, `name:version`, `name:label` or the parameter's ARN (with the same selectors). */
  private resolve(ctx: RequestContext, reference: string): ResolvedParameter {
    const { name, selector } = parseSelector(referencedName(reference, ctx.region, ctx.accountId));
    return this.store(ctx.region, ctx.accountId).resolve(name, selector);
  }

  private getParameter(input: unknown, ctx: RequestContext) {
    const request = parseInput(schemas.getParameterInput, input);
    const rc: RenderContext = { ...ctx, decrypt: request.WithDecryption === true };
    return { Parameter: renderParameter(this.resolve(ctx, request.Name), rc) };
  }

  /** Unknown names, versions and labels are not errors here: they are listed in `InvalidParameters`. */
  private getParameters(input: unknown, ctx: RequestContext) {
    const request = parseInput(schemas.getParametersInput, input);
    const rc: RenderContext = { ...ctx, decrypt: request.WithDecryption === true };
    const Parameters: ReturnType<typeof renderParameter>[] = [];
    const InvalidParameters: string[] = [];
    for (const reference of new Set(request.Names)) {
      try {
        Parameters.push(renderParameter(this.resolve(ctx, reference), rc));
      } catch (error) {
        if (!(error instanceof AwsServiceError)) throw error;
        InvalidParameters.push(reference);
      }
    }
    return { Parameters, InvalidParameters };
  }

  private getParametersByPath(input: unknown, ctx: RequestContext) {
    const request = parseInput(schemas.getParametersByPathInput, input);
    const path = validatePath(request.Path);
    const filters = request.ParameterFilters ?? [];
    checkFilters(filters, BY_PATH_FILTER_KEYS);
    // With a Label filter the labelled version is returned, not the latest one.
    const labels = filters.find((f) => f.Key === 'Label')?.Values;
    const matches: ResolvedParameter[] = [];
    for (const parameter of this.store(ctx.region, ctx.accountId).list()) {
      if (!isUnderPath(parameter.name, path, request.Recursive === true)) continue;
      const version: ParameterVersion | undefined = labels
        ? parameter.versions.find((v) => v.labels.some((l) => labels.includes(l)))
        : latestVersion(parameter);
      if (version && matchesFilters(parameter, version, filters)) matches.push({ parameter, version });
    }
    const rc: RenderContext = { ...ctx, decrypt: request.WithDecryption === true };
    const result = page(matches, request.MaxResults ?? 10, request.NextToken);
    return { Parameters: result.items.map((m) => renderParameter(m, rc)), NextToken: result.nextToken };
  }

  private getParameterHistory(input: unknown, ctx: RequestContext) {
    const request = parseInput(schemas.getParameterHistoryInput, input);
    const parameter = this.store(ctx.region, ctx.accountId).require(canonicalName(referencedName(request.Name, ctx.region, ctx.accountId)));
    const rc: RenderContext = { ...ctx, decrypt: request.WithDecryption === true };
    const result = page(parameter.versions, request.MaxResults ?? 50, request.NextToken);
    return { Parameters: result.items.map((v) => renderHistory(parameter, v, rc)), NextToken: result.nextToken };
  }

  /** The parameter and the version a label operation addresses (the latest when `version` is omitted). */
  private findVersion(ctx: RequestContext, name: string, version?: number) {
    const parameter = this.store(ctx.region, ctx.accountId).require(canonicalName(name));
    const target = version === undefined ? latestVersion(parameter) : parameter.versions.find((v) => v.version === version);
    if (!target) {
      throw new AwsServiceError(
        'ParameterVersionNotFound',
        `Systems Manager could not find version ${version} of ${name}. Verify the version and try again.`,
      );
    }
    return { parameter, target };
  }

  private labelParameterVersion(input: unknown, ctx: RequestContext) {
    const request = parseInput(schemas.labelParameterVersionInput, input);
    const { parameter, target } = this.findVersion(ctx, request.Name, request.ParameterVersion);
    const invalid = attachLabels(parameter.versions, target, request.Labels);
    return { InvalidLabels: invalid, ParameterVersion: target.version };
  }

  private unlabelParameterVersion(input: unknown, ctx: RequestContext) {
    const request = parseInput(schemas.unlabelParameterVersionInput, input);
    const { target } = this.findVersion(ctx, request.Name, request.ParameterVersion);
    const { removed, invalid } = detachLabels(target, request.Labels);
    return { RemovedLabels: removed, InvalidLabels: invalid };
  }

  private deleteParameter(input: unknown, ctx: RequestContext) {
    const request = parseInput(schemas.deleteParameterInput, input);
    const store = this.store(ctx.region, ctx.accountId);
    const name = canonicalName(request.Name);
    store.require(name);
    store.delete(name);
    return {};
  }

  private deleteParameters(input: unknown, ctx: RequestContext) {
    const request = parseInput(schemas.deleteParametersInput, input);
    const store = this.store(ctx.region, ctx.accountId);
    const DeletedParameters: string[] = [];
    const InvalidParameters: string[] = [];
    for (const name of new Set(request.Names)) {
      (store.delete(canonicalName(name)) ? DeletedParameters : InvalidParameters).push(name);
    }
    return { DeletedParameters, InvalidParameters };
  }

  private describeParameters(input: unknown, ctx: RequestContext) {
    const request = parseInput(schemas.describeParametersInput, input);
    if (request.Filters !== undefined && request.ParameterFilters !== undefined) {
      throw validationError('You can use either Filters or ParameterFilters in a single request.');
    }
    // The deprecated `Filters` are ParameterFilters with fixed options: Name begins with a value, Type and KeyId equal one.
    const filters =
      request.ParameterFilters ??
      (request.Filters ?? []).map((f) => ({ Key: f.Key, Option: f.Key === 'Name' ? 'BeginsWith' : 'Equals', Values: f.Values }));
    checkFilters(filters, DESCRIBE_FILTER_KEYS);
    const matches = this.store(ctx.region, ctx.accountId)
      .list()
      .filter((p) => matchesFilters(p, latestVersion(p), filters));
    const rc: RenderContext = { ...ctx, decrypt: false };
    // DescribeParameters answers 10 parameters per page unless MaxResults (at most 50) asks for more.
    const result = page(matches, request.MaxResults ?? 10, request.NextToken);
    return { Parameters: result.items.map((p) => renderMetadata(p, latestVersion(p), rc)), NextToken: result.nextToken };
  }

  /** Tags are supported on parameters only (`ResourceType: Parameter`, `ResourceId`: the name). */
  private taggedParameter(ctx: RequestContext, resourceType: string, resourceId: string) {
    if (resourceType !== 'Parameter') {
      throw new AwsServiceError('InvalidResourceType', `The resource type ${resourceType} is not supported here.`);
    }
    const parameter = this.store(ctx.region, ctx.accountId).get(canonicalName(resourceId));
    if (!parameter) throw new AwsServiceError('InvalidResourceId', 'The resource ID is not valid. Verify the ID and try again.');
    return parameter;
  }

  private addTags(input: unknown, ctx: RequestContext) {
    const request = parseInput(schemas.addTagsInput, input);
    const parameter = this.taggedParameter(ctx, request.ResourceType, request.ResourceId);
    for (const tag of request.Tags) parameter.tags.set(tag.Key, tag.Value);
    return {};
  }

  private removeTags(input: unknown, ctx: RequestContext) {
    const request = parseInput(schemas.removeTagsInput, input);
    const parameter = this.taggedParameter(ctx, request.ResourceType, request.ResourceId);
    for (const key of request.TagKeys) parameter.tags.delete(key);
    return {};
  }

  private listTags(input: unknown, ctx: RequestContext) {
    const request = parseInput(schemas.listTagsInput, input);
    const parameter = this.taggedParameter(ctx, request.ResourceType, request.ResourceId);
    return { TagList: [...parameter.tags].map(([Key, Value]) => ({ Key, Value })) };
  }
}
