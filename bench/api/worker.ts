/**
 * A worker process: starts one fresh local cloud, runs one part of the API benchmark against it, sends the
 * figures to its parent and exits.
 *
 * Each part needs its own process: the local cloud invokes handlers in-process, and a handler module builds its
 * clients and reads its Consul token once per container (module state), as on Lambda; a second cloud in the same
 * process would reach them still pointing at the first one's ports and token. The parts need different clouds:
 * "main" runs with Step Functions waits skipped (time scale 0), "post" keeps them so a deployment can be held idle.
 *
 * Run by `runPartInWorker` (`run-worker.ts`); `tsx bench/api/worker.ts main` prints the figures.
 */
import { benchSfnClient, startBenchCloud } from './cloud';
import { measureMain, type MainFigures } from './main-phase';
import { measurePostDeployments, type PostFigures } from './post-phase';

export type Part = 'main' | 'post';

export type WorkerResult = { part: 'main'; cloudStartMs: number; figures: MainFigures } | { part: 'post'; cloudStartMs: number; figures: PostFigures };

export type WorkerMessage = { kind: 'log'; message: string } | { kind: 'result'; result: WorkerResult } | { kind: 'error'; error: string };

export function isPart(value: unknown): value is Part {
  return value === 'main' || value === 'post';
}

async function measure(part: Part, log: (message: string) => void): Promise<WorkerResult> {
  const { cloud, startMs } = await startBenchCloud(part === 'main' ? 0 : 1);
  const sfn = benchSfnClient(cloud);
  try {
    if (part === 'main') return { part, cloudStartMs: startMs, figures: await measureMain(cloud, sfn, log) };
    return { part, cloudStartMs: startMs, figures: await measurePostDeployments(cloud, sfn, log) };
  } finally {
    sfn.destroy();
    await cloud.stop();
  }
}

function send(message: WorkerMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) {
      console.log(message.kind === 'log' ? message.message : JSON.stringify(message, null, 2));
      resolve();
      return;
    }
    process.send(message, undefined, {}, () => resolve());
  });
}

async function main(): Promise<void> {
  const part = process.argv[2];
  if (!isPart(part)) throw new RangeError('usage: worker.ts main|post');
  const result = await measure(part, (message) => void send({ kind: 'log', message }));
  await send({ kind: 'result', result });
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    async (error: unknown) => {
      await send({ kind: 'error', error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
      process.exit(1);
    },
  );
}
