import { setTimeout as delay } from 'node:timers/promises';

/**
 * A token bucket: `ratePerSecond` tokens refill continuously up to `burst`. The collector awaits
 * `acquire()` before each call so it never sends faster than the API's limit; the simulator uses
 * `tryTake()` to decide which calls to throttle, so both sides share one definition of "rate".
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly ratePerSecond: number,
    readonly burst: number = Math.max(1, ratePerSecond),
    /** Milliseconds, monotonic. */
    private readonly clock: () => number = () => performance.now(),
    private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void> = (ms, signal) => delay(ms, undefined, { signal }),
  ) {
    if (!(ratePerSecond > 0) || !Number.isFinite(ratePerSecond)) {
      throw new RangeError(`ratePerSecond is ${ratePerSecond}; allowed: a positive number`);
    }
    if (!(burst >= 1) || !Number.isFinite(burst)) throw new RangeError(`burst is ${burst}; allowed: a number of at least 1`);
    this.tokens = burst;
    this.updatedAt = clock();
  }

  private refill(): void {
    const now = this.clock();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.updatedAt) / 1000) * this.ratePerSecond);
    this.updatedAt = now;
  }

  /** Takes a token if one is there; never waits. */
  tryTake(): boolean {
    this.refill();
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    return false;
  }

  /** Waits for a token. Callers are served in order, so none starves under contention. */
  acquire(signal?: AbortSignal): Promise<void> {
    const turn = this.queue.then(async () => {
      for (;;) {
        this.refill();
        if (this.tokens >= 1) {
          this.tokens -= 1;
          return;
        }
        const waitMs = Math.ceil(((1 - this.tokens) / this.ratePerSecond) * 1000);
        await this.sleep(waitMs, signal);
      }
    });
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  /** Empties the bucket, e.g. after the server throttled us: our estimate of its state was too generous. */
  drain(): void {
    this.refill();
    this.tokens = Math.min(this.tokens, 0);
  }
}

/**
 * Parses "ListTrainingJobs=2,DescribeTrainingJob=10": the one syntax for rate limits, used by the
 * collector's configuration and the simulator's. A part with an unknown operation or a rate that is
 * not a positive number is passed to `reject`, which builds the caller's own error.
 */
export function parseOperationRates(text: string, operations: readonly string[], reject: (part: string) => Error): Record<string, number> {
  const rates: Record<string, number> = {};
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '')) {
    const [operation, value] = part.split('=').map((s) => s.trim());
    const rate = Number(value);
    if (!operations.includes(operation) || !(rate > 0) || !Number.isFinite(rate)) throw reject(part);
    rates[operation] = rate;
  }
  return rates;
}
