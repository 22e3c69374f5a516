/**
 * Task churn through the real ECS API: StopTask on random running tasks of the mesh (what a deployment, a
 * scale-in or a Spot interruption does to a task), which the services' schedulers then replace.
 */
import { StopTaskCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { performance } from 'node:perf_hooks';
import type { EcsSimulation } from '@consul-mesh/local-cloud';
import type { MeshServiceRef } from './mesh-state';
import { sample } from './random';

export interface StopperDeps {
  ecs: EcsSimulation;
  ecsClient: ECSClient;
  services: readonly MeshServiceRef[];
  random: () => number;
}

/** Stops `count` random RUNNING tasks of the mesh's services at once; returns how many StopTask calls succeeded. */
export async function stopRandomMeshTasks(deps: StopperDeps, count: number): Promise<number> {
  const candidates: Array<{ cluster: string; taskArn: string }> = [];
  for (const cluster of new Set(deps.services.map((s) => s.cluster))) {
    const names = new Set(deps.services.filter((s) => s.cluster === cluster).map((s) => s.service));
    for (const task of deps.ecs.runningTasks(cluster)) {
      if (task.serviceName && names.has(task.serviceName)) candidates.push({ cluster, taskArn: task.taskArn });
    }
  }
  const chosen = sample(candidates, count, deps.random);
  await Promise.all(chosen.map(({ cluster, taskArn }) => deps.ecsClient.send(new StopTaskCommand({ cluster, task: taskArn, reason: 'benchmark churn' }))));
  return chosen.length;
}

/**
 * Stops tasks at `perSecond` for `durationMs`, in ticks of `tickMs`, scheduled on the wall clock so a slow tick
 * does not lower the rate. Returns the number of tasks stopped (`perSecond × durationMs / 1000`, rounded down).
 */
export async function churnAtRate(deps: StopperDeps, options: { perSecond: number; durationMs: number; tickMs: number }): Promise<number> {
  const begin = performance.now();
  const ticks = Math.ceil(options.durationMs / options.tickMs);
  let stopped = 0;
  for (let tick = 1; tick <= ticks; tick++) {
    const wait = begin + (tick - 1) * options.tickMs - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const due = stopsDue(options.perSecond, Math.min(tick * options.tickMs, options.durationMs)) - stopped;
    if (due > 0) stopped += await stopRandomMeshTasks(deps, due);
  }
  return stopped;
}

/**
 * Stops owed after `elapsedMs` at `perSecond`, counted from the start (not accumulated tick by tick, where
 * 0.1 + 0.1 + ... drifts below the whole number it should reach).
 *
 * @example stopsDue(1, 20_000) // 20
 */
export function stopsDue(perSecond: number, elapsedMs: number): number {
  return Math.floor((perSecond * elapsedMs) / 1000 + 1e-9);
}
