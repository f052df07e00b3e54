import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import type { AwsClientPool } from '../../core/aws/client-pool';
import type { ChangeBatchReport } from '../../core/events/apply-changes';
import { runChangeBatch } from '../../core/events/change-batch';
import { describeError } from '../../core/errors';
import type { InventoryConfig } from '../../core/pipeline/config';
import { resolveTargetSet, type SnapshotTarget } from '../../core/pipeline/targets';
import { recordBatchMetrics } from './batch-metrics';
import { sendDeadLetters } from './dead-letters';
import { readBodies, verdictsOf, type RecordVerdicts } from './queue-batch';

/** What every batch of a warm execution environment shares, made once per cold start. */
export interface EventsRuntime {
  readonly config: InventoryConfig;
  readonly clients: AwsClientPool;
  readonly sqs: SQSClient;
  readonly deadLetterQueueUrl: string;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly targets: TargetCache;
}

/** Time kept back from the Lambda timeout for the dead letters, the log and the metrics after the batch. */
export const BATCH_SAFETY_MARGIN_MS = 15_000;
/** How long a warm environment keeps the resolved targets: an organization account added is applied within this. */
export const TARGETS_TTL_MS = 15 * 60_000;

/**
 * The configured targets, resolved as a snapshot resolves them (STS, the member roles, the organization)
 * and kept for {@link TARGETS_TTL_MS}: a batch a minute must not list the organization each time.
 */
export class TargetCache {
  private kept?: { readonly targets: readonly SnapshotTarget[]; readonly at: number };

  async get(config: InventoryConfig, clients: AwsClientPool): Promise<readonly SnapshotTarget[]> {
    if (this.kept && Date.now() - this.kept.at < TARGETS_TTL_MS) return this.kept.targets;
    const { targets } = await resolveTargetSet(config, clients);
    this.kept = { targets, at: Date.now() };
    return targets;
  }
}

/**
 * One SQS batch of EventBridge events, applied as `sm-inventory apply-events` applies a file (runChangeBatch):
 * every job once, one object into sagemaker_training_job_change. A record is reported as failed only when a
 * later delivery may succeed; a record that never can is sent to the dead-letter queue with its reason.
 */
export async function consumeQueueBatch(
  records: readonly SQSRecord[],
  runtime: EventsRuntime,
  remainingMs: number,
): Promise<SQSBatchResponse> {
  const { logger } = runtime;
  const deadline = Date.now() + Math.max(0, remainingMs - BATCH_SAFETY_MARGIN_MS);
  runtime.clients.budget.warn = (message, details) => logger.warn(message, details);
  const { events, parsed, unreadable } = readBodies(records);
  const { verdicts, report } = await applyEvents(events, parsed, runtime, deadline);
  const deadLetters = [...unreadable, ...verdicts.deadLetters];
  for (const letter of deadLetters)
    logger.warn('event sent to the dead-letter queue', { messageId: letter.messageId, eventId: letter.eventId, reason: letter.reason });
  for (const refused of verdicts.refused) logger.warn('event refused: its account and region are not configured', refused);
  for (const skipped of verdicts.skipped) logger.warn('job skipped: it cannot be described', skipped);
  const unsent = await sendDeadLetters(runtime.sqs, runtime.deadLetterQueueUrl, deadLetters, (letter, reason) =>
    logger.error('an event could not be sent to the dead-letter queue; SQS delivers it again', { messageId: letter.messageId, reason }),
  );
  const retry = [...verdicts.retry, ...unsent];
  recordBatchMetrics(runtime.metrics, {
    verdicts,
    deadLettered: deadLetters.length - unsent.length,
    retried: retry.length,
    rowsWritten: report?.jobsWritten ?? 0,
    bytesWritten: report?.bytes ?? 0,
  });
  logger.info('batch applied', {
    records: records.length,
    applied: verdicts.applied,
    jobsWritten: report?.jobsWritten ?? 0,
    location: report?.location,
    retried: retry.length,
  });
  return { batchItemFailures: retry.map((itemIdentifier) => ({ itemIdentifier })) };
}

/** The batch's events applied; when it cannot run at all (its targets unresolvable), every record is to be delivered again. */
async function applyEvents(
  events: readonly unknown[],
  records: readonly SQSRecord[],
  runtime: EventsRuntime,
  deadline: number,
): Promise<{ verdicts: RecordVerdicts; report?: ChangeBatchReport }> {
  if (events.length === 0) return { verdicts: verdictsOf([], { outcomes: [] }) };
  try {
    const targets = await runtime.targets.get(runtime.config, runtime.clients);
    const report = await runChangeBatch(runtime.config, events, {
      clients: runtime.clients,
      targets,
      deadline,
      onWarning: (message, details) => runtime.logger.warn(message, details),
    });
    for (const outcome of report.outcomes)
      if (outcome.kind === 'retry')
        runtime.logger.warn('event not applied; SQS delivers it again', { arn: outcome.arn, reason: outcome.reason });
    return { verdicts: verdictsOf(records, report), report };
  } catch (error) {
    runtime.logger.error('the batch could not be applied; SQS delivers every record again', { reason: describeError(error) });
    const verdicts = verdictsOf([], { outcomes: [] });
    verdicts.retry.push(...records.map((record) => record.messageId));
    return { verdicts };
  }
}
