import { describeError, InventoryError } from '../errors';
import { makeScratchFolder } from '../process/scratch-folder';
import type { Lease } from '../publish/store';
import { REDACTION_POLICY_VERSION, type RedactionSettings } from '../rows/redaction';
import { loadCheckpoint, newCheckpoint } from './checkpoint';
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
  const scratch = await makeScratchFolder('run');
  try {
    const checkpoint = (await loadCheckpoint(settings, keys.checkpoint)) ?? (await newCheckpoint(settings));
    checkpoint.invocations++;
    if (checkpoint.base) {
      try {
        previous = await openPreviousSnapshot(store, schema, checkpoint.base);
      } catch (error) {
        if (!(error instanceof PreviousSnapshotUnusableError) || (checkpoint.mode === 'incremental' && checkpoint.invocations > 1))
          throw error;
        if (checkpoint.mode === 'incremental')
          settings.events?.warning?.(`${error.message}; describing every job instead`, {
            accountId: target.accountId,
            region: target.region,
          });
        Object.assign(checkpoint, {
          mode: 'full',
          modeReason: checkpoint.mode === 'incremental' ? error.message : checkpoint.modeReason,
          base: undefined,
        });
      }
    }
    const run = new RunState(settings, checkpoint, previous);
    await run.replay(store);
    const step = await run.work(budget, scratch.path, keys);
    if (step.status === 'continuing') keepLease = settings.keepLeaseBetweenInvocations === true;
    return step;
  } catch (error) {
    return failed(settings, invocationStarted, describeError(rootCause(error)));
  } finally {
    await previous?.close();
    await scratch.release();
    if (!keepLease) await lease.release();
  }
}

/** The publisher wraps the collector's error; the most specific one is what the operator needs to read. */
function rootCause(error: unknown): unknown {
  let current = error;
  while (current instanceof InventoryError && current.cause instanceof InventoryError) current = current.cause;
  return current;
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
