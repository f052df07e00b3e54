import type { RetryErrorInfo } from '@smithy/types';
import { DeadlineRetryStrategy, RunBudget } from '../../lambda/core/aws/retry-strategy';

const sdkError = (name: string, status: number, extra: object = {}) =>
  Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status }, ...extra });
const info = (error: Error, retryAfterHint?: Date): RetryErrorInfo => ({
  error: error as never,
  errorType: 'CLIENT_ERROR',
  retryAfterHint,
});

function strategy(deadline = Number.POSITIVE_INFINITY, now = 0) {
  const budget = new RunBudget();
  budget.deadline = deadline;
  // random() = 1 makes every delay its cap, so the expected numbers are exact.
  return new DeadlineRetryStrategy({ budget, maxUnreachableAttempts: 3, random: () => 0.999999, clock: () => now });
}

async function delays(retry: DeadlineRetryStrategy, error: Error, times: number): Promise<number[]> {
  let token = await retry.acquireInitialRetryToken('');
  const out: number[] = [];
  for (let i = 0; i < times; i++) {
    token = await retry.refreshRetryTokenForRetry(token, info(error));
    out.push(token.getRetryDelay());
  }
  return out;
}

describe('DeadlineRetryStrategy', () => {
  it('backs off throttling exponentially from 500 ms, capped at 20 s, for as long as there is no deadline', async () => {
    // Act
    const waits = await delays(strategy(), sdkError('ThrottlingException', 400), 9);

    // Assess
    expect(waits).toEqual([499, 999, 1999, 3999, 7999, 15999, 19999, 19999, 19999]);
  });

  it('retries 5xx and reset connections from 100 ms', async () => {
    // Act
    const fiveHundred = await delays(strategy(), sdkError('InternalFailure', 500), 3);
    const reset = await delays(strategy(), Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), 3);

    // Assess
    expect(fiveHundred).toEqual([99, 199, 399]);
    expect(reset).toEqual([99, 199, 399]);
  });

  it('stops before a wait would pass the deadline', async () => {
    // Prepare
    const retry = strategy(900, 0);

    // Act
    const attempt = delays(retry, sdkError('ThrottlingException', 400), 2);

    // Assess
    await expect(attempt).rejects.toThrow('time budget exhausted');
  });

  it('gives an endpoint that cannot be reached only its few attempts', async () => {
    // Prepare
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    const timedOut = Object.assign(new Error('request timed out'), { name: 'TimeoutError' });

    // Act
    const allowed = await delays(strategy(), refused, 2);
    const third = delays(strategy(), timedOut, 3);

    // Assess
    expect(allowed).toHaveLength(2);
    await expect(third).rejects.toThrow('attempts exhausted');
  });

  it.each([
    ['ValidationException', 400],
    ['AccessDeniedException', 403],
    ['ResourceNotFound', 400],
  ])('never retries %s', async (name, status) => {
    // Act
    const attempt = delays(strategy(), sdkError(name, status), 1);

    // Assess
    await expect(attempt).rejects.toThrow('not retryable');
  });

  it('waits at least as long as the service asks in Retry-After, within the cap', async () => {
    // Prepare
    const retry = new DeadlineRetryStrategy({ budget: new RunBudget(), maxUnreachableAttempts: 3, random: () => 0, clock: () => 1_000 });

    // Act
    const token = await retry.refreshRetryTokenForRetry(
      await retry.acquireInitialRetryToken(''),
      info(sdkError('ThrottlingException', 400), new Date(4_000)),
    );

    // Assess
    expect(token.getRetryDelay()).toBe(3_000);
  });
});
