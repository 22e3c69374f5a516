import type { MeshSpec } from '../spec/schema';
import { formatPath, type SpecIssue } from '../spec/issues';

/**
 * Fargate's task sizes (ECS developer guide, "Task size"): each CPU value allows a memory range in fixed steps.
 */
const FARGATE_SIZES: ReadonlyArray<{ cpu: number; min: number; max: number; step: number }> = [
  { cpu: 256, min: 512, max: 2048, step: 512 },
  { cpu: 512, min: 1024, max: 4096, step: 1024 },
  { cpu: 1024, min: 2048, max: 8192, step: 1024 },
  { cpu: 2048, min: 4096, max: 16384, step: 1024 },
  { cpu: 4096, min: 8192, max: 30720, step: 1024 },
  { cpu: 8192, min: 16384, max: 61440, step: 4096 },
  { cpu: 16384, min: 32768, max: 122880, step: 8192 },
];

/** Whether Fargate accepts a task of this size (256 CPU allows 512, 1024 and 2048 MiB). */
export function isFargateSize(cpu: number, memory: number): boolean {
  const size = FARGATE_SIZES.find((s) => s.cpu === cpu);
  if (!size) return false;
  if (cpu === 256) return memory === 512 || memory === 1024 || memory === 2048;
  return memory >= size.min && memory <= size.max && (memory - size.min) % size.step === 0;
}

/**
 * What RegisterTaskDefinition would reject for the spec's launch type, found before anything starts: Fargate
 * needs awsvpc network mode and one of its task sizes. Meant to run with the spec rules (validate, plan).
 */
export function launchTypeIssues(spec: MeshSpec): SpecIssue[] {
  if (spec.network.launchType !== 'FARGATE') return [];
  const issues: SpecIssue[] = [];
  if (typeof spec.network.mode === 'string' && spec.network.mode !== 'awsvpc') issues.push({ path: 'network.mode', message: 'Fargate runs tasks in awsvpc network mode only' });
  const size = (path: PropertyKey[], cpu: number, memory: number) => {
    // Sizes the schema refused (not numbers) are reported there, not here.
    if (typeof cpu === 'number' && typeof memory === 'number' && !isFargateSize(cpu, memory)) issues.push({ path: formatPath(path), message: `cpu ${cpu} with memory ${memory} is not a Fargate task size` });
  };
  size(['consul', 'servers', 'cpu'], spec.consul.servers.cpu, spec.consul.servers.memory);
  spec.clusters.forEach((cluster, ci) => cluster.services.forEach((service, si) => size(['clusters', ci, 'services', si, 'cpu'], service.cpu, service.memory)));
  return issues;
}
