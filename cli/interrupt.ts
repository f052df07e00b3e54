import { constants } from 'node:os';

/** The signals that ask a run to stop: Ctrl-C at a terminal, and what service managers and `kill` send. */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];

/** A stop asked for by a signal; the abort reason of an interruption's `signal`. */
export class StopRequest extends Error {
  constructor(readonly signalName: StopSignal) {
    super(`stopped by ${signalName}`);
  }

  /** The shell's convention for a process ended by a signal: 128 + its number (130 for SIGINT, 143 for SIGTERM). */
  get exitCode(): number {
    return 128 + constants.signals[this.signalName];
  }
}

/** SIGINT and SIGTERM while a command runs, as an AbortSignal the command stops on. */
export interface Interruption {
  readonly signal: AbortSignal;
  /** Puts the default handling of the signals back. */
  dispose(): void;
}

/** Watches the process for stop signals; a command opts in, since one that does not listen would ignore Ctrl-C. */
export type InterruptionSource = () => Interruption;

/**
 * The first SIGINT or SIGTERM aborts the signal (the command stops cleanly: calls cancelled, progress
 * saved, locks released); a second one exits at once with the signal's exit code, leaving what the next
 * run cleans up (its lock and scratch files name this process, which is then gone).
 */
export function processInterruptions(err: NodeJS.WritableStream, exit: (code: number) => void = process.exit): InterruptionSource {
  return () => {
    const controller = new AbortController();
    const onSignal = (name: StopSignal) => {
      const request = new StopRequest(name);
      if (controller.signal.aborted) {
        err.write(`\n${name} again: exiting at once; the next run removes the lock and scratch files this one leaves\n`);
        exit(request.exitCode);
        return;
      }
      err.write(`\n${name}: stopping; cancelling the calls in flight and saving progress (${name} again exits at once)\n`);
      controller.abort(request);
    };
    for (const name of STOP_SIGNALS) process.on(name, onSignal);
    return {
      signal: controller.signal,
      dispose: () => {
        for (const name of STOP_SIGNALS) process.off(name, onSignal);
      },
    };
  };
}
