import { ConfigError } from '../../core/errors';
import { resolveTargetSet } from '../../core/pipeline/targets';
import { utcDate } from '../../core/publish/layout';
import { invocationBudget, type FunctionRuntime } from './runtime';
import { readRunInput, type ResolvedRun, type ResolveEvent } from './step-events';

/**
 * The most (account, region) targets one execution takes. Each target's outcome travels in the
 * execution's state (256 KiB at most, about 300 bytes each with the errors cut short) and adds about
 * a dozen events to its history (25,000 at most); 500 keeps both with room to spare.
 */
export const MAX_TARGETS_PER_EXECUTION = 500;

/** The run's date, mode and holder, and its targets: the caller's account, the configured roles, the organization's accounts. */
export async function resolveStep(event: ResolveEvent, runtime: FunctionRuntime, remainingMs: number): Promise<ResolvedRun> {
  const { snapshotDate, full } = readRunInput(event.input, utcDate(new Date()));
  invocationBudget(runtime, remainingMs);
  const { targets, skipped } = await resolveTargetSet(runtime.config, runtime.clients);
  for (const account of skipped) runtime.logger.warn('account left out of this run', { ...account });
  if (targets.length > MAX_TARGETS_PER_EXECUTION) {
    throw new ConfigError(
      `${targets.length} (account, region) targets are more than one execution takes (${MAX_TARGETS_PER_EXECUTION}: Step Functions caps an execution's state at 256 KiB and its history at 25,000 events); ` +
        'allowed: at most that many: split the accounts over several deployments (organization include/exclude lists) or fewer regions',
    );
  }
  runtime.logger.info('run resolved', { snapshotDate, full, holder: event.execution, targets: targets.length, skipped: skipped.length });
  return { snapshotDate, full, holder: event.execution, targets, skipped, startedAt: Date.now() };
}
