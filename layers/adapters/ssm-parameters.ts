import { DeleteParametersCommand, paginateDescribeParameters, type SSMClient } from '@aws-sdk/client-ssm';
import { batches } from './ecs';

/**
 * The SSM calls that list and delete whole trees of parameters (a mesh's teardown). SSM's limits (API Reference):
 * DescribeParameters answers at most 50 a page; DeleteParameters takes at most 10 names a call.
 */
export const SSM_LIMITS = { describePage: 50, deleteBatch: 10 } as const;

export interface ParameterInfo {
  name: string;
  type?: string;
}

export interface SsmParametersApi {
  /** Every parameter under `path` (recursive), metadata only: no value is read, so no secret leaves SSM. */
  listUnder(path: string): Promise<ParameterInfo[]>;
  /** Deletes the named parameters in batches of 10; names SSM does not have are not an error. Returns those deleted. */
  deleteParameters(names: readonly string[]): Promise<string[]>;
}

/** @example const params = createSsmParametersApi(clients.ssm); await params.listUnder('/consul-mesh/reference-mesh'); */
export function createSsmParametersApi(ssm: SSMClient): SsmParametersApi {
  return {
    async listUnder(path) {
      const out: ParameterInfo[] = [];
      const pages = paginateDescribeParameters(
        { client: ssm, pageSize: SSM_LIMITS.describePage },
        { ParameterFilters: [{ Key: 'Path', Option: 'Recursive', Values: [path] }] },
      );
      for await (const page of pages) for (const p of page.Parameters ?? []) if (p.Name) out.push({ name: p.Name, type: p.Type });
      return out;
    },
    async deleteParameters(names) {
      const deleted: string[] = [];
      for (const batch of batches(names, SSM_LIMITS.deleteBatch)) {
        deleted.push(...((await ssm.send(new DeleteParametersCommand({ Names: batch }))).DeletedParameters ?? []));
      }
      return deleted;
    },
  };
}
