import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command to completion without blocking the event loop (tests serve HTTP to the command, e.g. the ECS
 * metadata endpoint), with exactly the given environment.
 */
export function run(command: string, args: string[], env: Record<string, string>, cwd?: string): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** A fresh private directory under the system temporary directory. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o700);
  return dir;
}

/** Writes an executable test double (a POSIX sh script) into `binDir`. */
export function writeExecutable(binDir: string, name: string, script: string): void {
  mkdirSync(binDir, { recursive: true });
  const path = join(binDir, name);
  writeFileSync(path, script);
  chmodSync(path, 0o755);
}

/** Every file and directory under `dir` with its permission bits, relative paths as keys. */
export function modesUnder(dir: string, prefix = ''): Record<string, number> {
  const modes: Record<string, number> = {};
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix + entry.name;
    modes[rel] = statSync(join(dir, entry.name)).mode & 0o777;
    if (entry.isDirectory()) Object.assign(modes, modesUnder(join(dir, entry.name), `${rel}/`));
  }
  return modes;
}

/** Parses `KEY=value` lines as written by `env` (values may not span lines in these tests). */
export function parseEnvDump(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) env[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return env;
}
