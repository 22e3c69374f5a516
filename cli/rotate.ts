import type { RotationView } from '../layers/api/contract';
import { ConcurrentOperationError, InvalidInputError, NotFoundError, RotationNotSupportedError } from '../layers/errors';
import { createApiBackend, type BackendOptions } from './backend-factory';
import { writeLines, type CliDeps } from './cli-deps';
import { followOperation, liveOutput, renderDetached, reportEnded } from './follow';

export interface RotateOptions extends Pick<BackendOptions, 'apiUrl' | 'token'> {
  pollSeconds: number;
  maxRounds: number;
  wait: boolean;
  json: boolean;
}

const SYMBOL: Record<string, string> = { pending: '·', running: '▶', done: '✔', failed: '✖' };

/**
 * `meshctl rotate <secret>`: start a rotation through the HTTP API (`POST /rotations`), print the steps it will take
 * in order, then follow it like `deploy` (a frame redrawn on a terminal, one line per change otherwise) to what was
 * replaced and retired.
 *
 * @returns 0 when the secret was rotated (or the rotation started, with `--no-wait`); 1 when it was refused or failed.
 */
export async function rotateCommand(secret: string, options: RotateOptions, deps: CliDeps): Promise<number> {
  const api = createApiBackend(options, deps);
  let started;
  try {
    started = await api.startRotation(secret, { pollSeconds: options.pollSeconds, maxRounds: options.maxRounds });
  } catch (error) {
    if (!(error instanceof ConcurrentOperationError || error instanceof NotFoundError || error instanceof InvalidInputError || error instanceof RotationNotSupportedError)) throw error;
    deps.stderr.write(`meshctl rotate: ${error.message}\n`);
    return 1;
  }
  if (!options.wait) {
    if (options.json) deps.stdout.write(`${JSON.stringify(started, null, 2)}\n`);
    else writeLines(deps.stdout, [`Started rotation ${started.id} of ${secret}`]);
    return 0;
  }
  if (!options.json) writeLines(deps.stdout, [`Rotating ${secret} of mesh ${started.mesh} as ${started.id}:`, ...started.steps.map((s, i) => `  ${i + 1}. ${s}`)]);
  const last = await followOperation(
    {
      poll: () => api.getRotation(started.id),
      ended: (view) => view.status !== 'RUNNING',
      ...liveOutput<RotationView>(deps.stdout, deps.env, options.json, { frame: renderRotationFrame, transitions: renderRotationTransitions }),
      interrupted: renderDetached('rotation', started.id, `GET /rotations/${started.id}`),
    },
    deps,
  );
  return reportEnded(last, options.json, renderRotationOutcome, deps);
}

function renderStep(step: RotationView['steps'][number], view: RotationView): string {
  if (step.state !== 'running' || step.name !== 'wait' || !view.check) return step.state;
  return view.check.waitingFor ? `running, waiting for ${view.check.waitingFor}` : 'running';
}

export function renderRotationFrame(view: RotationView): string[] {
  const width = Math.max(...view.steps.map((s) => s.name.length));
  return [
    `Rotation ${view.id} of ${view.secret ?? 'a secret'}: ${view.status}`,
    ...view.steps.map((s) => `  ${SYMBOL[s.state] ?? '?'} ${s.name.padEnd(width)}  ${s.state === 'pending' ? '' : renderStep(s, view)}`.trimEnd()),
  ];
}

/** One line per step transition, and a running wait's new detail. */
export function renderRotationTransitions(before: RotationView | undefined, after: RotationView): string[] {
  const lines: string[] = [];
  for (const step of after.steps) {
    if (step.state === 'pending') continue;
    const was = before?.steps.find((s) => s.name === step.name);
    const line = renderStep(step, after);
    if (!was || was.state !== step.state || (before && renderStep(was, before) !== line)) lines.push(`[${step.name}] ${line}`);
  }
  return lines;
}

/** What was rotated (versions, replaced tasks, what was retired), or the step and cause of the failure. */
export function renderRotationOutcome(view: RotationView): { out: string[]; err: string[] } {
  if (view.status === 'SUCCEEDED' && view.result) {
    const replaced = Object.entries(view.result.replaced).map(([service, n]) => `${service}: ${n} task(s)`);
    return {
      out: [
        `Rotated ${view.secret ?? ''}: ${view.parameter ?? 'the parameter'} version ${view.result.previousVersion} → ${view.result.version}${
          view.result.keyParameter ? `, ${view.result.keyParameter} version ${view.result.previousKeyVersion} → ${view.result.keyVersion}` : ''
        }`,
        `Replaced ${replaced.join(', ') || 'no task'}; ${view.result.removed}`,
      ],
      err: [],
    };
  }
  let message = view.cause ?? 'no cause recorded';
  try {
    const parsed = JSON.parse(message) as { step?: string; message?: string };
    message = `${parsed.step ? `step ${parsed.step}: ` : ''}${parsed.message ?? message}`;
  } catch {
    // A plain-text cause (a timeout, an abort) is shown as it is.
  }
  return { out: [], err: [`Rotation ${view.id} ${view.status}: ${view.error ?? ''} ${message}`.replace(/\s+/g, ' ').trim()] };
}
