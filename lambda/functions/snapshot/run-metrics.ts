import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { OperationStats } from '../../core/collect/call-stats';
import { METRIC } from '../../core/names';
import type { TargetOutcome } from './step-events';

/** What one run did, whichever way it ran (one invocation, or a state machine's steps). */
export interface RunFigures {
  readonly targets: readonly TargetOutcome[];
  readonly durationMs: number;
  readonly skippedAccounts: number;
}

/**
 * Publishes one run's figures as CloudWatch EMF metrics. Run totals carry only the service dimension
 * so alarms stay simple. Then one document per target carries its own figures with a `Mode`
 * dimension (full or incremental: two values, so no metric per account) and the account and region
 * as metadata, which Logs Insights can query; the totals document goes first.
 */
export function recordRunMetrics(metrics: Metrics, run: RunFigures): void {
  const { targets } = run;
  const sum = (pick: (t: TargetOutcome) => number) => targets.reduce((total, t) => total + pick(t), 0);
  const failed = targets.filter((t) => t.status === 'failed').length;
  metrics.addMetric(
    METRIC.JobsWritten,
    MetricUnit.Count,
    sum((t) => t.jobsWritten),
  );
  metrics.addMetric(
    METRIC.BytesWritten,
    MetricUnit.Bytes,
    sum((t) => t.bytesWritten),
  );
  metrics.addMetric(METRIC.SnapshotsWritten, MetricUnit.Count, targets.length - failed);
  metrics.addMetric(METRIC.SnapshotsFailed, MetricUnit.Count, failed);
  metrics.addMetric(METRIC.SnapshotsIncomplete, MetricUnit.Count, targets.filter((t) => t.status === 'incomplete').length);
  metrics.addMetric(METRIC.SnapshotsFull, MetricUnit.Count, targets.filter((t) => t.status !== 'failed' && t.mode === 'full').length);
  metrics.addMetric(
    METRIC.SnapshotsIncremental,
    MetricUnit.Count,
    targets.filter((t) => t.status !== 'failed' && t.mode === 'incremental').length,
  );
  metrics.addMetric(METRIC.RunDuration, MetricUnit.Milliseconds, Math.round(run.durationMs));
  metrics.addMetric(
    METRIC.JobsVanishedDuringRun,
    MetricUnit.Count,
    sum((t) => t.jobsVanished),
  );
  metrics.addMetric(METRIC.UnknownApiFields, MetricUnit.Count, new Set(targets.flatMap((t) => t.unknownApiFields)).size);
  metrics.addMetric(METRIC.AccountsSkipped, MetricUnit.Count, run.skippedAccounts);
  for (const [name, value] of targetFigures(targets)) metrics.addMetric(name, MetricUnit.Count, value);
  metrics.publishStoredMetrics();

  for (const target of targets) {
    if (target.status === 'failed' || !target.mode) continue;
    metrics.addDimension('Mode', target.mode);
    metrics.addMetadata('accountId', target.accountId);
    metrics.addMetadata('region', target.region);
    for (const [name, value] of targetFigures([target])) metrics.addMetric(name, MetricUnit.Count, value);
    metrics.publishStoredMetrics();
  }
}

/** Jobs described, carried, new, gone and set aside: what incremental snapshots are judged by. */
function targetFigures(targets: readonly TargetOutcome[]): [string, number][] {
  const sum = (pick: (t: TargetOutcome) => number) => targets.reduce((total, t) => total + pick(t), 0);
  return [
    [METRIC.JobsDescribed, sum((t) => t.jobsDescribed)],
    [METRIC.JobsCarried, sum((t) => t.jobsCarried)],
    [METRIC.JobsNew, sum((t) => t.jobsNew)],
    [METRIC.JobsGone, sum((t) => t.jobsGone)],
    [METRIC.JobsSetAside, sum((t) => t.jobsSetAside)],
  ];
}

/** Calls, throttles and retries per operation, each a single metric with its Operation dimension. */
export function recordOperationMetrics(
  metrics: Metrics,
  perTarget: readonly (Readonly<Record<string, OperationStats>> | undefined)[],
): void {
  const perOperation = new Map<string, { calls: number; throttles: number; retries: number }>();
  for (const operations of perTarget) {
    for (const [operation, stats] of Object.entries(operations ?? {})) {
      const total = perOperation.get(operation) ?? { calls: 0, throttles: 0, retries: 0 };
      total.calls += stats.calls;
      total.throttles += stats.throttles;
      total.retries += stats.retries;
      perOperation.set(operation, total);
    }
  }
  for (const [operation, totals] of perOperation) {
    for (const [name, value] of [
      [METRIC.ApiCalls, totals.calls],
      [METRIC.Throttles, totals.throttles],
      [METRIC.Retries, totals.retries],
    ] as const) {
      // A single metric is flushed as soon as its value is added, so each needs its own.
      const single = metrics.singleMetric();
      single.addDimension('Operation', operation);
      single.addMetric(name, MetricUnit.Count, value);
    }
  }
}
