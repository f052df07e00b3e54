import { CollectError } from '../errors';
import { join } from 'node:path';
import { publishRunRecord, type JobCounts, type RunRecord } from '../publish/run-record';
import type { PublishResult } from '../publish/store';
import type { CollectStats } from '../collect/call-stats';
import type { TableRow } from '../rows/training-job-row';
import { TRAINING_JOB_LEDGER_SCHEMA } from '../schema/table-schema';
import type { ArnMap, ArnSet } from './arn-rows';
import type { Checkpoint } from './checkpoint';
import { CommitPoint } from './commit-point';
import { readSnapshotState, writeSnapshotState, type PreviousSnapshot, type SnapshotState, type TodayTags } from './previous-snapshot';
import { parquetBytesOf, stageSnapshot, type SnapshotSources } from './snapshot-bytes';
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
  readonly carried: ArnSet;
  /** Names of jobs described but deleted before the full listing reached them: their rows are left out. */
  readonly excluded: ReadonlySet<string>;
  readonly tags: ArnMap<TodayTags>;
  /** Set aside, each saying whether its previous row is kept (its ARN is then in `carried`). */
  readonly setAside: readonly SetAsideJob[];
  /** Jobs in this snapshot for the first time. */
  readonly firstSeen: readonly FirstSeenJob[];
  /** Where the rows of the previous snapshot's jobs that are not in this one are in its file (ascending): they go to the ledger. */
  readonly departed: readonly number[];
  readonly describedCount: number;
  readonly unknownFields: Readonly<Record<string, number>>;
  readonly stats: CollectStats;
}

/**
 * Publishes a completed target through its one commit point (commit-point.ts): the snapshot object and
 * the ledger object are written beside the committed ones under a fresh name, then the state the next
 * run starts from, then the run record, whose atomic write commits them all; only then are the objects
 * it superseded and the work area removed. Refuses when so many jobs were set aside that the service,
 * not a job, is failing, and when the job count dropped too far since the previous snapshot.
 */
export async function publishTarget(
  done: CompletedTarget,
  keys: ReturnType<typeof workKeys>,
  sources: SnapshotSources,
  scratch: string,
): Promise<TargetStep> {
  refuseWhenTheServiceFails(done);
  const { settings, checkpoint } = done;
  const { store, schema, target, snapshotDate } = settings;
  refuseShrink(settings.config.shrinkGuard, target, checkpoint.base, done.carried.size + done.describedCount);
  const commit = await CommitPoint.open(store, schema, target, snapshotDate, keys);
  const { counts, status, published, ledgerKey, finishedAt } = await commit.commit(async () => {
    const {
      published,
      rows: written,
      departedRows,
    } = await stageSnapshot(done, sources, join(scratch, `${commit.generation}.encoded.parquet`), (bytes) =>
      commit.stage(commit.keyOf(schema), bytes),
    );
    const ledgerKey = await stageLedger(done, departedRows, commit);
    await writeSnapshotState(store, schema.table, target, nextState(done, commit.keyOf(schema), written));
    const finishedAt = Date.now();
    const counts: JobCounts = {
      jobsWritten: written,
      jobsDescribed: done.describedCount,
      jobsCarried: carriedUnchanged(done),
      jobsNew: done.jobsNew ?? written,
      jobsGone: done.jobsGone,
    };
    const status = done.setAside.length > 0 ? 'incomplete' : 'complete';
    const ledgerObject = ledgerKey === undefined ? '' : store.locationOf(ledgerKey);
    // The commit point.
    await publishRunRecord(store, runRecordOf(done, { status, counts, published, ledgerObject, finishedAt }), settings.config.compression);
    return { counts, status, published, ledgerKey, finishedAt };
  });
  const leftToClean = await commit.retire([commit.keyOf(schema), ...(ledgerKey === undefined ? [] : [ledgerKey])]);
  const workArea = [...checkpoint.chunks, ...sources.savedParts, keys.checkpoint];
  await store.delete(workArea).catch(() => leftToClean.push(...workArea.map((key) => store.locationOf(key))));
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
      ...(leftToClean.length > 0 ? { leftToClean } : {}),
    },
  };
}

/** The state the next run starts from, with the committed state it replaces for when this run's commit never happens. */
function nextState(done: CompletedTarget, key: string, rows: number): SnapshotState {
  const { checkpoint, settings } = done;
  const committed = checkpoint.base ?? done.previous?.state;
  return {
    version: 1,
    snapshotDate: settings.snapshotDate,
    key,
    rows,
    schemaFingerprint: checkpoint.schemaFingerprint,
    settingsFingerprint: checkpoint.settingsFingerprint,
    lastFullSnapshotDate: checkpoint.mode === 'full' ? settings.snapshotDate : checkpoint.base!.lastFullSnapshotDate,
    ...(committed ? { previous: { ...committed, previous: undefined } } : {}),
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
  outcome: { status: RunRecord['status']; counts: JobCounts; published: PublishResult; ledgerObject: string; finishedAt: number },
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
    ledgerObject: outcome.ledgerObject,
    startedAt: checkpoint.startedAt,
    finishedAt: outcome.finishedAt,
  };
}

/**
 * Stages this run's events for the ledger, one object per (account, region, date) like the snapshot's:
 * a key-only `first_seen` row per new job, and the last row of each job that left (`departedRows`, which
 * the merge kept, or else streamed from the previous snapshot). Returns the key of the ledger object the
 * run record is to name: the staged one, none (undefined) for a date with no event, or the committed one
 * for a re-run of a date before the target's latest snapshot, which cannot tell what happened that day
 * and leaves the ledger as it is.
 */
async function stageLedger(
  done: CompletedTarget,
  departedRows: readonly TableRow[] | undefined,
  commit: CommitPoint,
): Promise<string | undefined> {
  const { settings, previous } = done;
  const { store, target, snapshotDate } = settings;
  if (!previous) {
    const latest = await readSnapshotState(store, settings.schema.table, target).catch(() => undefined);
    if (latest && latest.snapshotDate > snapshotDate) return commit.committedLedgerKey();
  }
  if (done.firstSeen.length === 0 && done.departed.length === 0) return undefined;
  async function* events(): AsyncIterable<TableRow> {
    for (const job of done.firstSeen) yield firstSeenRow(job, target.accountId, snapshotDate);
    if (!previous || done.departed.length === 0) return;
    for await (const row of departedRows ?? previous.reader.rowsAt(done.departed)) {
      yield { ...row, event: 'deleted', last_snapshot_date: previous.state.snapshotDate };
    }
  }
  const key = commit.keyOf(TRAINING_JOB_LEDGER_SCHEMA);
  await commit.stage(key, parquetBytesOf(TRAINING_JOB_LEDGER_SCHEMA, settings.config, events()));
  return key;
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
