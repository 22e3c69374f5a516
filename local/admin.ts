import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { Faults } from './faults/faults';
import type { EcsSimulation } from './aws/ecs/simulation';
import type { EventsProvider } from './aws/events/provider';
import type { ConsulServer } from './consul';

/**
 * The fault-injection control surface over HTTP, on the AWS endpoint's port (requests without `X-Amz-Target`):
 *
 *   GET  /_local/faults                     current settings
 *   POST /_local/faults                     merge settings, e.g. {"throttleShare":0.3,"events":{"drop":0.1}}
 *   POST /_local/faults/reset               back to no faults
 *   POST /_local/consul/down                {"ms":5000}: the Consul API refuses connections for that long
 *   POST /_local/ecs/stop-random-tasks      {"count":2}: stops that many random RUNNING tasks
 *   POST /_local/consul/stop-servers        every Consul server task stops at once: the datacenter's state is lost
 *                                           ({"region":"eu-west-1"}: only that region's, one datacenter of two)
 *   GET  /_local/events/on-failure          events whose delivery exhausted Lambda's retries
 *   GET  /_local/events/undeliverable       events matched for targets the local cloud does not deliver to (SQS, SNS, ...)
 *   GET  /_local/health                     liveness
 *
 * The same operations are methods of `Faults` (and the services) for tests.
 */
const SettingsSchema = z.strictObject({
  throttleShare: z.number().min(0).max(1).optional(),
  throttleTargets: z.array(z.string()).optional(),
  latencyMs: z.number().int().min(0).max(60_000).optional(),
  failTaskStarts: z.number().min(0).max(1).optional(),
  failBuilds: z.boolean().optional(),
  failBuildReason: z.string().max(500).optional(),
  events: z
    .strictObject({
      duplicate: z.number().min(0).max(1).optional(),
      delay: z.number().min(0).max(1).optional(),
      delayMs: z.number().int().min(0).max(600_000).optional(),
      reorder: z.number().min(0).max(1).optional(),
      drop: z.number().min(0).max(1).optional(),
    })
    .optional(),
});

export async function handleAdminRoute(
  req: IncomingMessage,
  res: ServerResponse,
  deps: { faults: Faults; ecs: EcsSimulation; events: EventsProvider; consul: ConsulServer },
): Promise<boolean> {
  const url = new URL(req.url ?? '/', 'http://local');
  if (!url.pathname.startsWith('/_local/')) return false;
  const send = (status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const route = `${req.method} ${url.pathname}`;
  try {
    switch (route) {
      case 'GET /_local/health':
        send(200, { ok: true });
        return true;
      case 'GET /_local/faults':
        send(200, deps.faults.current);
        return true;
      case 'POST /_local/faults': {
        const parsed = SettingsSchema.safeParse(await readJson(req));
        if (!parsed.success) {
          send(400, { error: { code: 'InvalidFaults', message: parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ') } });
          return true;
        }
        send(200, deps.faults.set(parsed.data));
        return true;
      }
      case 'POST /_local/faults/reset':
        deps.faults.reset();
        send(200, deps.faults.current);
        return true;
      case 'POST /_local/consul/down': {
        const { ms } = z.object({ ms: z.number().int().min(1).max(3_600_000) }).parse(await readJson(req));
        deps.faults.takeConsulDown(ms);
        send(200, { downUntil: new Date(deps.faults.current.consulDownUntil).toISOString() });
        return true;
      }
      case 'POST /_local/ecs/stop-random-tasks': {
        const { count } = z.object({ count: z.number().int().min(1).max(1000) }).parse(await readJson(req));
        send(200, { stopped: await deps.faults.stopRandomTasks(count) });
        return true;
      }
      case 'POST /_local/consul/stop-servers': {
        const { region } = z.object({ region: z.string().optional() }).parse(await readJson(req));
        send(200, { stopped: deps.faults.stopConsulServers(region) });
        return true;
      }
      case 'GET /_local/events/on-failure':
        send(200, { records: deps.events.onFailure() });
        return true;
      case 'GET /_local/events/undeliverable':
        send(200, { records: deps.events.undeliverable() });
        return true;
      default:
        send(404, { error: { code: 'NotFound', message: `no admin route ${route}` } });
        return true;
    }
  } catch (error) {
    send(400, { error: { code: 'BadRequest', message: error instanceof Error ? error.message : String(error) } });
    return true;
  }
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 64 * 1024) throw new Error('body over 64 KB');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : {};
}
