import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { EVENTS_SERVICE_NAME, METRICS_NAMESPACE } from '../../core/names';
import { readConfig } from '../../core/pipeline/config';
import { clientPoolFor } from '../../core/pipeline/snapshot';
import { SETTINGS } from '../../core/settings/settings';
import { ConfigError } from '../../core/errors';
import { consumeQueueBatch, TargetCache, type EventsRuntime } from './queue-consumer';

const logger = new Logger({ serviceName: EVENTS_SERVICE_NAME });
const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: EVENTS_SERVICE_NAME });
// Read and checked once per cold start, as the snapshot function reads them: a bad setting fails the init naming it.
const config = readConfig(process.env);
const { deadLetterQueueUrl } = config;
if (deadLetterQueueUrl === undefined)
  throw new ConfigError(
    `${SETTINGS.deadLetterQueueUrl.variable} is not set; allowed: ${SETTINGS.deadLetterQueueUrl.allowed} (the events function sends what it can never apply there)`,
  );
// Created once; warm invocations reuse the clients, their connections, role credentials and the resolved targets.
const clients = clientPoolFor(config);
const runtime: EventsRuntime = {
  config,
  clients,
  // The queues are the function's own, in its region.
  sqs: clients.sqs(process.env.AWS_REGION ?? config.regions[0]),
  deadLetterQueueUrl,
  logger,
  metrics,
  targets: new TargetCache(),
};

/**
 * The events function: SQS batches of SageMaker training-job state changes (the EventBridge rule's
 * events as message bodies), each applied into sagemaker_training_job_change; the records SQS should
 * deliver again come back as batch item failures (the event source mapping reports them).
 */
export async function handler(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  logger.addContext(context);
  return consumeQueueBatch(event.Records ?? [], runtime, context.getRemainingTimeInMillis());
}
