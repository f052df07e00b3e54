import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { SnapshotReport } from './snapshot';

/**
 * Publishes one run's figures as CloudWatch EMF metrics. Per-run totals carry only the service
 * dimension so alarms stay simple; per-operation call counts get an Operation dimension each.
 */
export function recordRunMetrics(metrics: Metrics, report: SnapshotReport): void {
  const sum = (pick: (t: SnapshotReport['targets'][number]) => number) => report.targets.reduce((total, t) => total + pick(t), 0);
  metrics.addMetric('JobsWritten', MetricUnit.Count, sum((t) => t.jobsWritten));
  metrics.addMetric('BytesWritten', MetricUnit.Bytes, sum((t) => t.bytesWritten));
  metrics.addMetric('SnapshotsWritten', MetricUnit.Count, report.targets.length - report.failed.length);
  metrics.addMetric('SnapshotsFailed', MetricUnit.Count, report.failed.length);
  metrics.addMetric('RunDuration', MetricUnit.Milliseconds, Math.round(report.durationMs));
  metrics.addMetric('JobsVanishedDuringRun', MetricUnit.Count, sum((t) => t.collect?.jobsVanished ?? 0));
  metrics.addMetric('UnknownApiFields', MetricUnit.Count, new Set(report.targets.flatMap((t) => Object.keys(t.unknownFields))).size);

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
      ['ApiCalls', totals.calls],
      ['Throttles', totals.throttles],
      ['Retries', totals.retries],
    ] as const) {
      // A single metric is flushed as soon as its value is added, so each needs its own.
      const single = metrics.singleMetric();
      single.addDimension('Operation', operation);
      single.addMetric(name, MetricUnit.Count, value);
    }
  }
}
