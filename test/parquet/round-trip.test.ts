import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ParquetWasmEncoder } from '../../lambda/core/parquet/parquet-encoder';
import { LocalStore } from '../../lambda/core/publish/local-store';
import { TrainingJobRowMapper, type TableRow } from '../../lambda/core/rows/training-job-row';
import { accountRegionObject } from '../../lambda/core/publish/layout';
import { TRAINING_JOB_SCHEMA } from '../../lambda/core/schema/table-schema';
import { queryRows, withDuckDb } from '../support/duckdb';
import { mismatches } from '../support/compare';
import { ACCOUNT, fixtureRecords, REGION } from '../support/fixtures';
import { readSeedColumns } from '../support/seed';

const DUCKDB_TYPE: Record<string, string> = {
  string: 'VARCHAR',
  int64: 'BIGINT',
  bool: 'BOOLEAN',
  timestamp: 'TIMESTAMP WITH TIME ZONE',
  hstore: 'MAP(VARCHAR, VARCHAR)',
  json: 'VARCHAR',
};

async function* from<T>(items: readonly T[]): AsyncIterable<T> {
  for (const item of items) yield item;
}

describe('a snapshot written with parquet-wasm, read back by DuckDB', () => {
  const root = mkdtempSync(join(tmpdir(), 'warehouse-'));
  const file = `${root}/sagemaker_training_job/snapshot_date=2026-11-01/region=${REGION}/${ACCOUNT}.parquet`;
  const records = fixtureRecords();
  const seed = readSeedColumns();
  const extremes = () => readBack.get(records.find((r) => r.job.TrainingJobName === 'extremes-unicode')!.job.TrainingJobArn!)!;
  let readBack: Map<string, Record<string, unknown>>;
  let described: { column_name: string; column_type: string }[];
  /** The file's Parquet schema elements by name, as DuckDB's parquet_schema() reports them. */
  let parquetSchema: Map<unknown, Record<string, unknown>>;
  /** The file's column chunks, as DuckDB's parquet_metadata() reports them. */
  let chunks: { pages: Record<string, unknown>[]; groups: Record<string, unknown>[]; offsets: Record<string, unknown>[] };

  beforeAll(async () => {
    const mapper = new TrainingJobRowMapper();
    const rows = records.map((record) => mapper.map(record).row);
    const publisher = new LocalStore(root);
    const encoder = new ParquetWasmEncoder(TRAINING_JOB_SCHEMA, { rowGroupRows: 100 });
    await publisher.publish(accountRegionObject(TRAINING_JOB_SCHEMA, '2026-11-01', REGION, ACCOUNT), encoder.encode(from(rows)));

    const glob = `read_parquet('${root}/sagemaker_training_job/*/*/*.parquet', hive_partitioning=true, hive_types_autocast=false)`;
    const timestamps = seed.filter((c) => c.seedType === 'timestamp').map((c) => `epoch_ms(${c.name}) AS ${c.name}`);
    await withDuckDb(async (db) => {
      described = (await queryRows(db, `DESCRIBE SELECT * FROM ${glob}`)) as typeof described;
      const reader = await db.runAndReadAll(`SELECT * REPLACE (${timestamps.join(', ')}) FROM ${glob}`);
      readBack = new Map(reader.getRowObjectsJson().map((row) => [row._key as string, row as Record<string, unknown>]));
      const schema = await queryRows(db, `SELECT name, logical_type, converted_type, type FROM parquet_schema('${file}')`);
      parquetSchema = new Map(schema.map((s) => [s.name, s]));
      chunks = {
        pages: await queryRows(db, `SELECT DISTINCT compression, encodings FROM parquet_metadata('${file}')`),
        groups: await queryRows(db, `SELECT count(DISTINCT row_group_id) AS n FROM parquet_metadata('${file}')`),
        offsets: await queryRows(db, `SELECT data_page_offset FROM parquet_metadata('${file}')`),
      };
    });
  });

  it('shows all 46 columns with their DuckDB types', () => {
    // Act
    const dataColumns = described.slice(0, seed.length).map((c) => [c.column_name, c.column_type]);

    // Assess
    expect(dataColumns).toEqual(seed.map((c) => [c.name, DUCKDB_TYPE[c.seedType]]));
  });

  it('shows snapshot_date and region after the data columns, as text', () => {
    // Act
    const partitionColumns = described.slice(seed.length).map((c) => [c.column_name, c.column_type]);

    // Assess
    expect(partitionColumns.sort()).toEqual([
      ['region', 'VARCHAR'],
      ['snapshot_date', 'VARCHAR'],
    ]);
  });

  it('uses a fixture set in which every column holds a value for some job', () => {
    // Act
    const columnsNeverFilled = seed.map((c) => c.name).filter((column) => [...readBack.values()].every((row) => row[column] === null));

    // Assess
    expect(columnsNeverFilled).toEqual([]);
  });

  it('holds one row per job', () => {
    // Assess
    expect(readBack.size).toBe(records.length);
  });

  it('gives every row the partition values from the path', () => {
    // Assess
    for (const row of readBack.values()) {
      expect(row.snapshot_date).toBe('2026-11-01');
      expect(row.region).toBe(REGION);
    }
  });

  it('holds every value exactly as the API returned it', () => {
    // Act
    const wrong = records.flatMap(({ job, tags }) => mismatches(readBack.get(job.TrainingJobArn!)!, job, tags ?? {}));

    // Assess
    expect(wrong).toEqual([]);
  });

  it('writes nested dates inside JSON as ISO-8601 UTC with milliseconds', () => {
    // Act
    const row = extremes();

    // Assess
    expect(row.final_metric_data_list).toBe('[{"MetricName":"loss","Value":-1.5e-300,"Timestamp":"2026-01-01T00:00:00.005Z"}]');
  });

  it('keeps a 1,000-entry map whole', () => {
    // Act
    const row = extremes();

    // Assess
    expect(row.hyper_parameters).toHaveLength(1000);
  });

  it('annotates maps as MAP', () => {
    // Assess
    expect(parquetSchema.get('tags')).toMatchObject({ converted_type: 'MAP' });
  });

  it('annotates timestamps as TIMESTAMP(MILLIS, UTC)', () => {
    // Assess
    expect(String(parquetSchema.get('creation_time')!.logical_type)).toMatch(/TimestampType\(isAdjustedToUTC=1, unit=TimeUnit\(MILLIS/);
  });

  it('stores whole numbers as INT64', () => {
    // Assess
    expect(parquetSchema.get('billable_time_in_seconds')).toMatchObject({ type: 'INT64' });
  });

  it('compresses every column chunk with ZSTD', () => {
    // Assess
    expect(chunks.pages.every((p) => p.compression === 'ZSTD')).toBe(true);
  });

  it('cuts row groups at the configured 100 rows', () => {
    // Assess
    expect(Number(chunks.groups[0].n)).toBe(Math.ceil(records.length / 100));
  });

  it('writes V1 data pages', () => {
    // Act: each column chunk's first data page header (Thrift compact): field 1 "type" is i32 (0x15),
    // then its zigzag value: DATA_PAGE (V1) = 0 → 0x00; DATA_PAGE_V2 = 3 would be 0x06.
    const bytes = readFileSync(file);
    const pageTypes = new Set(
      chunks.offsets.map((o) => bytes.subarray(Number(o.data_page_offset), Number(o.data_page_offset) + 2).toString('hex')),
    );

    // Assess
    expect([...pageTypes]).toEqual(['1500']);
  });
});

describe('the Parquet encoder on edge rows', () => {
  it('keeps int64 values at both ends of the range exactly', async () => {
    // Prepare
    const root = mkdtempSync(join(tmpdir(), 'warehouse-'));
    const nulls = Object.fromEntries(TRAINING_JOB_SCHEMA.columns.map((c) => [c.name, null])) as TableRow;
    const rows: TableRow[] = [
      { ...nulls, _key: 'max', training_time_in_seconds: 9223372036854775807n, billable_time_in_seconds: 9007199254740993n },
      { ...nulls, _key: 'min', training_time_in_seconds: -9223372036854775808n, billable_time_in_seconds: -1n },
    ];
    const encoder = new ParquetWasmEncoder(TRAINING_JOB_SCHEMA);

    // Act
    await new LocalStore(root).publish(accountRegionObject(TRAINING_JOB_SCHEMA, '2026-11-01', REGION, ACCOUNT), encoder.encode(from(rows)));

    // Assess
    await withDuckDb(async (db) => {
      const out = await queryRows(
        db,
        `SELECT _key, training_time_in_seconds::VARCHAR AS t, billable_time_in_seconds::VARCHAR AS b FROM read_parquet('${root}/**/*.parquet') ORDER BY _key`,
      );
      expect(out).toEqual([
        { _key: 'max', t: '9223372036854775807', b: '9007199254740993' },
        { _key: 'min', t: '-9223372036854775808', b: '-1' },
      ]);
    });
  });

  it('writes a readable file with the full schema and no rows for an empty account', async () => {
    // Prepare
    const root = mkdtempSync(join(tmpdir(), 'warehouse-'));

    // Act
    await new LocalStore(root).publish(
      accountRegionObject(TRAINING_JOB_SCHEMA, '2026-11-01', REGION, ACCOUNT),
      new ParquetWasmEncoder(TRAINING_JOB_SCHEMA).encode(from([])),
    );

    // Assess
    await withDuckDb(async (db) => {
      const columns = await queryRows(db, `DESCRIBE SELECT * FROM read_parquet('${root}/**/*.parquet', hive_partitioning=false)`);
      const count = await queryRows(db, `SELECT count(*)::INTEGER AS n FROM read_parquet('${root}/**/*.parquet')`);
      expect(columns).toHaveLength(46);
      expect(count[0].n).toBe(0);
    });
  });
});
