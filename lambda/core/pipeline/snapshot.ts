import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { randomUUID } from 'node:crypto';
import { AwsClientPool } from '../aws/client-pool';
import type { ClientSettings } from '../aws/clients';
import { mapWithConcurrency } from '../collect/concurrency';
import { InventoryError } from '../errors';
import { formatWarehouseRoot, utcDate } from '../publish/layout';
import type { WarehouseStore } from '../publish/store';
import { Redactor } from '../rows/redaction';
import { TrainingJobRowMapper } from '../rows/training-job-row';
import { TRAINING_JOB_SCHEMA } from '../schema/table-schema';
import type { InventoryConfig } from './config';
import { clientSettingsOf, createStore } from './warehouse-store';
import {
  advanceTarget,
  failedResult,
  settingsFingerprintOf,
  type TargetProgress,
  type TargetResult,
  type TargetRunEvents,
  type TargetRunSettings,
} from './target-run';
import { resolveTargets, type SnapshotTarget } from './targets';
import { workFolder } from './work-area';

export type { TargetAdvance, TargetResult } from './target-run';
export type { SnapshotTarget } from './targets';

export interface SnapshotReport {
  readonly snapshotDate: string;
  readonly output: string;
  readonly targets: readonly TargetResult[];
  /** Targets with nothing published. */
  readonly failed: readonly TargetResult[];
  /** Targets published without some jobs (set aside, each named with its reason). */
  readonly incomplete: readonly TargetResult[];
  readonly durationMs: number;
}

export interface SnapshotEvents extends TargetRunEvents {
  /** The (account, region) pairs the run is to collect, once known. */
  targetsResolved?(targets: readonly SnapshotTarget[]): void;
  targetStarted?(target: SnapshotTarget): void;
  targetFinished?(result: TargetResult): void;
}

export interface SnapshotRunOptions {
  /** UTC date of the snapshot. @default today (UTC) */
  readonly snapshotDate?: string;
  /** Epoch ms by which every target must be done: calls in flight are aborted and no retry starts after it. @default now + the configured time budget */
  readonly deadline?: number;
  /** Describe every job, whatever the previous snapshot says. @default false: incremental where a usable previous snapshot exists */
  readonly full?: boolean;
  readonly events?: SnapshotEvents;
  /** The caller's credentials. @default the SDK's default chain */
  readonly credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /**
   * Stops the run (a SIGTERM, say): calls in flight are cancelled, each target's progress is saved and its
   * lease released, targets not begun are not begun, and each is reported with how far it got. Its reason's
   * message says what stopped it. @default none
   */
  readonly signal?: AbortSignal;
  /** Clients to use and keep (a warm Lambda passes the same pool each time). @default a pool for this run, destroyed after it */
  readonly clients?: AwsClientPool;
}

/** The run ended with at least one (account, region) not written; the others were published. */
export class SnapshotIncompleteError extends InventoryError {
  constructor(readonly report: SnapshotReport) {
    super(
      `${report.failed.length} of ${report.targets.length} (account, region) snapshots failed for ${report.snapshotDate}: ` +
        report.failed.map((t) => `${t.accountId}/${t.region}: ${t.error}`).join('; '),
    );
  }
}

/** Time kept between "start nothing new" and the deadline, so work in flight finishes and progress is saved. */
export function softStopMargin(budgetMs: number): number {
  return Math.min(30_000, Math.max(0, budgetMs * 0.1));
}

/**
 * The snapshot pipeline in one process: every (account, region) is run to completion (or to the
 * deadline) by `advanceTarget`, a few at a time. Targets run independently: one failing leaves the
 * others' objects published and its own previous object untouched.
 */
export async function runSnapshot(config: InventoryConfig, options: SnapshotRunOptions = {}): Promise<SnapshotReport> {
  const started = performance.now();
  const snapshotDate = options.snapshotDate ?? utcDate(new Date());
  const events = options.events ?? {};
  const pool = options.clients ?? clientPoolFor(config, options.credentials);
  const deadline = Math.min(options.deadline ?? Number.POSITIVE_INFINITY, Date.now() + config.timeBudgetSeconds * 1000);
  pool.budget.deadline = deadline;
  pool.budget.warn = events.warning;
  const store = createStore(config, (region) => pool.s3(region));
  const holder = `run-${randomUUID()}`;
  let results: TargetResult[];
  try {
    await store.checkWritable();
    const targets = await resolveTargets(config, pool, ({ accountId, roleArn, reason }) =>
      events.warning?.(`account ${accountId} is left out of this run: ${reason}`, { accountId, roleArn }),
    );
    events.targetsResolved?.(targets);
    results = await mapWithConcurrency(targets, config.parallelTargets, async (target) => {
      if (options.signal?.aborted) return notStarted(target, options.signal);
      events.targetStarted?.(target);
      const step = await advanceTarget(targetSettings(config, store, pool, target, snapshotDate, holder, options), {
        softStopAt: deadline - softStopMargin(deadline - Date.now()),
        deadline,
      });
      const result = step.status === 'continuing' ? stoppedEarly(step.progress, store, snapshotDate, options.signal) : step.result;
      events.targetFinished?.(result);
      return result;
    });
  } finally {
    if (!options.clients) pool.destroy();
  }
  return {
    snapshotDate,
    output: formatWarehouseRoot(config.output),
    targets: results,
    failed: results.filter((r) => r.status === 'failed'),
    incomplete: results.filter((r) => r.status === 'incomplete'),
    durationMs: performance.now() - started,
  };
}

/** What `advanceTarget` needs for one target of a configured run. */
export function targetSettings(
  config: InventoryConfig,
  store: WarehouseStore,
  pool: AwsClientPool,
  target: SnapshotTarget,
  snapshotDate: string,
  holder: string,
  options: Pick<SnapshotRunOptions, 'full' | 'signal' | 'events'> & { keepLeaseBetweenInvocations?: boolean } = {},
): TargetRunSettings {
  const schema = TRAINING_JOB_SCHEMA;
  return {
    store,
    clients: pool.source(target.region, target.roleArn),
    target,
    snapshotDate,
    schema,
    config,
    mapper: new TrainingJobRowMapper(schema, new Redactor(config.redaction)),
    settingsFingerprint: settingsFingerprintOf(config.redaction),
    holder,
    full: options.full,
    signal: options.signal,
    events: options.events,
    keepLeaseBetweenInvocations: options.keepLeaseBetweenInvocations,
  };
}

/** A target stopped before it was complete: by the time budget, or by the caller's signal (a SIGTERM). */
function stoppedEarly(progress: TargetProgress, store: WarehouseStore, snapshotDate: string, signal?: AbortSignal): TargetResult {
  const { accountId, region, roleArn } = progress;
  const what = signal?.aborted ? 'the run was stopped' : "the run's time budget ran out";
  return failedResult(
    { accountId, region, roleArn },
    `${what} in ${region} for account ${accountId} after ${progress.jobsListed} jobs listed, ` +
      `${progress.jobsDescribed} described and ${progress.jobsToDescribe} still to describe; the progress is saved under ` +
      `${store.locationOf(workFolder(TRAINING_JOB_SCHEMA.table, snapshotDate, progress))} and the next run for ${snapshotDate} continues from it` +
      (progress.interrupted ? ` (${progress.interrupted})` : ''),
    0,
    progress.jobsDescribed,
  );
}

/** A target the caller's signal stopped before it began: nothing was read, and the next run starts it afresh. */
function notStarted(target: SnapshotTarget, signal: AbortSignal): TargetResult {
  const why = signal.reason instanceof Error && signal.reason.message ? ` (${signal.reason.message})` : '';
  return failedResult(target, `the run was stopped before ${target.region} for account ${target.accountId} began${why}`, 0);
}

/** The clients a configuration calls for, for callers that do not keep a pool of their own. */
export function clientPoolFor(config: InventoryConfig, credentials?: ClientSettings['credentials']): AwsClientPool {
  return new AwsClientPool(clientSettingsOf(config, credentials));
}
