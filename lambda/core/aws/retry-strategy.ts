import type { RetryErrorInfo, RetryStrategyV2, RetryToken } from '@smithy/types';
import { classifyError } from './error-classification';

/**
 * The time a run may still spend. One object per client pool: the run sets `deadline` when it starts,
 * and every client's retry strategy (and AssumeRole's, inside the credential provider) reads it.
 */
export class RunBudget {
  /** Epoch ms after which no retry starts. */
  deadline = Number.POSITIVE_INFINITY;
  /** Where every client reports an attempt that timed out, as it happens; the run sets it with its deadline. */
  warn: ((message: string, details: Record<string, unknown>) => void) | undefined;

  remainingMs(now = Date.now()): number {
    return this.deadline - now;
  }
}

export interface DeadlineRetryStrategyOptions {
  readonly budget: RunBudget;
  /** Attempts for an endpoint that cannot be reached or does not answer in time. */
  readonly maxUnreachableAttempts: number;
  /** @default 100 ms */
  readonly baseDelayMs?: number;
  /** @default 500 ms */
  readonly throttlingBaseDelayMs?: number;
  /** @default 20 s */
  readonly maxDelayMs?: number;
  /** @default Math.random */
  readonly random?: () => number;
  /** @default Date.now */
  readonly clock?: () => number;
}

class Token implements RetryToken {
  constructor(
    private readonly retryCount: number,
    private readonly delayMs: number,
  ) {}

  getRetryCount(): number {
    return this.retryCount;
  }

  getRetryDelay(): number {
    return this.delayMs;
  }
}

/**
 * The one retry policy of every SDK client here, run by the SDK's own retry middleware. It retries
 * throttling, 5xx and reset connections with exponential backoff and full jitter for as long as the
 * run's budget allows (SageMaker's limits are per account, so another client's burst can throttle us
 * for minutes, and giving up early loses a whole region for the day). An endpoint that cannot be
 * reached or does not answer gets `maxUnreachableAttempts`, since that is usually a wrong endpoint or
 * region. Rate is kept by the collector's token buckets, not here: the SDK's adaptive mode would be
 * a second rate limiter working against them (bench/collect-throughput.ts).
 */
export class DeadlineRetryStrategy implements RetryStrategyV2 {
  readonly mode = 'deadline';
  private readonly random: () => number;
  private readonly clock: () => number;

  constructor(private readonly options: DeadlineRetryStrategyOptions) {
    this.random = options.random ?? Math.random;
    this.clock = options.clock ?? Date.now;
  }

  async acquireInitialRetryToken(_retryTokenScope: string): Promise<RetryToken> {
    return new Token(0, 0);
  }

  async refreshRetryTokenForRetry(token: RetryToken, errorInfo: RetryErrorInfo): Promise<RetryToken> {
    const kind = classifyError(errorInfo.error);
    const retries = token.getRetryCount();
    if (kind === 'permanent') throw new Error('not retryable');
    if (kind === 'unreachable' && retries + 1 >= this.options.maxUnreachableAttempts) throw new Error('attempts exhausted');
    const base = kind === 'throttling' ? (this.options.throttlingBaseDelayMs ?? 500) : (this.options.baseDelayMs ?? 100);
    const cap = this.options.maxDelayMs ?? 20_000;
    // Exponent capped so 2 ** retries stays finite however long the budget lets a storm go on.
    let delay = Math.floor(this.random() * Math.min(cap, base * 2 ** Math.min(retries, 30)));
    const hint = errorInfo.retryAfterHint?.getTime();
    if (hint !== undefined && Number.isFinite(hint)) delay = Math.min(cap, Math.max(delay, hint - this.clock()));
    if (this.clock() + delay >= this.options.budget.deadline) throw new Error('time budget exhausted');
    return new Token(retries + 1, delay);
  }

  recordSuccess(): void {}
}
