import type { FinalizeHandler, FinalizeHandlerArguments, MetadataBearer } from '@smithy/types';
import type { WithFinalizeStack } from '../aws/clients';
import { classifyError, describeAwsError, RetriesExhaustedError } from '../aws/error-classification';
import { CallStatsRecorder } from './call-stats';
import type { CallObserver } from './stall-watch';
import { TokenBucket } from './token-bucket';

// The defaults are conservative: SageMaker's control-plane limits are not adjustable and not all published;
// a public report puts ListTrainingJobs near 2/s. Staying under them costs little and avoids throttling
// storms that would slow every other client in the account. They are declared with the other settings.
export { DEFAULT_RATE_LIMITS, type ApiRateLimits } from '../settings/settings';
import type { ApiRateLimits } from '../settings/settings';
import type { SourceOperation } from '../names';

/** How many failed attempts one call may have before it gives up on its own, short of the deadline. */
export interface AttemptCaps {
  /** 5xx, resets and attempts without an answer. @default no cap */
  readonly maxTransientAttempts?: number;
  /**
   * Throttled attempts, counted only once the operation has succeeded for another call of this run: while
   * nothing gets through, the throttling is the account's and only the deadline ends it. @default no cap
   */
  readonly maxThrottledAttempts?: number;
}

/**
 * Paces the calls of one (account, region) run. Each operation has a token bucket, and every HTTP
 * attempt (the SDK's retries included) waits for a token: the gate is a middleware added to each
 * command below the SDK's retry middleware, so a retry can never push the client over its limit. A
 * throttled attempt empties the bucket: our estimate of the server's allowance was too generous.
 */
export class RateLimitedSender {
  readonly calls = new CallStatsRecorder();
  private readonly buckets: Record<SourceOperation, TokenBucket>;
  /** Operations that have had a successful attempt in this run. */
  private readonly served = new Set<SourceOperation>();

  constructor(
    limits: ApiRateLimits,
    /** Aborted when the run ends early; a caller waiting for a token stops waiting. */
    private readonly signal: AbortSignal,
    /** Told of every attempt's outcome (the stall watch). @default none */
    private readonly observer?: CallObserver,
  ) {
    this.buckets = Object.fromEntries(Object.entries(limits).map(([operation, rate]) => [operation, new TokenBucket(rate, 1)])) as Record<
      SourceOperation,
      TokenBucket
    >;
  }

  /**
   * Adds the gate to `command` and returns it: call it on a command before `send`, or pass
   * `sender.gate('Op')` as a paginator's `withCommand` hook.
   */
  gate(operation: SourceOperation, caps: AttemptCaps = {}): <C extends WithFinalizeStack>(command: C) => C {
    return (command) => {
      const stats = this.calls.operation(operation);
      const bucket = this.buckets[operation];
      const signal = this.signal;
      const failures = { transient: 0, throttled: 0 };
      let attempts = 0;
      const middleware =
        <Output extends MetadataBearer>(next: FinalizeHandler<object, Output>) =>
        async (args: FinalizeHandlerArguments<object>) => {
          await bucket.acquire(signal);
          signal.throwIfAborted();
          stats.calls++;
          if (attempts++ > 0) stats.retries++;
          try {
            const output = await next(args);
            this.served.add(operation);
            this.observer?.succeeded(operation);
            return output;
          } catch (error) {
            this.observer?.failed(operation, error);
            throw this.attemptFailed(operation, error, caps, failures);
          }
        };
      command.middlewareStack.add(middleware as never, {
        step: 'finalizeRequest',
        name: `inventoryRateLimit${operation}`,
        priority: 'low',
        override: true,
      });
      return command;
    };
  }

  /** Counts a failed attempt; the error to throw is a RetriesExhaustedError once the call reached one of its caps. */
  private attemptFailed(
    operation: SourceOperation,
    error: unknown,
    caps: AttemptCaps,
    failures: { transient: number; throttled: number },
  ): unknown {
    const stats = this.calls.operation(operation);
    const kind = classifyError(error);
    if (kind === 'throttling') {
      stats.throttles++;
      this.buckets[operation].drain();
      // Throttling is about the account, not this call, until the operation succeeds for other calls.
      if (this.served.has(operation) && ++failures.throttled >= (caps.maxThrottledAttempts ?? Number.POSITIVE_INFINITY))
        return new RetriesExhaustedError(
          `${operation} was throttled ${failures.throttled} times for this call while it succeeded for others: ${describeAwsError(error)}`,
          { cause: error },
        );
      return error;
    }
    stats.errors++;
    if ((kind === 'transient' || kind === 'unreachable') && ++failures.transient >= (caps.maxTransientAttempts ?? Number.POSITIVE_INFINITY))
      return new RetriesExhaustedError(`${operation} failed ${failures.transient} times: ${describeAwsError(error)}`, { cause: error });
    return error;
  }
}
