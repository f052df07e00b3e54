import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { METRIC } from '../../core/names';
import type { SnapshotReport } from '../../core/pipeline/snapshot';

/**
 * Publishes one run's figures as CloudWatch EMF metrics. Per-run totals carry only the service
 * dimension so alarms stay simple; per-operation call counts get an Operation dimension each.
 */
export function recordRunMetrics(metrics: Metrics, report: SnapshotReport): void {
  const sum = (pick: (t: SnapshotReport['targets'][number]) => number) => report.targets.reduce((total, t) => total + pick(t), 0);
  metrics.addMetric(METRIC.JobsWritten, MetricUnit.Count, sum((t) => t.jobsWritten));
  metrics.addMetric(METRIC.BytesWritten, MetricUnit.Bytes, sum((t) => t.bytesWritten));
  metrics.addMetric(METRIC.SnapshotsWritten, MetricUnit.Count, report.targets.length - report.failed.length);
  metrics.addMetric(METRIC.SnapshotsFailed, MetricUnit.Count, report.failed.length);
  metrics.addMetric(METRIC.RunDuration, MetricUnit.Milliseconds, Math.round(report.durationMs));
  metrics.addMetric(METRIC.JobsVanishedDuringRun, MetricUnit.Count, sum((t) => t.collect?.jobsVanished ?? 0));
  metrics.addMetric(METRIC.UnknownApiFields, MetricUnit.Count, new Set(report.targets.flatMap((t) => Object.keys(t.unknownFields))).size);

  const perOperation = new Map<string, { calls: number; throttles: number; retries: number }>();
  for (const target of report.targets) {
    for (const [operation, stats] of Object.entries(target.collect?.operations ?? {})) {
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
