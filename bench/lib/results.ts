/**
 * The JSON a benchmark leaves behind: its figures plus what they were measured on, so two result files can be
 * compared knowing whether the machine, the Node version or the GC setting differed.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem, loadavg } from 'node:os';
import { join } from 'node:path';
import type { GcMode } from './memory';

/** Figures as JSON: numbers, strings, booleans, nested objects and arrays. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue | undefined };
export type JsonObject = { [key: string]: JsonValue | undefined };

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  totalMemoryBytes: number;
  /** 1-minute load average when the benchmark started: a busy shared machine explains slow figures. */
  loadAverage1m: number;
  platform: string;
  arch: string;
  node: string;
  v8: string;
  gc: GcMode;
}

export interface ResultDocument {
  benchmark: string;
  /** ISO 8601 time the benchmark finished. */
  date: string;
  machine: MachineInfo;
  durationMs: number;
  figures: JsonObject;
}

/** The machine this process runs on. */
export function describeMachine(gc: GcMode): MachineInfo {
  const processors = cpus();
  return {
    cpus: processors.length,
    cpuModel: processors[0]?.model.trim() ?? 'unknown',
    totalMemoryBytes: totalmem(),
    loadAverage1m: loadavg()[0],
    platform: process.platform,
    arch: process.arch,
    node: process.version,
    v8: process.versions.v8,
    gc,
  };
}

/** Builds the document written for one benchmark run. */
export function buildResultDocument(input: {
  benchmark: string;
  machine: MachineInfo;
  durationMs: number;
  figures: JsonObject;
  date?: Date;
}): ResultDocument {
  return {
    benchmark: input.benchmark,
    date: (input.date ?? new Date()).toISOString(),
    machine: input.machine,
    durationMs: input.durationMs,
    figures: input.figures,
  };
}

/** Writes `<directory>/<benchmark>.json` (the directory is created if missing) and returns its path. */
export async function writeResultDocument(directory: string, document: ResultDocument): Promise<string> {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(document.benchmark)) {
    throw new RangeError(`benchmark name '${document.benchmark}' must be lower-case letters, digits and dashes`);
  }
  await mkdir(directory, { recursive: true });
  const path = join(directory, `${document.benchmark}.json`);
  await writeFile(path, `${JSON.stringify(document, null, 2)}\n`);
  return path;
}
