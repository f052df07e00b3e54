import { recordRunMetrics } from './run-metrics';
import type { FunctionRuntime } from './runtime';
import { asOutcome, type RunSummary, type SummarizeEvent } from './step-events';

function skippedNames(event: SummarizeEvent, withReasons: boolean): string {
  const named = event.skipped.map((s) => (withReasons ? `${s.accountId} (${s.reason})` : s.accountId)).join(withReasons ? '; ' : ', ');
  const more =
    event.skippedCount > event.skipped.length ? ` and ${event.skippedCount - event.skipped.length} more (see the ResolveTargets log)` : '';
  return `${event.skippedCount} account(s) skipped: ${named}${more}`;
}

/**
 * The run's end: its metrics (totals, and each target's figures), a log line per failed target and
 * skipped account, and the verdict the state machine's last Choice reads: a failed target, or a run
 * with nothing to snapshot, ends the execution in its Fail state so the failed-executions alarm fires.
 */
export function summarizeStep(event: SummarizeEvent, runtime: FunctionRuntime): RunSummary {
  const { logger, metrics } = runtime;
  const outcomes = event.outcomes.map(asOutcome);
  recordRunMetrics(metrics, { targets: outcomes, durationMs: Date.now() - event.startedAt, skippedAccounts: event.skippedCount });
  const failed = outcomes.filter((o) => o.status === 'failed');
  const incomplete = outcomes.filter((o) => o.status === 'incomplete');
  for (const outcome of failed) logger.error('snapshot failed', { ...outcome });
  // A published target stays published, a failed one failed: these say what is left behind, not how it ended.
  for (const outcome of outcomes.filter((o) => o.leftToClean?.length || o.warnings?.length))
    logger.warn('objects left to clean or a warning after the outcome', { ...outcome });
  for (const account of event.skipped) logger.warn('account left out of this run', { ...account });
  const drift = [...new Set(outcomes.flatMap((o) => o.unknownApiFields))];
  if (drift.length > 0) logger.warn('DescribeTrainingJob returned fields the schema has no column for', { fields: drift });
  const jobsWritten = outcomes.reduce((sum, o) => sum + o.jobsWritten, 0);
  const where = (o: { accountId: string; region: string }) => `${o.accountId}/${o.region}`;
  const message =
    outcomes.length === 0
      ? `nothing was snapshotted for ${event.snapshotDate}: no (account, region) to snapshot` +
        (event.skippedCount ? `; ${skippedNames(event, true)}` : '')
      : `${outcomes.length - failed.length} of ${outcomes.length} (account, region) snapshots written for ${event.snapshotDate} (${jobsWritten} jobs` +
        (incomplete.length ? `; ${incomplete.length} without jobs set aside: ${incomplete.map(where).join(', ')}` : '') +
        ')' +
        (failed.length ? `; ${failed.length} failed: ${failed.map((o) => `${where(o)}: ${o.error}`).join('; ')}` : '') +
        (event.skippedCount ? `; ${skippedNames(event, false)}` : '');
  const summary: RunSummary = {
    snapshotDate: event.snapshotDate,
    ok: outcomes.length > 0 && failed.length === 0,
    targets: outcomes.length,
    succeeded: outcomes.length - failed.length - incomplete.length,
    incomplete: incomplete.length,
    failed: failed.length,
    skippedAccounts: event.skippedCount,
    jobsWritten,
    // The Fail state's cause is capped at 32,768 characters.
    message: message.length > 32_000 ? `${message.slice(0, 32_000)}…` : message,
  };
  const { message: line, ...figures } = summary;
  (summary.ok ? logger.info : logger.error).call(logger, line, figures);
  return summary;
}
