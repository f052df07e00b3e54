import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { readConfig, readSnapshotDate } from '../../core/pipeline/config';
import { recordRunMetrics } from './run-metrics';
import { clientPoolFor, runSnapshot, SnapshotIncompleteError } from '../../core/pipeline/snapshot';
import { utcDate } from '../../core/publish/layout';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../../core/names';

const logger = new Logger({ serviceName: SERVICE_NAME });
const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });
// Read and checked once per cold start: a bad setting fails the init with a message naming it, before any API call.
const config = readConfig(process.env);
// Created once; warm invocations reuse the clients, their connections and refreshed role credentials.
const clients = clientPoolFor(config);

/** Time kept back from the Lambda timeout so failures are reported and metrics flushed. */
const SAFETY_MARGIN_MS = 30_000;

/** The scheduled event; `snapshotDate` lets an operator backfill or re-run one date. */
export interface InventoryEvent {
  readonly snapshotDate?: string;
}

export interface InventoryResult {
  readonly snapshotDate: string;
  readonly jobsWritten: number;
  readonly objects: readonly string[];
}

export async function handler(event: InventoryEvent | undefined, context: Context): Promise<InventoryResult> {
  logger.addContext(context);
  const snapshotDate = readSnapshotDate(event?.snapshotDate, utcDate(new Date()), config.firstSnapshotDate);
  const report = await runSnapshot(config, {
    snapshotDate,
    clients,
    deadline: Date.now() + Math.max(0, context.getRemainingTimeInMillis() - SAFETY_MARGIN_MS),
    events: {
      targetStarted: (target) => logger.info('collecting', { ...target }),
      targetFinished: ({ collect, ...result }) =>
        result.status === 'succeeded'
          ? logger.info('snapshot written', { ...result, collect })
          : logger.error('snapshot failed', { ...result, collect }),
      warning: (message, details) => logger.warn(message, details),
    },
  });
  recordRunMetrics(metrics, report);
  metrics.publishStoredMetrics();
  const drift = [...new Set(report.targets.flatMap((t) => Object.keys(t.unknownFields)))];
  if (drift.length > 0) logger.warn('DescribeTrainingJob returned fields the schema has no column for', { fields: drift });
  if (report.failed.length > 0) throw new SnapshotIncompleteError(report);
  return {
    snapshotDate,
    jobsWritten: report.targets.reduce((sum, t) => sum + t.jobsWritten, 0),
    objects: report.targets.map((t) => t.location!),
  };
}
