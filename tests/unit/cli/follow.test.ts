import { backoffMs, followOperation, liveOutput, MAX_POLL_FAILURES, renderDetached, reportEnded, type FollowDeps } from '../../../cli/follow';
import { ApiError, ApiUnreachableError } from '../../../cli/http-backend';
import { NotFoundError } from '../../../layers/errors';

type View = { status: string; step: string };

/** The outside world of the loop: recorded sleeps, stderr, and a Ctrl-C a test can press. */
function world() {
  const sleeps: number[] = [];
  let stderr = '';
  let interrupt: (() => void) | undefined;
  let listening = false;
  const deps: FollowDeps = {
    stderr: { write: (s: string) => (stderr += s) },
    sleep: async (ms) => void sleeps.push(ms),
    pollIntervalMs: 500,
    onInterrupt: (handler) => {
      interrupt = handler;
      listening = true;
      return () => (listening = false);
    },
  };
  return { deps, sleeps, stderr: () => stderr, press: () => interrupt?.(), listening: () => listening };
}

/** A poll that answers the given views (or throws the given errors) in turn. */
function script(...answers: Array<View | Error>) {
  let n = 0;
  return async (): Promise<View> => {
    const answer = answers[Math.min(n++, answers.length - 1)];
    if (answer instanceof Error) throw answer;
    return answer;
  };
}

const running = (step: string): View => ({ status: 'RUNNING', step });
const ended: View = { status: 'SUCCEEDED', step: 'done' };

describe('followOperation: the one follow loop', () => {
  it('polls until the operation has ended, shows every view, and pauses the poll interval between polls', async () => {
    const w = world();
    const shown: string[] = [];
    const last = await followOperation({ poll: script(running('a'), running('b'), ended), ended: (v) => v.status !== 'RUNNING', show: (v) => shown.push(v.step) }, w.deps);
    expect(last).toEqual(ended);
    expect(shown).toEqual(['a', 'b', 'done']);
    expect(w.sleeps).toEqual([500, 500]);
  });

  it('polls once with `once`, whatever the view shows', async () => {
    const w = world();
    expect(await followOperation({ poll: script(running('a'), ended), ended: () => false, once: true }, w.deps)).toEqual(running('a'));
    expect(w.sleeps).toEqual([]);
  });

  it('tries a poll that failed on the way again, with a doubling pause, and says so', async () => {
    const w = world();
    const unreachable = new ApiUnreachableError('cannot reach the HTTP API at http://api.test');
    const busy = new ApiError(503, 'ServiceUnavailable', 'a service the API depends on is unavailable');
    const last = await followOperation({ poll: script(running('a'), unreachable, busy, ended), ended: (v) => v.status !== 'RUNNING' }, w.deps);
    expect(last).toEqual(ended);
    expect(w.sleeps).toEqual([500, 1000, 2000]);
    expect(w.stderr()).toBe(
      'could not read the progress (ApiUnreachable: cannot reach the HTTP API at http://api.test); trying again in 1s\n' +
        'could not read the progress (ApiError: a service the API depends on is unavailable); trying again in 2s\n',
    );
  });

  it(`gives up after ${MAX_POLL_FAILURES} failed polls in a row, with the last error`, async () => {
    const w = world();
    const unreachable = new ApiUnreachableError('down');
    await expect(followOperation({ poll: script(unreachable), ended: () => false }, w.deps)).rejects.toBe(unreachable);
    expect(w.sleeps).toHaveLength(MAX_POLL_FAILURES - 1);
  });

  it('ends at once on an error another try would not fix (a 4xx)', async () => {
    const w = world();
    const gone = new NotFoundError('no rollout r-20250304050607-aaa111');
    await expect(followOperation({ poll: script(gone, ended), ended: () => true }, w.deps)).rejects.toBe(gone);
    expect(w.sleeps).toEqual([]);
  });

  it('on Ctrl-C leaves the frame and says the operation keeps running and how to follow or cancel it; stops listening at the end', async () => {
    const w = world();
    const events: string[] = [];
    const interrupted = renderDetached('rollout', 'r-20250304050607-aaa111', 'GET /services/users/rollouts/r-20250304050607-aaa111');
    const poll = script(running('a'), ended);
    await followOperation(
      {
        poll: async () => {
          const view = await poll();
          if (view.status === 'RUNNING') w.press();
          return view;
        },
        ended: (v) => v.status !== 'RUNNING',
        close: () => events.push('close'),
        interrupted,
      },
      w.deps,
    );
    expect(events[0]).toBe('close');
    expect(w.stderr()).toBe(
      'Stopped following rollout r-20250304050607-aaa111; it keeps running.\n' +
        '  follow it:  GET /services/users/rollouts/r-20250304050607-aaa111\n' +
        '  cancel it:  meshctl cancel r-20250304050607-aaa111\n',
    );
    expect(w.listening()).toBe(false);
  });

  it('pauses at least a second and at most 30 s after failures', () => {
    expect([1, 2, 3, 10].map((n) => backoffMs(0, n))).toEqual([1000, 2000, 4000, 30_000]);
  });
});

describe('liveOutput', () => {
  const render = { frame: (v: View) => [`frame ${v.step}`], transitions: (before: View | undefined, after: View) => (before?.step === after.step ? [] : [`now ${after.step}`]) };

  it('redraws a frame in place on a terminal', () => {
    let text = '';
    const live = liveOutput<View>({ write: (s: string) => (text += s), isTTY: true }, {}, false, render);
    live.show?.(running('a'));
    live.show?.(running('b'));
    live.close?.();
    expect(text).toBe('frame a\n\x1b[1A\r\x1b[Jframe b\n');
  });

  it.each([
    ['not a terminal', false, {}],
    ['NO_COLOR', true, { NO_COLOR: '1' }],
    ['TERM=dumb', true, { TERM: 'dumb' }],
  ])('prints one line per change, without escapes, when %s', (_name, isTTY, env) => {
    let text = '';
    const live = liveOutput<View>({ write: (s: string) => (text += s), isTTY }, env, false, render);
    for (const v of [running('a'), running('a'), running('b')]) live.show?.(v);
    expect(text).toBe('now a\nnow b\n');
  });

  it('shows nothing with --json', () => {
    expect(liveOutput<View>({ write: () => true, isTTY: true }, {}, true, render)).toEqual({});
  });
});

describe('reportEnded', () => {
  it('prints the outcome and exits 0 only when the operation succeeded; --json prints the last view', () => {
    let out = '';
    let err = '';
    const deps = { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } };
    const render = (v: View) => (v.status === 'SUCCEEDED' ? { out: ['done'], err: [] } : { out: [], err: [`ended ${v.status}`] });
    expect(reportEnded(ended, false, render, deps)).toBe(0);
    expect(reportEnded({ status: 'ABORTED', step: 'x' }, false, render, deps)).toBe(1);
    expect({ out, err }).toEqual({ out: 'done\n', err: 'ended ABORTED\n' });
    out = '';
    expect(reportEnded({ status: 'ROLLED_BACK', step: 'x' }, true, render, deps)).toBe(1);
    expect(JSON.parse(out)).toEqual({ status: 'ROLLED_BACK', step: 'x' });
  });
});
