import { advanceTarget, type TargetProgress } from '../../core/pipeline/target-run';
import { targetSettings } from '../../core/pipeline/snapshot';
import { invocationBudget, type FunctionRuntime } from './runtime';
import { recordOperationMetrics } from './run-metrics';
import { failedOutcome, outcomeOf, type CollectAnswer, type CollectEvent, type TargetOutcome } from './step-events';

/**
 * Invocations in a row a target may end interrupted (a call still throttled or failing when the budget
 * ran out) without listing or describing a single job, before it is given up as failed: a region whose
 * API is down fails today's run in minutes instead of looping until the execution's timeout. Its
 * progress stays saved for the next run of the same date.
 */
export const MAX_STALLED_INVOCATIONS = 3;

/** How far a target had got: what an invocation that made progress changes. */
function reached(progress: TargetProgress): number {
  return progress.jobsListed + progress.jobsDescribed;
}

/**
 * One invocation's worth of one (account, region): `advanceTarget` runs until the target is published
 * (or has failed) or this invocation's budget ends, in which case its progress is saved and the state
 * machine invokes this step again. The lease stays with the execution between invocations, so no
 * other run can start on the target meanwhile.
 */
export async function collectStep(event: CollectEvent, runtime: FunctionRuntime, remainingMs: number): Promise<CollectAnswer> {
  const { config, clients, store, logger, metrics } = runtime;
  const { target, snapshotDate, holder, full } = event;
  const where = { accountId: target.accountId, region: target.region, snapshotDate };
  const budget = invocationBudget(runtime, remainingMs);
  const step = await advanceTarget(
    targetSettings(config, store, clients, target, snapshotDate, holder, {
      full,
      keepLeaseBetweenInvocations: true,
      events: {
        progress: (_target, jobsDescribed) => logger.debug('describing', { ...where, jobsDescribed }),
        warning: (message, details) => logger.warn(message, { ...where, ...details }),
      },
    }),
    budget,
  );
  if (step.status === 'continuing') {
    const { progress } = step;
    const before = event.previous?.status === 'continuing' ? event.previous : undefined;
    const stalled = progress.interrupted !== undefined && before !== undefined && reached(before.progress) === reached(progress);
    const stalledInvocations = stalled ? before.stalledInvocations + 1 : 0;
    if (stalledInvocations < MAX_STALLED_INVOCATIONS) {
      logger.info('continuing in the next invocation', { ...progress, snapshotDate, stalledInvocations });
      return { status: 'continuing', progress, stalledInvocations };
    }
    const outcome = stalledOutcome(progress, stalledInvocations);
    logger.error('snapshot failed', { ...outcome, progress });
    return { status: 'done', outcome };
  }
  const { collect, ...result } = step.result;
  if (result.status === 'failed') logger.error('snapshot failed', { ...result, collect });
  else
    logger.info(result.status === 'incomplete' ? 'snapshot written without the jobs set aside' : 'snapshot written', {
      ...result,
      collect,
    });
  recordOperationMetrics(metrics, [collect?.operations]);
  return { status: 'done', outcome: outcomeOf(step.result) };
}

function stalledOutcome(progress: TargetProgress, invocations: number): TargetOutcome {
  return failedOutcome(
    progress,
    `no progress in ${invocations} invocations in a row (${progress.jobsListed} jobs listed, ${progress.jobsDescribed} described): ${progress.interrupted}; ` +
      'the progress is saved and a re-run of this date continues from it',
  );
}
