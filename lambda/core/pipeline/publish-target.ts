import { CollectError } from '../errors';
import { ParquetWasmEncoder } from '../parquet/parquet-encoder';
import { accountRegionObject, snapshotObjectPath } from '../publish/layout';
import { publishRunRecord, type JobCounts, type RunRecord } from '../publish/run-record';
import type { PublishResult } from '../publish/store';
import type { CollectStats } from '../collect/call-stats';
import type { TableRow } from '../rows/training-job-row';
import { TRAINING_JOB_LEDGER_SCHEMA } from '../schema/table-schema';
import type { Checkpoint } from './checkpoint';
import { MergedSnapshot } from './merged-snapshot';
import { readSnapshotState, writeSnapshotState, type PreviousSnapshot } from './previous-snapshot';
import { refuseShrink } from './shrink-guard';
import type { FirstSeenJob, SetAsideJob, TargetRunSettings, TargetStep } from './target-run-types';
import type { workKeys } from './work-area';

/** More jobs than this set aside means the service, not a job, is failing: nothing is published. */
const SET_ASIDE_LIMIT_RATIO = 0.01;
const SET_ASIDE_LIMIT_MIN = 10;

/** A target whose listing, tags and describes are all in: what its object, run record and state are made from. */
export interface CompletedTarget {
  readonly settings: TargetRunSettings;
  readonly checkpoint: Checkpoint;
  readonly previous: PreviousSnapshot | undefined;
  /** Jobs of the full listing. */
  readonly jobsListed: number;
  /** Listed jobs the previous snapshot did not have; undefined without a previous snapshot (then every job is new). */
  readonly jobsNew: number | undefined;
  /** Jobs of the previous snapshot no longer listed. */
  readonly jobsGone: number;
  /** ARNs whose row comes from the previous snapshot. */
  readonly carried: ReadonlySet<string>;
  /** Names of jobs described but deleted before the full listing reached them: their rows are left out. */
  readonly excluded: ReadonlySet<string>;
  readonly tags: ReadonlyMap<string, Record<string, string>>;
  /** Set aside, each saying whether its previous row is kept (its ARN is then in `carried`). */
  readonly setAside: readonly SetAsideJob[];
  /** Jobs in this snapshot for the first time. */
  readonly firstSeen: readonly FirstSeenJob[];
  /** ARNs of the previous snapshot's jobs that are not in this one: their last rows go to the ledger. */
  readonly departed: ReadonlySet<string>;
  readonly describedCount: number;
  readonly unknownFields: Readonly<Record<string, number>>;
  readonly stats: CollectStats;
}

/**
 * Merges the carried rows (streamed from the previous snapshot, one row group at a time) and the
 * described rows (this invocation's part and the parts earlier invocations saved) into one object,
 * every row with its fresh tags; publishes it atomically; then the run record, the state the next run
 * starts from, and the work area cleared. Refuses when so many jobs were set aside that the service,
 * not a job, is failing, and when the job count dropped too far since the previous snapshot.
 */
export async function publishTarget(
  done: CompletedTarget,
  keys: ReturnType<typeof workKeys>,
  savedParts: string[],
  localPart: string | undefined,
): Promise<TargetStep> {
  refuseWhenTheServiceFails(done);
  const { settings, checkpoint } = done;
  const { store, schema, target, snapshotDate } = settings;
  refuseShrink(settings.config.shrinkGuard, target, checkpoint.base, done.carried.size + done.describedCount);
  const merged = new MergedSnapshot(done, savedParts, localPart);
  const objectId = accountRegionObject(schema, snapshotDate, target.region, target.accountId);
  let published;
  try {
    published = await store.publish(objectId, merged.encode());
  } finally {
    await merged.release();
  }
  await publishLedger(done);
  const finishedAt = Date.now();
  const counts: JobCounts = {
    jobsWritten: merged.written,
    jobsDescribed: done.describedCount,
    jobsCarried: carriedUnchanged(done),
    jobsNew: done.jobsNew ?? merged.written,
    jobsGone: done.jobsGone,
  };
  const status = done.setAside.length > 0 ? 'incomplete' : 'complete';
  await publishRunRecord(store, runRecordOf(done, { status, counts, published, finishedAt }), settings.config.compression);
  await writeSnapshotState(store, schema.table, target, {
    version: 1,
    snapshotDate,
    key: snapshotObjectPath(objectId),
    rows: merged.written,
    schemaFingerprint: checkpoint.schemaFingerprint,
    settingsFingerprint: checkpoint.settingsFingerprint,
    lastFullSnapshotDate: checkpoint.mode === 'full' ? snapshotDate : checkpoint.base!.lastFullSnapshotDate,
  });
  await store.delete([...checkpoint.chunks, ...savedParts, keys.checkpoint]);
  return {
    status: 'published',
    result: {
      ...target,
      status: status === 'complete' ? 'succeeded' : 'incomplete',
      mode: checkpoint.mode,
      modeReason: checkpoint.modeReason,
      ...counts,
      setAside: done.setAside,
      bytesWritten: published.bytes,
      location: published.location,
      collect: done.stats,
      unknownFields: { ...done.unknownFields },
      durationMs: finishedAt - checkpoint.startedAt,
    },
  };
}

/** Rows carried because nothing changed: set-aside jobs that kept their previous row count as set aside. */
function carriedUnchanged(done: CompletedTarget): number {
  return done.carried.size - done.setAside.filter((job) => job.keptPreviousRow).length;
}

function refuseWhenTheServiceFails(done: CompletedTarget): void {
  const { target } = done.settings;
  const describeCount = done.jobsListed - carriedUnchanged(done);
  const limit = Math.max(SET_ASIDE_LIMIT_MIN, Math.ceil(describeCount * SET_ASIDE_LIMIT_RATIO));
  if (done.setAside.length <= limit) return;
  const first = done.setAside
    .slice(0, 3)
    .map((job) => `${job.name}: ${job.reason}`)
    .join('; ');
  throw new CollectError(
    `${done.setAside.length} of ${describeCount} jobs to describe in ${target.accountId}/${target.region} could not be described (more than ${limit}), so the service is failing, not a job; nothing was published. First: ${first}`,
  );
}

function runRecordOf(
  done: CompletedTarget,
  outcome: { status: RunRecord['status']; counts: JobCounts; published: PublishResult; finishedAt: number },
): RunRecord {
  const { settings, checkpoint } = done;
  const operations = Object.values(done.stats.operations);
  return {
    snapshotDate: settings.snapshotDate,
    accountId: settings.target.accountId,
    region: settings.target.region,
    status: outcome.status,
    mode: checkpoint.mode,
    ...outcome.counts,
    setAsideJobs: done.setAside,
    apiCalls: operations.reduce((sum, op) => sum + op.calls, 0),
    throttledCalls: operations.reduce((sum, op) => sum + op.throttles, 0),
    unknownApiFields: Object.keys(done.unknownFields),
    snapshotObject: outcome.published.location,
    snapshotBytes: outcome.published.bytes,
    startedAt: checkpoint.startedAt,
    finishedAt: outcome.finishedAt,
  };
}

/**
 * Records this run's events in the ledger, one object per (account, region, date) like the snapshot's:
 * a key-only `first_seen` row per new job, and the last row of each job that left (streamed from the
 * previous snapshot). A date with no event has no object (a re-run removes an earlier one). A re-run of a
 * date before the target's latest snapshot cannot tell what happened that day and leaves the ledger as it is.
 */
async function publishLedger(done: CompletedTarget): Promise<void> {
  const { settings, previous } = done;
  const { store, target, snapshotDate } = settings;
  if (!previous) {
    const latest = await readSnapshotState(store, settings.schema.table, target).catch(() => undefined);
    if (latest && latest.snapshotDate > snapshotDate) return;
  }
  const objectId = accountRegionObject(TRAINING_JOB_LEDGER_SCHEMA, snapshotDate, target.region, target.accountId);
  if (done.firstSeen.length === 0 && done.departed.size === 0) {
    await store.delete([snapshotObjectPath(objectId)]);
    return;
  }
  async function* events(): AsyncIterable<TableRow> {
    for (const job of done.firstSeen) yield firstSeenRow(job, target.accountId, snapshotDate);
    if (!previous || done.departed.size === 0) return;
    for await (const row of previous.reader.rowsWhere('_key', (key) => done.departed.has(key))) {
      yield { ...row, event: 'deleted', last_snapshot_date: previous.state.snapshotDate };
    }
  }
  const encoder = new ParquetWasmEncoder(TRAINING_JOB_LEDGER_SCHEMA, {
    compression: settings.config.compression,
    rowGroupRows: settings.config.rowGroupRows,
  });
  await store.publish(objectId, encoder.encode(events()));
}

/** The ledger's first_seen row: the job's identity only; its data is in the snapshot of the same date. */
function firstSeenRow(job: FirstSeenJob, accountId: string, snapshotDate: string): TableRow {
  return {
    _key: job.arn,
    account_id: accountId,
    training_job_arn: job.arn,
    training_job_name: job.name,
    creation_time: job.created ?? null,
    event: 'first_seen',
    last_snapshot_date: snapshotDate,
  };
}
