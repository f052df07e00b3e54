import type { HttpRequest, HttpResponse } from '@smithy/core/protocols';
import { NodeHttpHandler, type NodeHttpHandlerOptions } from '@smithy/node-http-handler';
import type { HttpHandlerOptions } from '@smithy/types';
import { Readable } from 'node:stream';

/** The name the SDK's own timeouts carry, so the retry strategy and the error classifier treat both alike. */
const TIMEOUT_ERROR_NAME = 'TimeoutError';

/**
 * One HTTP attempt ran past its deadline: no complete answer (headers and body) within `timeoutMs`.
 * It stands in for the SDK's own timeout errors (their name, code and `$metadata`), not for one of the
 * inventory's errors: it is not an InventoryError, so the collector's error that wraps it keeps its
 * context ("ListTrainingJobs failed in …: TimeoutError …") instead of being unwrapped down to it.
 */
export class AttemptTimeoutError extends Error {
  override readonly name = TIMEOUT_ERROR_NAME;
  readonly code = 'ETIMEDOUT';
  /**
   * Present so the SDK's deserializer, which this error can escape from while it reads the body, leaves
   * the message alone instead of appending its hint about the raw response.
   */
  readonly $metadata = {};

  constructor(
    readonly timeoutMs: number,
    where: string,
  ) {
    super(`no complete answer from ${where} within ${timeoutMs / 1000} s (the attempt's deadline)`);
  }
}

export interface AttemptDeadlineHandlerOptions extends NodeHttpHandlerOptions {
  /** Time one attempt may take in all: connecting, sending, the headers and the whole body. */
  readonly attemptTimeoutMs: number;
}

/**
 * The SDK's Node handler with a total deadline per HTTP attempt. Neither of its own timeouts bounds an
 * attempt: `requestTimeout` (@smithy/node-http-handler 4.x) stops at the response headers, and
 * `socketTimeout` is an idle timer that a body trickling one byte every half second keeps resetting.
 * A middleware racing each attempt at the retry step could give up waiting but not stop the request,
 * since the handler listens to the call's abort signal, not the attempt's; so the deadline lives here,
 * where each `handle` is one attempt: it gets a signal of its own (the call's signal forwarded into
 * it), and at the deadline the request is aborted, or the body being read is destroyed, with an
 * AttemptTimeoutError that the retry strategy counts as an attempt that got no answer.
 */
export class AttemptDeadlineHandler extends NodeHttpHandler {
  private readonly attemptTimeoutMs: number;

  constructor(options: AttemptDeadlineHandlerOptions) {
    const { attemptTimeoutMs, ...handlerOptions } = options;
    super(handlerOptions);
    this.attemptTimeoutMs = attemptTimeoutMs;
  }

  override async handle(request: HttpRequest, options: HttpHandlerOptions = {}): Promise<{ response: HttpResponse }> {
    const attempt = new AbortController();
    const callerSignal = options.abortSignal as AbortSignal | undefined;
    const forward = () => attempt.abort(callerSignal?.reason);
    if (callerSignal?.aborted) forward();
    else callerSignal?.addEventListener('abort', forward, { once: true });
    let body: Readable | undefined;
    let timeout: AttemptTimeoutError | undefined;
    // A timer of our own, cleared when the attempt ends: AbortSignal.timeout() inside AbortSignal.any() is
    // garbage-collected on Node 20 and never fires (see invocation-control.ts). The error (and its stack) is
    // made only when the deadline passes, not for each of the many attempts that end in time.
    const timer = setTimeout(() => {
      timeout = new AttemptTimeoutError(this.attemptTimeoutMs, `${request.hostname}${request.path}`);
      attempt.abort(timeout);
      body?.destroy(timeout);
    }, this.attemptTimeoutMs);
    const release = () => {
      clearTimeout(timer);
      callerSignal?.removeEventListener('abort', forward);
    };
    try {
      const result = await super.handle(request, { ...options, abortSignal: attempt.signal });
      const answer = result.response.body as unknown;
      if (answer instanceof Readable && !answer.destroyed) {
        body = answer;
        // The deadline covers the body too: it is released once the body is read (or given up).
        answer.once('close', release);
      } else {
        release();
      }
      return result;
    } catch (error) {
      release();
      throw timeout !== undefined && attempt.signal.reason === timeout ? timeout : error;
    }
  }
}
