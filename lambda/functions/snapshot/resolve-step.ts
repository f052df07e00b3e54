import { ConfigError } from '../../core/errors';
import { resolveTargetSet } from '../../core/pipeline/targets';
import { utcDate } from '../../core/publish/layout';
import { invocationBudget, type FunctionRuntime } from './runtime';
import { cut, readRunInput, SKIPPED_IN_STATE, type ResolvedRun, type ResolveEvent } from './step-events';

/**
 * The most (account, region) targets one execution takes. Each target's outcome travels in the
 * execution's state, which Step Functions caps at 256 KiB (an outcome is about 450 bytes, 650 with an
 * error), and adds about a dozen events to its history (25,000 at most); 400 keeps both with room to
 * spare, even when every target failed (test/pipeline/snapshot-steps.test.ts measures it).
 */
export const MAX_TARGETS_PER_EXECUTION = 400;

/** The run's date, mode and holder, and its targets: the caller's account, the configured roles, the organization's accounts. */
export async function resolveStep(event: ResolveEvent, runtime: FunctionRuntime, remainingMs: number): Promise<ResolvedRun> {
  const { snapshotDate, full } = readRunInput(event.input, utcDate(new Date()), runtime.config.firstSnapshotDate);
  invocationBudget(runtime, remainingMs);
  await runtime.store.checkWritable();
  const { targets, skipped } = await resolveTargetSet(runtime.config, runtime.clients);
  for (const account of skipped) runtime.logger.warn('account left out of this run', { ...account });
  if (targets.length > MAX_TARGETS_PER_EXECUTION) {
    throw new ConfigError(
      `${targets.length} (account, region) targets are more than one execution takes (${MAX_TARGETS_PER_EXECUTION}: Step Functions caps an execution's state at 256 KiB and its history at 25,000 events); ` +
        'allowed: at most that many: split the accounts over several deployments (organization include/exclude lists) or fewer regions',
    );
  }
  runtime.logger.info('run resolved', { snapshotDate, full, holder: event.execution, targets: targets.length, skipped: skipped.length });
  const named = skipped.slice(0, SKIPPED_IN_STATE).map((account) => ({ ...account, reason: cut(account.reason) }));
  return { snapshotDate, full, holder: event.execution, targets, skipped: named, skippedCount: skipped.length, startedAt: Date.now() };
}
