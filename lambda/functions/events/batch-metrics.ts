import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { METRIC } from '../../core/names';
import type { RecordVerdicts } from './queue-batch';

/** What one SQS batch did, as the events function counts it. */
export interface BatchFigures {
  readonly verdicts: RecordVerdicts;
  /** Dead letters sent (a failed send is retried instead, and counted there). */
  readonly deadLettered: number;
  /** Records handed back to SQS: retried outcomes, failed dead-letter sends, a batch that could not run. */
  readonly retried: number;
  readonly rowsWritten: number;
  readonly bytesWritten: number;
}

/** One EMF document per batch, with only the service dimension, so the construct's alarms stay simple. */
export function recordBatchMetrics(metrics: Metrics, figures: BatchFigures): void {
  const { verdicts } = figures;
  metrics.addMetric(METRIC.EventsApplied, MetricUnit.Count, verdicts.applied);
  metrics.addMetric(METRIC.EventsIgnored, MetricUnit.Count, verdicts.ignored);
  metrics.addMetric(METRIC.EventsDeadLettered, MetricUnit.Count, figures.deadLettered);
  metrics.addMetric(METRIC.EventsRefused, MetricUnit.Count, verdicts.refused.length);
  metrics.addMetric(METRIC.EventsSkipped, MetricUnit.Count, verdicts.skipped.length);
  metrics.addMetric(METRIC.EventsRetried, MetricUnit.Count, figures.retried);
  metrics.addMetric(METRIC.ChangeRowsWritten, MetricUnit.Count, figures.rowsWritten);
  metrics.addMetric(METRIC.BytesWritten, MetricUnit.Bytes, figures.bytesWritten);
  metrics.publishStoredMetrics();
}
