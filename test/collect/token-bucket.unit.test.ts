import { parseOperationRates, TokenBucket } from '../../lambda/core/collect/token-bucket';

/** A clock that only moves when the bucket sleeps, so every wait is exact and the test takes no time. */
function manualClock() {
  const state = { now: 0, sleeps: [] as number[] };
  return {
    state,
    clock: () => state.now,
    sleep: async (ms: number, signal?: AbortSignal) => {
      signal?.throwIfAborted();
      state.sleeps.push(ms);
      state.now += ms;
    },
  };
}

describe('TokenBucket', () => {
  it('allows a burst, then one call per 1/rate seconds', () => {
    // Prepare
    const { state, clock } = manualClock();
    const bucket = new TokenBucket(2, 3, clock);

    // Act
    const burst = [bucket.tryTake(), bucket.tryTake(), bucket.tryTake(), bucket.tryTake()];
    state.now += 499;
    const tooEarly = bucket.tryTake();
    state.now += 1;
    const onTime = bucket.tryTake();

    // Assess
    expect(burst).toEqual([true, true, true, false]);
    expect(tooEarly).toBe(false);
    expect(onTime).toBe(true);
  });

  it('never holds more than its burst, however long it was idle', () => {
    // Prepare
    const { state, clock } = manualClock();
    const bucket = new TokenBucket(10, 2, clock);
    state.now += 60_000;

    // Act
    const taken = Array.from({ length: 5 }, () => bucket.tryTake()).filter(Boolean).length;

    // Assess
    expect(taken).toBe(2);
  });

  it('makes waiting callers sleep exactly until their token, in the order they came', async () => {
    // Prepare
    const { state, clock, sleep } = manualClock();
    const bucket = new TokenBucket(4, 1, clock, sleep);
    const served: number[] = [];

    // Act
    await Promise.all([0, 1, 2, 3].map((i) => bucket.acquire().then(() => served.push(i))));

    // Assess
    expect(served).toEqual([0, 1, 2, 3]);
    expect(state.sleeps).toEqual([250, 250, 250]);
    expect(state.now).toBe(750);
  });

  it('starts the refill over after a drain: the server throttled, so the estimate was too generous', async () => {
    // Prepare
    const { state, clock, sleep } = manualClock();
    const bucket = new TokenBucket(1, 5, clock, sleep);

    // Act
    bucket.drain();
    await bucket.acquire();

    // Assess
    expect(state.sleeps).toEqual([1000]);
  });

  it('stops waiting when the signal is aborted, and serves the next caller', async () => {
    // Prepare
    const { clock, sleep } = manualClock();
    const bucket = new TokenBucket(1, 1, clock, sleep);
    bucket.tryTake();
    const aborted = AbortSignal.abort(new Error('run cancelled'));

    // Act
    const cancelled = bucket.acquire(aborted);
    const next = bucket.acquire();

    // Assess
    await expect(cancelled).rejects.toThrow('run cancelled');
    await expect(next).resolves.toBeUndefined();
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])('refuses a rate of %p calls per second', (rate) => {
    // Act
    const attempt = () => new TokenBucket(rate);

    // Assess
    expect(attempt).toThrow(`ratePerSecond is ${rate}; allowed: a positive number`);
  });
});

describe('parseOperationRates', () => {
  const reject = (part: string) => new Error(`bad ${part}`);

  it('reads operation=rate pairs, ignoring spaces and empty parts', () => {
    // Act
    const rates = parseOperationRates(
      ' ListTrainingJobs = 2 ,, DescribeTrainingJob=0.5 ',
      ['ListTrainingJobs', 'DescribeTrainingJob'],
      reject,
    );

    // Assess
    expect(rates).toEqual({ ListTrainingJobs: 2, DescribeTrainingJob: 0.5 });
  });

  it.each(['Unknown=2', 'ListTrainingJobs=0', 'ListTrainingJobs=abc', 'ListTrainingJobs'])("hands %p to the caller's rejection", (part) => {
    // Act
    const attempt = () => parseOperationRates(part, ['ListTrainingJobs'], reject);

    // Assess
    expect(attempt).toThrow(`bad ${part}`);
  });
});
