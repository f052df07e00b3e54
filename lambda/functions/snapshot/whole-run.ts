import { readSnapshotDate } from '../../core/pipeline/config';
import { runSnapshot, SnapshotIncompleteError } from '../../core/pipeline/snapshot';
import { utcDate } from '../../core/publish/layout';
import { recordOperationMetrics, recordRunMetrics } from './run-metrics';
import { SAFETY_MARGIN_MS, type FunctionRuntime } from './runtime';
import { outcomeOf } from './step-events';
import { ConfigError } from '../../core/errors';

/** A direct invocation (a backfill, a re-run): `snapshotDate` picks the date, `full` forces a full describe. */
export interface InventoryEvent {
  readonly snapshotDate?: string;
  readonly full?: boolean;
}

export interface InventoryResult {
  readonly snapshotDate: string;
  readonly jobsWritten: number;
  readonly objects: readonly string[];
}

/**
 * Every target in this one invocation, as before the state machine: for backfills and small estates.
 * A target that does not finish in time keeps its progress, and the next run of the same date
 * (direct or through the state machine) continues it.
 */
export async function wholeRun(event: InventoryEvent | undefined, runtime: FunctionRuntime, remainingMs: number): Promise<InventoryResult> {
  const { config, clients, logger, metrics } = runtime;
  const snapshotDate = readSnapshotDate(event?.snapshotDate, utcDate(new Date()), config.firstSnapshotDate);
  if (event?.full !== undefined && typeof event.full !== 'boolean')
    throw new ConfigError(`full is ${JSON.stringify(event.full)}; allowed: true or false`);
  const report = await runSnapshot(config, {
    snapshotDate,
    full: event?.full,
    clients,
    deadline: Date.now() + Math.max(0, remainingMs - SAFETY_MARGIN_MS),
    events: {
      targetStarted: (target) => logger.info('collecting', { ...target }),
      targetFinished: ({ collect, ...result }) =>
        result.status === 'succeeded'
          ? logger.info('snapshot written', { ...result, collect })
          : logger.error('snapshot failed', { ...result, collect }),
      warning: (message, details) => logger.warn(message, details),
    },
  });
  recordRunMetrics(metrics, { targets: report.targets.map(outcomeOf), durationMs: report.durationMs, skippedAccounts: 0 });
  recordOperationMetrics(
    metrics,
    report.targets.map((t) => t.collect?.operations),
  );
  const drift = [...new Set(report.targets.flatMap((t) => Object.keys(t.unknownFields)))];
  if (drift.length > 0) logger.warn('DescribeTrainingJob returned fields the schema has no column for', { fields: drift });
  if (report.failed.length > 0) throw new SnapshotIncompleteError(report);
  return {
    snapshotDate,
    jobsWritten: report.targets.reduce((sum, t) => sum + t.jobsWritten, 0),
    objects: report.targets.map((t) => t.location!),
  };
}
