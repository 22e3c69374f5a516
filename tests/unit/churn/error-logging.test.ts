/**
 * Errors reach the log whole: name, message, stack and cause (Powertools' Logger writes an Error object so), while
 * secret-looking keys stay blank. A name and a message alone, as these lines logged before, lose where the error
 * came from and what caused it (a ConsulUnavailable whose cause was ECONNREFUSED or a TLS failure).
 */
import { logTaskEventFailure } from '../../../layers/churn/event-metrics';
import { ConsulUnavailableError, InvalidEventError } from '../../../layers/errors';
import { createLogger } from '../../../layers/logger';

/** The JSON lines the logger wrote while `fn` ran. */
function logLines(fn: (logger: ReturnType<typeof createLogger>) => void): Array<Record<string, unknown>> {
  const written: string[] = [];
  // Powertools writes WARN and ERROR lines to stderr, the others to stdout.
  const spies = [process.stdout, process.stderr].map((stream) =>
    jest.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    }),
  );
  try {
    fn(createLogger('test'));
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  return written.join('').split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('logging a failed task event', () => {
  it('writes the error with its stack and cause, at INFO when Lambda retries it', () => {
    const cause = new Error('connect ECONNREFUSED 10.0.1.10:8501');
    const [line] = logLines((logger) => logTaskEventFailure(logger, new ConsulUnavailableError('consul is unreachable', { cause }), 'event-1'));
    expect(line).toMatchObject({ level: 'INFO', eventId: 'event-1', error: { name: 'ConsulUnavailable', message: 'consul is unreachable', cause: { message: cause.message } } });
    expect((line.error as { stack?: string }).stack).toContain('consul is unreachable');
  });

  it('writes the error at ERROR when no retry will help, without the event', () => {
    const [line] = logLines((logger) => logTaskEventFailure(logger, new InvalidEventError([{ path: 'detail.taskArn', message: 'is missing' }]), 'event-2'));
    expect(line).toMatchObject({ level: 'ERROR', eventId: 'event-2', error: { name: 'InvalidEvent', message: expect.stringContaining('detail.taskArn: is missing') } });
  });
});

describe('the logger', () => {
  it('blanks secret-looking keys at any depth', () => {
    const [line] = logLines((logger) => logger.info('token check', { token: 'abc', nested: { secretId: 'def', gossipKey: 'ghi' }, cluster: 'c' }));
    expect(line).toMatchObject({ token: '[redacted]', nested: { secretId: '[redacted]', gossipKey: '[redacted]' }, cluster: 'c' });
  });
});
