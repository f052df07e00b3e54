import { ParquetWasmEncoder, type ParquetCompression } from '../parquet/parquet-encoder';
import { TOOL_VERSION } from '../names';
import type { TableRow } from '../rows/training-job-row';
import { INVENTORY_RUN_SCHEMA, TRAINING_JOB_LEDGER_SCHEMA, TRAINING_JOB_SCHEMA, type TableSchema } from '../schema/table-schema';
import { dirname } from 'node:path';
import { SnapshotReader } from '../parquet/parquet-reader';
import { accountRegionObject, snapshotObjectPath } from './layout';
import type { PublishResult, WarehouseStore } from './store';

/** How many jobs a snapshot holds, and how each came to be in it. */
export interface JobCounts {
  readonly jobsWritten: number;
  readonly jobsDescribed: number;
  readonly jobsCarried: number;
  readonly jobsNew: number;
  readonly jobsGone: number;
}

/** A job a run could not describe or map: named in its run record, and kept at its previous row when it had one. */
export interface SetAsideJob {
  readonly name: string;
  readonly arn?: string;
  readonly reason: string;
  /** True: its row from the previous snapshot is in this one (flagged, not new data); false or absent: a new job, not in it. */
  readonly keptPreviousRow?: boolean;
}

/** What one published (account, region, snapshot date) run did: one row of `sagemaker_inventory_run`. */
export interface RunRecord extends JobCounts {
  readonly snapshotDate: string;
  readonly accountId: string;
  readonly region: string;
  readonly status: 'complete' | 'incomplete';
  readonly mode: 'full' | 'incremental';
  /** Each job set aside, in the order the run met them. */
  readonly setAsideJobs: readonly SetAsideJob[];
  readonly apiCalls: number;
  readonly throttledCalls: number;
  readonly unknownApiFields: readonly string[];
  /** Where the snapshot object is: the one object of its (account, region, date) the views read. */
  readonly snapshotObject: string;
  readonly snapshotBytes: number;
  /** Where the ledger object of the date is, or '' when the date has no ledger event. */
  readonly ledgerObject: string;
  /** Epoch ms. */
  readonly startedAt: number;
  /** Epoch ms. */
  readonly finishedAt: number;
}

/** The record as a row of the run table's schema (partition values live in the object's path). */
export function runRecordRow(record: RunRecord): TableRow {
  return {
    account_id: record.accountId,
    status: record.status,
    mode: record.mode,
    jobs_written: BigInt(record.jobsWritten),
    jobs_described: BigInt(record.jobsDescribed),
    jobs_carried: BigInt(record.jobsCarried),
    jobs_new: BigInt(record.jobsNew),
    jobs_gone: BigInt(record.jobsGone),
    jobs_set_aside: BigInt(record.setAsideJobs.length),
    set_aside_jobs: JSON.stringify(
      record.setAsideJobs.map((job) => ({
        name: job.name,
        arn: job.arn ?? null,
        reason: job.reason,
        kept_previous_row: job.keptPreviousRow === true,
      })),
    ),
    api_calls: BigInt(record.apiCalls),
    throttled_calls: BigInt(record.throttledCalls),
    unknown_api_fields: JSON.stringify([...record.unknownApiFields].sort()),
    snapshot_object: record.snapshotObject,
    snapshot_bytes: BigInt(record.snapshotBytes),
    ledger_object: record.ledgerObject,
    started_at: record.startedAt,
    finished_at: record.finishedAt,
    duration_ms: BigInt(Math.max(0, Math.round(record.finishedAt - record.startedAt))),
    tool_version: TOOL_VERSION,
  };
}

/**
 * Publishes the run's record: `sagemaker_inventory_run/snapshot_date=…/region=…/<account>.parquet`, replaced
 * in place. This write is the run's commit point: the views read a table object only when the run record
 * of its (account, region, date) names it, so the objects written before it stay invisible until it
 * succeeds, and the objects it replaces stay visible until then (docs/how-it-works.md).
 */
export async function publishRunRecord(
  store: WarehouseStore,
  record: RunRecord,
  compression: ParquetCompression = 'zstd',
): Promise<PublishResult> {
  const encoder = new ParquetWasmEncoder(INVENTORY_RUN_SCHEMA, { compression });
  async function* one(): AsyncIterable<TableRow> {
    yield runRecordRow(record);
  }
  return store.publish(runRecordObject(record.snapshotDate, record.region, record.accountId), encoder.encode(one()));
}

function runRecordObject(snapshotDate: string, region: string, accountId: string) {
  return accountRegionObject(INVENTORY_RUN_SCHEMA, snapshotDate, region, accountId);
}

/** The run table as records written before `ledger_object` have it. */
const BEFORE_LEDGER_OBJECT = { ...INVENTORY_RUN_SCHEMA, columns: INVENTORY_RUN_SCHEMA.columns.filter((c) => c.name !== 'ledger_object') };

/** The keys (relative to the warehouse root) of the objects a run record commits. */
export interface CommittedKeys {
  readonly snapshot: string;
  /** Undefined when the date has no ledger object. */
  readonly ledger: string | undefined;
}

/** What the run record of an (account, region, date) commits, or undefined when there is none. */
export async function readCommittedKeys(
  store: WarehouseStore,
  snapshotDate: string,
  target: { readonly accountId: string; readonly region: string },
): Promise<CommittedKeys | undefined> {
  const copy = await store.download(snapshotObjectPath(runRecordObject(snapshotDate, target.region, target.accountId)));
  if (!copy) return undefined;
  try {
    const reader = await SnapshotReader.open(copy.path, INVENTORY_RUN_SCHEMA).catch(() =>
      SnapshotReader.open(copy.path, BEFORE_LEDGER_OBJECT),
    );
    try {
      for await (const [row] of reader.rowGroupsOf()) {
        if (!row) continue;
        const folder = (table: Pick<TableSchema, 'table' | 'partitionKeys'>) =>
          dirname(snapshotObjectPath(accountRegionObject(table, snapshotDate, target.region, target.accountId)));
        // A record from before records named their ledger object names the one object its date had.
        const ledger = typeof row.ledger_object === 'string' ? fileName(row.ledger_object) : `${target.accountId}.parquet`;
        return {
          snapshot: `${folder(TRAINING_JOB_SCHEMA)}/${fileName(String(row.snapshot_object))}`,
          ledger: ledger === '' ? undefined : `${folder(TRAINING_JOB_LEDGER_SCHEMA)}/${ledger}`,
        };
      }
      return undefined;
    } finally {
      reader.close();
    }
  } finally {
    await copy.release();
  }
}

/** The last segment of a location (a local path or an s3:// URL); '' stays ''. */
function fileName(location: string): string {
  return location.slice(location.lastIndexOf('/') + 1);
}
