import { describeError, InventoryError } from '../errors';
import { makeScratchFolder } from '../process/scratch-folder';
import type { Lease } from '../publish/store';
import { REDACTION_POLICY_VERSION, type RedactionSettings } from '../rows/redaction';
import { loadCheckpoint, newCheckpoint, type Checkpoint } from './checkpoint';
import { CommitError } from './commit-point';
import { fingerprint, openPreviousSnapshot, PreviousSnapshotUnusableError, type PreviousSnapshot } from './previous-snapshot';
import { RunState } from './run-state';
import type { InvocationBudget, TargetResult, TargetRunSettings, TargetStep } from './target-run-types';
import type { SnapshotTarget } from './targets';
import { workKeys } from './work-area';

export type * from './target-run-types';

/** A lease outlives its invocation by this much, so a resumed invocation finds it still held. */
const LEASE_GRACE_MS = 20 * 60_000;

/**
 * One (account, region) of one snapshot date, run as far as one invocation's budget allows. Listing
 * streams each summary into a decision (describe it, or carry its row from the previous snapshot),
 * Describe workers run alongside, and the Tagging API is read in bulk at the same time. When the
 * budget ends first, the progress is saved in the work area and the next invocation continues from it;
 * when everything is in, the carried and described rows become one object, published atomically,
 * followed by its run record and the state the next run starts from.
 */
export async function advanceTarget(settings: TargetRunSettings, budget: InvocationBudget): Promise<TargetStep> {
  const invocationStarted = Date.now();
  const { store, target, snapshotDate, schema } = settings;
  const keys = workKeys(schema.table, snapshotDate, target);
  const where = `${target.accountId}/${target.region}`;
  let lease: Lease | undefined;
  try {
    lease = await store.acquireLease(keys.lease, settings.holder, budget.deadline + LEASE_GRACE_MS);
  } catch (error) {
    return failed(settings, invocationStarted, `cannot take the lease for ${where} on ${snapshotDate}: ${describeError(error)}`);
  }
  if (!lease) {
    return failed(
      settings,
      invocationStarted,
      `another run of ${where} for ${snapshotDate} holds ${store.locationOf(keys.lease)}; this run was refused so the two cannot overwrite each other`,
    );
  }
  let keepLease = false;
  let previous: PreviousSnapshot | undefined;
  let step: TargetStep;
  const scratch = await makeScratchFolder('run');
  try {
    const checkpoint = (await loadCheckpoint(settings, keys.checkpoint)) ?? (await newCheckpoint(settings));
    checkpoint.invocations++;
    previous = await previousOf(settings, checkpoint);
    const run = new RunState(settings, checkpoint, previous);
    await run.replay(store);
    step = await run.work(budget, scratch.path, keys);
    if (step.status === 'continuing') keepLease = settings.keepLeaseBetweenInvocations === true;
  } catch (error) {
    step = failedStep(settings, invocationStarted, error);
  } finally {
    await previous?.close();
    await scratch.release();
  }
  return keepLease ? step : releaseAfter(step, lease, settings, budget.deadline + LEASE_GRACE_MS);
}

/** The previous snapshot a checkpoint starts from; one that cannot be read turns a first invocation into a full describe. */
async function previousOf(settings: TargetRunSettings, checkpoint: Checkpoint): Promise<PreviousSnapshot | undefined> {
  if (!checkpoint.base) return undefined;
  try {
    return await openPreviousSnapshot(settings.store, settings.schema, checkpoint.base);
  } catch (error) {
    if (!(error instanceof PreviousSnapshotUnusableError) || (checkpoint.mode === 'incremental' && checkpoint.invocations > 1)) throw error;
    if (checkpoint.mode === 'incremental')
      settings.events?.warning?.(`${error.message}; describing every job instead`, {
        accountId: settings.target.accountId,
        region: settings.target.region,
      });
    Object.assign(checkpoint, {
      mode: 'full',
      modeReason: checkpoint.mode === 'incremental' ? error.message : checkpoint.modeReason,
      base: undefined,
    });
    return undefined;
  }
}

/**
 * Releases the lease after the step. The step's outcome stands either way: a lease that cannot be released
 * is a warning (it expires by itself, and this run's own holder may take it again), never a failure of a
 * target that was published, nor a success of one that was not.
 */
async function releaseAfter(step: TargetStep, lease: Lease, settings: TargetRunSettings, expiresAt: number): Promise<TargetStep> {
  try {
    await lease.release();
    return step;
  } catch (error) {
    const { store, target, snapshotDate, schema } = settings;
    const warning =
      `the lease ${store.locationOf(workKeys(schema.table, snapshotDate, target).lease)} could not be released (${describeError(error)}); ` +
      `it expires at ${new Date(expiresAt).toISOString()}, and until then another run of ${target.accountId}/${target.region} for ${snapshotDate} is refused`;
    settings.events?.warning?.(warning, { accountId: target.accountId, region: target.region });
    if (step.status === 'continuing') return step;
    return { status: step.status, result: { ...step.result, warnings: [...(step.result.warnings ?? []), warning] } };
  }
}

/** The publisher wraps the collector's error; the most specific one is what the operator needs to read. */
function rootCause(error: unknown): unknown {
  let current = error;
  while (current instanceof InventoryError && current.cause instanceof InventoryError) current = current.cause;
  return current;
}

/** A failed step; a commit that did not happen says so, and names what it could not remove. */
function failedStep(settings: TargetRunSettings, startedAt: number, error: unknown): TargetStep {
  if (!(error instanceof CommitError)) return failed(settings, startedAt, describeError(rootCause(error)));
  const result = failedResult(settings.target, error.message, Date.now() - startedAt);
  return { status: 'failed', result: error.leftToClean.length > 0 ? { ...result, leftToClean: error.leftToClean } : result };
}

function failed(settings: TargetRunSettings, startedAt: number, error: string): TargetStep {
  return { status: 'failed', result: failedResult(settings.target, error, Date.now() - startedAt) };
}

/** The result of a target that published nothing. */
export function failedResult(target: SnapshotTarget, error: string, durationMs: number, jobsDescribed = 0): TargetResult {
  return {
    ...target,
    status: 'failed',
    jobsWritten: 0,
    jobsDescribed,
    jobsCarried: 0,
    jobsNew: 0,
    jobsGone: 0,
    setAside: [],
    bytesWritten: 0,
    unknownFields: {},
    error,
    durationMs,
  };
}

/** The settings fingerprint a run records: what, besides the schema, changes how rows are written. */
export function settingsFingerprintOf(redaction: RedactionSettings): string {
  return fingerprint({
    redaction: { policy: REDACTION_POLICY_VERSION, enabled: redaction.enabled, extraKeyPatterns: [...redaction.extraKeyPatterns].sort() },
  });
}
