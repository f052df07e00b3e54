import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { METRIC, METRICS_NAMESPACE, SERVICE_NAME, type SourceOperation } from '../lambda/core/names';

export type InventoryMetricName = keyof typeof METRIC;

/**
 * A metric the snapshot function emits (lambda/functions/snapshot/run-metrics.ts): its namespace, its
 * name and the `service` dimension every run total carries; `Operation` for the per-operation call
 * figures. Summed over five minutes unless `options` say otherwise.
 */
export function inventoryMetric(
  name: InventoryMetricName,
  options: cloudwatch.MetricOptions = {},
  operation?: SourceOperation,
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName: METRIC[name],
    statistic: 'Sum',
    period: Duration.minutes(5),
    ...options,
    dimensionsMap: { service: SERVICE_NAME, ...(operation && { Operation: operation }), ...options.dimensionsMap },
  });
}
