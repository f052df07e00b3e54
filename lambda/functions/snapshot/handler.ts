import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../../core/names';
import { readConfig } from '../../core/pipeline/config';
import { clientPoolFor } from '../../core/pipeline/snapshot';
import { createStore } from '../../core/pipeline/warehouse-store';
import type { FunctionRuntime } from './runtime';
import { isStepEvent } from './step-events';
import { runStep, type StepAnswer } from './steps';
import { wholeRun, type InventoryEvent, type InventoryResult } from './whole-run';

export type { InventoryEvent, InventoryResult } from './whole-run';

const logger = new Logger({ serviceName: SERVICE_NAME });
const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });
// Read and checked once per cold start: a bad setting fails the init with a message naming it, before any API call.
const config = readConfig(process.env);
// Created once; warm invocations reuse the clients, their connections and refreshed role credentials.
const clients = clientPoolFor(config);
const runtime: FunctionRuntime = { config, clients, store: createStore(config, (region) => clients.s3(region)), logger, metrics };

/**
 * The snapshot function. The state machine sends `{ step: 'resolve' | 'collect' | 'summarize', … }`
 * (lib/snapshot-state-machine.ts); any other event is a direct invocation that runs every target in
 * this one invocation, `{ snapshotDate?, full? }`.
 */
export function handler(event: InventoryEvent | undefined, context: Context): Promise<InventoryResult>;
export function handler(event: { readonly step: string; readonly [field: string]: unknown }, context: Context): Promise<StepAnswer>;
export async function handler(
  event: InventoryEvent | { readonly step: string } | undefined,
  context: Context,
): Promise<InventoryResult | StepAnswer> {
  logger.addContext(context);
  if (isStepEvent(event)) {
    logger.appendKeys({ step: String(event.step) });
    try {
      return await runStep(event, runtime, context.getRemainingTimeInMillis());
    } finally {
      logger.removeKeys(['step']);
    }
  }
  return wholeRun(event as InventoryEvent | undefined, runtime, context.getRemainingTimeInMillis());
}
