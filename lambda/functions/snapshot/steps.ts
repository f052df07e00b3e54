import { classifyError } from '../../core/aws/error-classification';
import { InventoryError } from '../../core/errors';
import { collectStep } from './collect-step';
import { resolveStep } from './resolve-step';
import type { FunctionRuntime } from './runtime';
import { readStepEvent, type CollectAnswer, type ResolvedRun, type RunSummary } from './step-events';
import { summarizeStep } from './summarize-step';

/**
 * A step failed for a reason that passes (throttling, a 5xx, an endpoint that did not answer in
 * time): the state machine retries it after a pause, by this name. Anything else fails the step.
 */
export class TransientStepError extends InventoryError {}

/** Whether an error, or any error it wraps, is one a later attempt may not meet. */
function isTransient(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 8; current = (current as { cause?: unknown }).cause, depth++) {
    if (classifyError(current) !== 'permanent') return true;
  }
  return false;
}

export type StepAnswer = ResolvedRun | CollectAnswer | RunSummary;

/** Runs the step the event names; see lib/snapshot-state-machine.ts for the order. */
export async function runStep(event: { step: unknown }, runtime: FunctionRuntime, remainingMs: number): Promise<StepAnswer> {
  const step = readStepEvent(event);
  try {
    switch (step.step) {
      case 'resolve':
        return await resolveStep(step, runtime, remainingMs);
      case 'collect':
        return await collectStep(step, runtime, remainingMs);
      case 'summarize':
        return summarizeStep(step, runtime);
    }
  } catch (error) {
    if (!isTransient(error)) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new TransientStepError(`the ${step.step} step met a passing failure and may be retried: ${message}`, { cause: error });
  }
}
