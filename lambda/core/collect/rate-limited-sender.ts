import type { FinalizeHandler, FinalizeHandlerArguments, MetadataBearer } from '@smithy/types';
import { classifyError, describeAwsError, RetriesExhaustedError } from '../aws/error-classification';
import { CallStatsRecorder } from './call-stats';
import { TokenBucket } from './token-bucket';

// The defaults are conservative: SageMaker's control-plane limits are not adjustable and not all published;
// a public report puts ListTrainingJobs near 2/s. Staying under them costs little and avoids throttling
// storms that would slow every other client in the account. They are declared with the other settings.
export { DEFAULT_RATE_LIMITS, type ApiRateLimits } from '../settings/settings';
import type { ApiRateLimits } from '../settings/settings';
import type { SourceOperation } from '../names';

/** The part of an SDK v3 command this module touches: its own middleware stack. */
interface CommandWithStack {
  readonly middlewareStack: {
    add(middleware: never, options: { step: 'finalizeRequest'; name: string; priority: 'low'; override: boolean }): void;
  };
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

  constructor(
    limits: ApiRateLimits,
    /** Aborted when the run ends early; a caller waiting for a token stops waiting. */
    private readonly signal: AbortSignal,
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
  gate(operation: SourceOperation, options: { maxTransientAttempts?: number } = {}): <C extends CommandWithStack>(command: C) => C {
    const maxTransientAttempts = options.maxTransientAttempts ?? Number.POSITIVE_INFINITY;
    return (command) => {
      const stats = this.calls.operation(operation);
      const bucket = this.buckets[operation];
      const signal = this.signal;
      let attempts = 0;
      let transientFailures = 0;
      const middleware =
        <Output extends MetadataBearer>(next: FinalizeHandler<object, Output>) =>
        async (args: FinalizeHandlerArguments<object>) => {
          await bucket.acquire(signal);
          signal.throwIfAborted();
          stats.calls++;
          if (attempts++ > 0) stats.retries++;
          try {
            return await next(args);
          } catch (error) {
            const kind = classifyError(error);
            if (kind === 'throttling') {
              stats.throttles++;
              bucket.drain();
            } else {
              stats.errors++;
            }
            // Throttling is about the account, not this call: only the deadline ends its retries.
            if ((kind === 'transient' || kind === 'unreachable') && ++transientFailures >= maxTransientAttempts) {
              throw new RetriesExhaustedError(`${operation} failed ${transientFailures} times: ${describeAwsError(error)}`, {
                cause: error,
              });
            }
            throw error;
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
}
