import { setMaxListeners } from 'node:events';
import { TimeBudgetExhaustedError } from '../collect/training-job-source';
import type { InvocationBudget } from './target-run-types';

/**
 * When one invocation's work stops, as two signals. `halted`: no new work starts (the soft stop, a call
 * out of time budget, the caller's signal, or a failure); what is running finishes and progress is saved.
 * `signal`: calls in flight are cancelled (the deadline, a failure, or the caller's own signal). A call
 * the caller cancelled is an interruption, not a failure: its job stays for the next run, whose progress is saved.
 */
export class InvocationControl {
  /** Every call in flight listens on it. */
  readonly signal: AbortSignal;
  readonly halted: AbortSignal;
  private readonly cancel = new AbortController();
  private readonly halt = new AbortController();
  private readonly softStop: ReturnType<typeof setTimeout> | undefined;
  private readonly deadline: ReturnType<typeof setTimeout> | undefined;
  private firstFailure: unknown;
  private firstInterruption: string | undefined;

  constructor(
    budget: InvocationBudget,
    private readonly callerSignal?: AbortSignal,
  ) {
    const signals = [this.cancel.signal];
    if (Number.isFinite(budget.deadline)) {
      // A timer of our own, not AbortSignal.timeout(): on Node 20 a timeout signal held only by AbortSignal.any()
      // can be garbage-collected before it fires, and the deadline then never comes (seen under a loaded test run).
      const timedOut = new AbortController();
      signals.push(timedOut.signal);
      this.deadline = setTimeout(
        () => timedOut.abort(new DOMException('The run reached its deadline', 'TimeoutError')),
        Math.max(0, budget.deadline - Date.now()),
      );
    }
    if (callerSignal) signals.push(callerSignal);
    this.signal = AbortSignal.any(signals);
    // Every call in flight listens on this one signal; that is by design, not a leak.
    setMaxListeners(0, this.signal);
    this.halted = this.halt.signal;
    callerSignal?.addEventListener('abort', this.callerAborted, { once: true });
    if (callerSignal?.aborted) this.callerAborted();
    if (Date.now() >= budget.softStopAt) this.halt.abort();
    else if (Number.isFinite(budget.softStopAt)) this.softStop = setTimeout(() => this.halt.abort(), budget.softStopAt - Date.now());
  }

  /** The first error that failed the invocation; undefined when none did. */
  get failure(): unknown {
    return this.firstFailure;
  }

  /** What the time budget interrupted, when it did (e.g. a call still throttled or failing). */
  get interrupted(): string | undefined {
    return this.firstInterruption;
  }

  /** Runs `action` once the invocation halts, or now if it has. */
  onHalt(action: () => void): void {
    if (this.halted.aborted) action();
    else this.halted.addEventListener('abort', action, { once: true });
  }

  /**
   * A call out of time budget halts the invocation, which saves its progress and continues later; any
   * other error fails it and cancels the calls in flight.
   */
  fail(error: unknown): void {
    if (error instanceof TimeBudgetExhaustedError) this.interrupt(error.message);
    else if (this.callerSignal?.aborted) this.callerAborted();
    else if (this.firstFailure === undefined) {
      this.firstFailure = error;
      this.halt.abort();
      this.cancel.abort(error);
    }
  }

  private readonly callerAborted = (): void => this.interrupt(callerStopped(this.callerSignal!));

  private interrupt(why: string): void {
    this.firstInterruption ??= why;
    this.halt.abort();
  }

  /** Releases the soft-stop and deadline timers once the work is over. */
  dispose(): void {
    clearTimeout(this.softStop);
    clearTimeout(this.deadline);
    this.callerSignal?.removeEventListener('abort', this.callerAborted);
  }
}

/** What stopped the run, in words: the caller's reason when it gives one (`stopped by SIGTERM`). */
function callerStopped(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  return reason instanceof Error && reason.message ? reason.message : 'the run was stopped by its caller';
}
