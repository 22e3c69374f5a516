import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { META } from '../../../layers/domain/registration';

/** One service entry a committed `/v1/txn` wrote (or kept), as Consul's answer rendered it. */
export interface ServiceWrite {
  id: string;
  /** The ECS task version in the entry's Meta (`task-version`); NaN when absent. */
  version: number;
  createIndex: number;
  modifyIndex: number;
  /**
   * Which datacenter answered (how many the local Consul had lost before): after every server is lost, a new
   * datacenter starts its own Raft history at index 1, and the restore registers every running task anew.
   */
  datacenter: number;
}

/**
 * A recording HTTP proxy in front of the local Consul: the functions are pointed at it (CONSUL_HTTP_ADDR), it
 * forwards every request unchanged and keeps, from each committed transaction's answer, the service entries it
 * wrote. Consul answers a `Service` operation of `/v1/txn` with the entry as stored, whose `ModifyIndex` is the
 * Raft index of the write: that orders the writes exactly, whatever order the answers arrive in.
 *
 * What it cannot see: a write that committed while the agent went down, whose answer Consul never sent (the
 * emulator drops it as a real agent's connection would). The final catalog check covers those.
 */
export interface ConsulWriteLog {
  /** The address to give the functions. */
  readonly url: string;
  /** Where requests go (the local Consul, known only once the cloud started), and which datacenter it is now. */
  setTarget(url: string, datacenter?: () => number): void;
  /** Every service entry seen in a committed transaction's answer, in arrival order. */
  writes(): readonly ServiceWrite[];
  /** The bodies of the committed transactions sent while `during` runs (to name what a write was). */
  txnsDuring(during: () => Promise<unknown>): Promise<string[]>;
  close(): Promise<void>;
}

export async function startConsulWriteLog(): Promise<ConsulWriteLog> {
  let target: URL | undefined;
  let datacenter: () => number = () => 0;
  const writes: ServiceWrite[] = [];
  let recorded: string[] | undefined;
  const server: Server = createServer((req, res) => {
    if (!target) {
      req.socket.resetAndDestroy();
      return;
    }
    const sent: Buffer[] = [];
    if (recorded) req.on('data', (chunk: Buffer) => sent.push(chunk));
    forward(target, req, res, (body) => {
      writes.push(...servicesOfTxnAnswer(body).map((write) => ({ ...write, datacenter: datacenter() })));
      recorded?.push(Buffer.concat(sent).toString('utf8'));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    setTarget(url, current) {
      target = new URL(url);
      if (current) datacenter = current;
    },
    writes: () => writes,
    async txnsDuring(during) {
      recorded = [];
      try {
        await during();
        return recorded;
      } finally {
        recorded = undefined;
      }
    },
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/**
 * Pipes one request to `target` and its answer back. When Consul refuses or resets the connection (an outage),
 * the client's connection is reset too, so it sees what it would see talking to Consul directly.
 */
function forward(target: URL, req: IncomingMessage, res: ServerResponse, onCommittedTxn: (body: string) => void): void {
  const upstream = request(
    { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
    (answer) => {
      const isCommittedTxn = req.method === 'PUT' && req.url?.split('?')[0] === '/v1/txn' && answer.statusCode === 200;
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      if (!isCommittedTxn) {
        answer.pipe(res);
        return;
      }
      const chunks: Buffer[] = [];
      answer.on('data', (chunk: Buffer) => chunks.push(chunk));
      answer.on('end', () => {
        const body = Buffer.concat(chunks);
        onCommittedTxn(body.toString('utf8'));
        res.end(body);
      });
      answer.on('error', () => req.socket.resetAndDestroy());
    },
  );
  upstream.on('error', () => req.socket.resetAndDestroy());
  // A client that gives up (a timeout, a blocking query abandoned) must not leave the upstream request held.
  res.on('close', () => {
    if (!res.writableFinished) upstream.destroy();
  });
  req.pipe(upstream);
}

/** The `Service` results of a `/v1/txn` answer (`{"Results": [{"Service": {...}}, ...]}`). */
function servicesOfTxnAnswer(body: string): Array<Omit<ServiceWrite, 'datacenter'>> {
  const parsed = JSON.parse(body) as { Results?: Array<Record<string, unknown>> | null };
  return (parsed.Results ?? []).flatMap((result) => {
    const service = result.Service as { ID: string; Meta?: Record<string, string> | null; CreateIndex: number; ModifyIndex: number } | undefined;
    if (!service) return [];
    return [{ id: service.ID, version: Number(service.Meta?.[META.taskVersion]), createIndex: service.CreateIndex, modifyIndex: service.ModifyIndex }];
  });
}
