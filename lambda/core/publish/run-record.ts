import { ParquetWasmEncoder, type ParquetCompression } from '../parquet/parquet-encoder';
import { TOOL_VERSION } from '../names';
import type { TableRow } from '../rows/training-job-row';
import { INVENTORY_RUN_SCHEMA } from '../schema/table-schema';
import { accountRegionObject } from './layout';
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
  readonly snapshotObject: string;
  readonly snapshotBytes: number;
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
    started_at: record.startedAt,
    finished_at: record.finishedAt,
    duration_ms: BigInt(Math.max(0, Math.round(record.finishedAt - record.startedAt))),
    tool_version: TOOL_VERSION,
  };
}

/**
 * Publishes the run's record beside its snapshot: `sagemaker_inventory_run/snapshot_date=…/region=…/<account>.parquet`.
 * Written after the snapshot object, so a record always describes an object that is visible; a re-run
 * of the same date replaces both.
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
  return store.publish(
    accountRegionObject(INVENTORY_RUN_SCHEMA, record.snapshotDate, record.region, record.accountId),
    encoder.encode(one()),
  );
}
