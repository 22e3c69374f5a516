import { startConsulServer, type ConsulServer, type ConsulServerOptions } from '../../../../local/consul';

/** A started emulator on a free loopback port plus small fetch helpers bound to it. */
export interface ConsulHarness {
  readonly server: ConsulServer;
  get(path: string, headers?: Record<string, string>): Promise<Response>;
  put(path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  del(path: string, headers?: Record<string, string>): Promise<Response>;
  close(): Promise<void>;
}

export async function startHarness(options: ConsulServerOptions = {}): Promise<ConsulHarness> {
  const server = await startConsulServer({ port: 0, ...options });
  const url = (path: string): string => `${server.url}${path}`;
  const encode = (body: unknown): string | undefined =>
    body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  return {
    server,
    get: (path, headers) => fetch(url(path), { headers }),
    put: (path, body, headers) => fetch(url(path), { method: 'PUT', body: encode(body), headers }),
    del: (path, headers) => fetch(url(path), { method: 'DELETE', headers }),
    close: () => server.close(),
  };
}

/** A registration of one ECS task as the orchestrator writes it: a synthetic node, the service and its check. */
export function taskRegistration(
  service: string,
  taskId: string,
  status: 'passing' | 'warning' | 'critical' = 'passing',
  node = 'cluster-1',
): Record<string, unknown> {
  const id = `${service}-${taskId}`;
  return {
    Node: node,
    Address: '10.0.1.1',
    NodeMeta: { 'synthetic-node': 'true' },
    Service: { ID: id, Service: service, Address: '10.0.1.17', Port: 8080, Tags: ['v1'], Meta: { task: taskId } },
    Check: { CheckID: `${id}-health`, Name: `${service} health`, Status: status, ServiceID: id },
  };
}

export function indexOf(res: Response): number {
  return Number(res.headers.get('x-consul-index'));
}

/** Resolve once the server holds at least `count` blocking queries (instead of guessing with sleeps). */
export async function untilHeld(server: ConsulServer, count = 1): Promise<void> {
  const deadline = Date.now() + 5000;
  while (server.heldQueries() < count) {
    if (Date.now() > deadline) throw new Error(`no blocking query held after 5 s`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}
