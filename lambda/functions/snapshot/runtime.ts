import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { AwsClientPool } from '../../core/aws/client-pool';
import type { InventoryConfig } from '../../core/pipeline/config';
import type { InvocationBudget } from '../../core/pipeline/target-run';
import { softStopMargin } from '../../core/pipeline/snapshot';
import type { WarehouseStore } from '../../core/publish/store';

/** What every step shares, made once per cold start. */
export interface FunctionRuntime {
  readonly config: InventoryConfig;
  readonly clients: AwsClientPool;
  readonly store: WarehouseStore;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

/** Time kept back from the Lambda timeout so progress is saved, failures reported and metrics flushed. */
export const SAFETY_MARGIN_MS = 30_000;

/**
 * This invocation's budget: calls in flight are cancelled `SAFETY_MARGIN_MS` before the Lambda
 * timeout, and no new work starts a further soft-stop margin earlier, so work in flight finishes and
 * progress is saved. Every client's retries respect the same deadline, and report each timed-out attempt to the log.
 */
export function invocationBudget(runtime: FunctionRuntime, remainingMs: number): InvocationBudget {
  const now = Date.now();
  const deadline = now + Math.max(0, remainingMs - SAFETY_MARGIN_MS);
  runtime.clients.budget.deadline = deadline;
  runtime.clients.budget.warn = (message, details) => runtime.logger.warn(message, details);
  return { softStopAt: deadline - softStopMargin(deadline - now), deadline };
}
