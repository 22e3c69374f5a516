import { createConsulClient, type ConsulApi } from '../../../layers/adapters/consul';
import { deployedSpecKey } from '../../../layers/deploy/config-entries';
import { loadMeshSpec, type MeshSpec } from '../../../layers/domain/spec';
import { startConsulServer, type ConsulServer, type ConsulServerOptions } from '@consul-mesh/local-cloud';

/** The reference mesh (examples/mesh.yaml): the fixtures' tasks belong to it. */
export function referenceSpec(): MeshSpec {
  return loadMeshSpec('examples/mesh.yaml');
}

/** A local Consul with a client that counts the HTTP requests it sends (real requests, counted on the way out). */
export interface CountingConsul {
  server: ConsulServer;
  client: ConsulApi;
  /** Requests sent by `client` so far, as `METHOD /path`. */
  requests: string[];
  /** Another client (another Lambda container: its own spec cache) with an optional token. */
  newClient(token?: string): ConsulApi;
  /** Stores the spec where the deploy puts it (as the deploy's applyConfigEntries does). */
  deploySpec(spec: MeshSpec): Promise<void>;
  close(): Promise<void>;
}

export async function startCountingConsul(options: ConsulServerOptions = {}, token?: string): Promise<CountingConsul> {
  const server = await startConsulServer({ port: 0, ...options });
  const requests: string[] = [];
  const counting: typeof fetch = (input, init) => {
    requests.push(`${init?.method ?? 'GET'} ${new URL(String(input)).pathname}`);
    return fetch(input, init);
  };
  const newClient = (t?: string) => createConsulClient({ address: server.url, token: t, timeoutMs: 2000 });
  return {
    server,
    client: createConsulClient({ address: server.url, token, fetchImpl: counting, timeoutMs: 2000 }),
    requests,
    newClient,
    async deploySpec(spec) {
      await newClient(options.acl?.managementToken).kvPut(deployedSpecKey(spec), JSON.stringify(spec));
    },
    close: () => server.close(),
  };
}
