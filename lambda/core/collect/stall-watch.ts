import { describeAwsError } from '../aws/error-classification';
import { CollectError } from '../errors';
import type { SourceOperation } from '../names';

/** An (account, region) went a whole stall period without one successful call. Names the last failure. */
export class StalledError extends CollectError {}

/** What the rate gate tells about each attempt it let through. */
export interface CallObserver {
  succeeded(operation: SourceOperation): void;
  failed(operation: SourceOperation, error: unknown): void;
}

/**
 * Gives up on a target whose calls have all failed, or not answered, for `periodMs`: a dead endpoint or
 * an endless storm then ends with its cause instead of running to the time budget. One timer, moved
 * forward lazily: a success only records its time.
 */
export class StallWatch implements CallObserver {
  private lastSuccess = Date.now();
  private lastFailure: string | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly periodMs: number,
    /** "in us-east-1 for account 123456789012", for the message. */
    private readonly where: string,
    private readonly onStall: (error: StalledError) => void,
  ) {
    this.schedule(periodMs);
  }

  succeeded(): void {
    this.lastSuccess = Date.now();
  }

  failed(operation: SourceOperation, error: unknown): void {
    this.lastFailure = `${operation}: ${describeAwsError(error)}`;
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => this.check(), delayMs);
  }

  private check(): void {
    const quietMs = Date.now() - this.lastSuccess;
    if (quietMs < this.periodMs) return this.schedule(this.periodMs - quietMs);
    this.timer = undefined;
    this.onStall(
      new StalledError(
        `no call succeeded ${this.where} for ${this.periodMs / 1000} s (the stall period, SM_INVENTORY_STALL_PERIOD), so it gave up before the time budget; ` +
          `the last failure: ${this.lastFailure ?? 'none, the calls got no answer'}`,
      ),
    );
  }
}
