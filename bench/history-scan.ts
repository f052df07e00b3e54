/**
 * What a historical cost query reads, by simulation: the bytes and Parquet row groups Athena touches for
 * `cost_by_month` over a year of daily snapshots of one (account, region) of N jobs. It writes one day's
 * snapshot object and one day's ledger object with the product's encoder (ZSTD, 1,000-row row groups), reads
 * their column chunks with DuckDB's parquet_metadata(), and adds up the chunks of the columns the cost view
 * reads (Athena reads only those: Parquet is columnar), for
 *   - the shipped design: the latest snapshot + every day's ledger object (first_seen and deleted events);
 *   - scanning every daily partition for each job's last row (what the ledger avoids): every day's snapshot.
 * A year of days is the one day's figures times the days: the objects of a steady estate differ by a percent.
 *
 *   npx tsx bench/history-scan.ts                                   # 100,000 jobs × 365 days
 *   npx tsx bench/history-scan.ts --jobs 10000 --days 90 --new-per-day 100 --deleted-per-day 50
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ParquetWasmEncoder } from '../lambda/core/parquet/parquet-encoder';
import { accountRegionObject } from '../lambda/core/publish/layout';
import { LocalStore } from '../lambda/core/publish/local-store';
import { TrainingJobRowMapper, type TableRow } from '../lambda/core/rows/training-job-row';
import { TRAINING_JOB_LEDGER_SCHEMA, TRAINING_JOB_SCHEMA, type TableSchema } from '../lambda/core/schema/table-schema';
import { jobRecords } from './support/job-records';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '100000' },
    days: { type: 'string', default: '365' },
    'new-per-day': { type: 'string' },
    'deleted-per-day': { type: 'string' },
  },
});
const jobs = Number(values.jobs);
const days = Number(values.days);
/** By default the estate grows to its size over the days, and half as many jobs are deleted as are created. */
const newPerDay = Number(values['new-per-day'] ?? Math.ceil(jobs / days));
const deletedPerDay = Number(values['deleted-per-day'] ?? Math.ceil(newPerDay / 2));

/** The training-job columns the cost view (and so cost_by_month) reads, besides the partition keys. */
const COST_COLUMNS = [
  '_key',
  'account_id',
  'training_job_name',
  'training_job_status',
  'tags',
  'resource_config',
  'enable_managed_spot_training',
  'billable_time_in_seconds',
  'training_time_in_seconds',
  'warm_pool_status',
  'creation_time',
  'training_end_time',
];
/** The ledger adds the columns the history view filters and orders on. */
const LEDGER_COLUMNS = [...COST_COLUMNS, 'event', 'last_snapshot_date'];

for (const column of LEDGER_COLUMNS) {
  if (!TRAINING_JOB_LEDGER_SCHEMA.columns.some((c) => c.name === column)) throw new Error(`${column} is not a ledger column`);
}

interface Figures {
  readonly bytes: number;
  readonly readBytes: number;
  readonly rowGroups: number;
}

async function write(root: string, schema: TableSchema, rows: () => AsyncIterable<TableRow>): Promise<string> {
  const published = await new LocalStore(root).publish(
    accountRegionObject(schema, '2026-11-01', 'us-east-1', '123456789012'),
    new ParquetWasmEncoder(schema, { compression: 'zstd' }).encode(rows()),
  );
  return published.location;
}

async function figuresOf(file: string, columns: readonly string[]): Promise<Figures> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const list = columns.map((c) => `'${c}'`).join(', ');
    const reader = await connection.runAndReadAll(
      `SELECT sum(total_compressed_size) AS all_bytes,
              sum(CASE WHEN split_part(path_in_schema, ',', 1) IN (${list}) THEN total_compressed_size ELSE 0 END) AS read_bytes,
              count(DISTINCT row_group_id) AS row_groups
       FROM parquet_metadata('${file}')`,
    );
    const [row] = reader.getRowObjectsJson() as Record<string, string>[];
    return { bytes: Number(row.all_bytes), readBytes: Number(row.read_bytes), rowGroups: Number(row.row_groups) };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'history-scan-'));
  const mapper = new TrainingJobRowMapper();
  try {
    const snapshot = await write(root, TRAINING_JOB_SCHEMA, async function* () {
      for (const record of jobRecords(jobs)) yield mapper.map(record).row;
    });
    const ledger = await write(root, TRAINING_JOB_LEDGER_SCHEMA, async function* (): AsyncGenerator<TableRow> {
      for (const { job } of jobRecords(newPerDay, { prefix: 'new' })) {
        const key = String(job.TrainingJobArn);
        yield {
          _key: key,
          account_id: '123456789012',
          training_job_arn: key,
          training_job_name: String(job.TrainingJobName),
          creation_time: job.CreationTime!.getTime(),
          event: 'first_seen',
          last_snapshot_date: '2026-11-01',
        };
      }
      for (const record of jobRecords(deletedPerDay, { prefix: 'deleted' }))
        yield { ...mapper.map(record).row, event: 'deleted', last_snapshot_date: '2026-10-31' };
    });
    const day = await figuresOf(snapshot, COST_COLUMNS);
    const events = await figuresOf(ledger, LEDGER_COLUMNS);
    const shipped = { readBytes: day.readBytes + days * events.readBytes, rowGroups: day.rowGroups + days * events.rowGroups };
    const everyDay = { readBytes: days * day.readBytes, rowGroups: days * day.rowGroups };
    console.log(
      `${jobs.toLocaleString('en')} jobs × ${days} days, ${newPerDay} new and ${deletedPerDay} deleted a day; ZSTD, 1,000-row row groups`,
    );
    console.log(
      `one day's snapshot object: ${mib(day.bytes)}, ${day.rowGroups} row groups; the ${COST_COLUMNS.length} columns the cost view reads: ${mib(day.readBytes)}`,
    );
    console.log(
      `one day's ledger object: ${(events.bytes / 1024).toFixed(1)} KiB, ${events.rowGroups} row group(s); columns read: ${(events.readBytes / 1024).toFixed(1)} KiB`,
    );
    console.log(
      `cost_by_month over the history (latest snapshot + ${days} ledger objects): ${mib(shipped.readBytes)} in ${shipped.rowGroups} row groups`,
    );
    console.log(
      `the same by scanning every daily partition: ${mib(everyDay.readBytes)} in ${everyDay.rowGroups} row groups (${(everyDay.readBytes / shipped.readBytes).toFixed(0)}× the bytes)`,
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

void main();
