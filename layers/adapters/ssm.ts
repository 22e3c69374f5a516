import {
  DeleteParameterCommand,
  DeleteParametersCommand,
  DescribeParametersCommand,
  GetParameterCommand,
  GetParameterHistoryCommand,
  GetParametersByPathCommand,
  GetParametersCommand,
  LabelParameterVersionCommand,
  PutParameterCommand,
  UnlabelParameterVersionCommand,
  type Parameter,
  type ParameterHistory,
  type ParameterMetadata,
  type PutParameterCommandInput,
  type PutParameterCommandOutput,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import { batches } from './ecs';

/**
 * The batch sizes and page sizes of SSM Parameter Store (SSM API Reference, each action's request parameters):
 * GetParameters and DeleteParameters take at most 10 names; a `ParameterStringFilter` holds at most 50 values;
 * DescribeParameters and GetParameterHistory answer at most 50 a page, GetParametersByPath 10; Label- and
 * UnlabelParameterVersion take at most 10 labels. A larger request is refused with a ValidationException.
 */
export const SSM_LIMITS = { getBatch: 10, deleteBatch: 10, filterValues: 50, describePage: 50, historyPage: 50, byPathPage: 10, labels: 10 } as const;

export interface ParameterInfo {
  name: string;
  type?: string;
}

/**
 * Every SSM Parameter Store call the orchestrator makes, with SSM's batch sizes and paging handled here, once.
 * Features depend on a `Pick` of the calls they make. Errors are the SDK's own (`ParameterNotFound`,
 * `ParameterAlreadyExists`, ...), never rewrapped: the callers that treat one as an answer catch it by name.
 */
export interface SsmApi {
  /** GetParameter (`decrypt`: WithDecryption, for a SecureString). Throws `ParameterNotFound` for an unknown name. */
  getParameter(name: string, options?: { decrypt?: boolean }): Promise<Parameter | undefined>;
  /** GetParameters in batches of 10, any number of names; names SSM does not have are left out. */
  getParameters(names: readonly string[], options?: { decrypt?: boolean }): Promise<Parameter[]>;
  /** Every parameter under `path`, recursively, with its value (GetParametersByPath, 10 a page, every page). */
  getParametersByPath(path: string, options?: { decrypt?: boolean }): Promise<Parameter[]>;
  /**
   * The metadata of those of `names` that exist (DescribeParameters with a `Name Equals` filter of at most 50 values,
   * every page): never a value, so it needs no read permission on the parameters themselves.
   */
  describeParameters(names: readonly string[]): Promise<ParameterMetadata[]>;
  /** Every parameter under `path` (recursive), metadata only: no value is read, so no secret leaves SSM. */
  listUnder(path: string): Promise<ParameterInfo[]>;
  /** The versions of one parameter, oldest first, a page (at most 50) at a time (GetParameterHistory). */
  versionPages(name: string): AsyncIterable<ParameterHistory[]>;
  /** PutParameter. Throws `ParameterAlreadyExists` when the name exists and `Overwrite` is not true. */
  putParameter(input: PutParameterCommandInput): Promise<Pick<PutParameterCommandOutput, 'Version' | 'Tier'>>;
  /** LabelParameterVersion, 10 labels a call. */
  labelParameterVersion(name: string, version: number, labels: readonly string[]): Promise<void>;
  /** UnlabelParameterVersion, 10 labels a call. */
  unlabelParameterVersion(name: string, version: number, labels: readonly string[]): Promise<void>;
  /** DeleteParameter. Throws `ParameterNotFound` for an unknown name. */
  deleteParameter(name: string): Promise<void>;
  /** Deletes the named parameters in batches of 10; names SSM does not have are not an error. Returns those deleted. */
  deleteParameters(names: readonly string[]): Promise<string[]>;
}

/**
 * The SSM adapter over a real SDK client.
 * @example
 * const ssm = createSsmApi(new SSMClient({ maxAttempts: 8, retryMode: 'standard' }));
 * const parts = await ssm.getParameters(names); // any number of names
 */
export function createSsmApi(client: Pick<SSMClient, 'send'>): SsmApi {
  const api: SsmApi = {
    async getParameter(name, options = {}) {
      return (await client.send(new GetParameterCommand({ Name: name, ...(options.decrypt ? { WithDecryption: true } : {}) }))).Parameter;
    },
    async getParameters(names, options = {}) {
      const found: Parameter[] = [];
      for (const batch of batches(names, SSM_LIMITS.getBatch)) {
        const answer = await client.send(new GetParametersCommand({ Names: batch, ...(options.decrypt ? { WithDecryption: true } : {}) }));
        found.push(...(answer.Parameters ?? []));
      }
      return found;
    },
    async getParametersByPath(path, options = {}) {
      const found: Parameter[] = [];
      let NextToken: string | undefined;
      do {
        const page = await client.send(
          new GetParametersByPathCommand({ Path: path, Recursive: true, MaxResults: SSM_LIMITS.byPathPage, NextToken, ...(options.decrypt ? { WithDecryption: true } : {}) }),
        );
        found.push(...(page.Parameters ?? []));
        NextToken = page.NextToken;
      } while (NextToken);
      return found;
    },
    async describeParameters(names) {
      const found: ParameterMetadata[] = [];
      for (const batch of batches(names, SSM_LIMITS.filterValues)) {
        let NextToken: string | undefined;
        do {
          const page = await client.send(
            new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Name', Option: 'Equals', Values: batch }], MaxResults: SSM_LIMITS.describePage, NextToken }),
          );
          found.push(...(page.Parameters ?? []));
          NextToken = page.NextToken;
        } while (NextToken);
      }
      return found;
    },
    async listUnder(path) {
      const out: ParameterInfo[] = [];
      let NextToken: string | undefined;
      do {
        const page = await client.send(
          new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Path', Option: 'Recursive', Values: [path] }], MaxResults: SSM_LIMITS.describePage, NextToken }),
        );
        for (const p of page.Parameters ?? []) if (p.Name) out.push({ name: p.Name, type: p.Type });
        NextToken = page.NextToken;
      } while (NextToken);
      return out;
    },
    async *versionPages(name) {
      let NextToken: string | undefined;
      do {
        const page = await client.send(new GetParameterHistoryCommand({ Name: name, MaxResults: SSM_LIMITS.historyPage, NextToken }));
        yield page.Parameters ?? [];
        NextToken = page.NextToken;
      } while (NextToken);
    },
    async putParameter(input) {
      const { Version, Tier } = await client.send(new PutParameterCommand(input));
      return { Version, Tier };
    },
    async labelParameterVersion(name, version, labels) {
      for (const batch of batches(labels, SSM_LIMITS.labels)) await client.send(new LabelParameterVersionCommand({ Name: name, ParameterVersion: version, Labels: batch }));
    },
    async unlabelParameterVersion(name, version, labels) {
      for (const batch of batches(labels, SSM_LIMITS.labels)) await client.send(new UnlabelParameterVersionCommand({ Name: name, ParameterVersion: version, Labels: batch }));
    },
    async deleteParameter(name) {
      await client.send(new DeleteParameterCommand({ Name: name }));
    },
    async deleteParameters(names) {
      const deleted: string[] = [];
      for (const batch of batches(names, SSM_LIMITS.deleteBatch)) {
        deleted.push(...((await client.send(new DeleteParametersCommand({ Names: batch }))).DeletedParameters ?? []));
      }
      return deleted;
    },
  };
  return api;
}
