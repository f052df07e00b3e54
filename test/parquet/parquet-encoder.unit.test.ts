import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ParquetWasmEncoder } from '../../lambda/core/parquet/parquet-encoder';
import { SnapshotReader } from '../../lambda/core/parquet/parquet-reader';
import { ColumnChunkField, ColumnMetaDataField, ParquetLayout } from '../../lambda/core/parquet/parquet-layout';
import { readStruct } from '../../lambda/core/parquet/thrift-compact';
import { TrainingJobRowMapper, type TableRow } from '../../lambda/core/rows/training-job-row';
import { TRAINING_JOB_SCHEMA } from '../../lambda/core/schema/table-schema';
import { minimalJob, REGION } from '../support/fixtures';
import { readSeedColumns } from '../support/seed';

async function drain(bytes: AsyncIterable<Uint8Array>): Promise<number> {
  let length = 0;
  for await (const chunk of bytes) length += chunk.length;
  return length;
}

async function fileOf(rows: TableRow[]): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of new ParquetWasmEncoder(TRAINING_JOB_SCHEMA).encode(
    (async function* () {
      yield* rows;
    })(),
  ))
    chunks.push(chunk);
  return Buffer.concat(chunks);
}

describe('the Parquet encoder', () => {
  it('fails, and ends no file, when its rows fail after some row groups are written', async () => {
    // Prepare: 25 rows in row groups of 10, then the row source fails.
    const mapper = new TrainingJobRowMapper();
    async function* rows(): AsyncIterable<TableRow> {
      for (let index = 0; index < 25; index++) yield mapper.map({ job: minimalJob(`job-${index}`), tags: {}, region: REGION }).row;
      throw new Error('the row source broke');
    }

    // Act
    const encoding = drain(new ParquetWasmEncoder(TRAINING_JOB_SCHEMA, { rowGroupRows: 10 }).encode(rows()));

    // Assess
    await expect(encoding).rejects.toThrow('the row source broke');
  });

  it('cuts row groups of the configured size, not of the batches its rows cross into wasm in, and keeps every row in order', async () => {
    // Prepare: more rows than a row group, which the encoder hands to the writer in smaller batches.
    const nulls = Object.fromEntries(TRAINING_JOB_SCHEMA.columns.map((column) => [column.name, null])) as TableRow;
    const rows = Array.from({ length: 1_100 }, (_, position) => ({
      ...nulls,
      _key: `job-${position}`,
      training_job_name: `name-${position}`,
    }));

    // Act
    const file = await fileOf(rows);

    // Assess
    expect(ParquetLayout.ofBytes(file, 'the encoded file').rowGroups.map((group) => group.rows)).toEqual([1_000, 100]);
    const path = join(mkdtempSync(join(tmpdir(), 'encoder-')), 'rows.parquet');
    writeFileSync(path, file);
    const reader = await SnapshotReader.open(path, TRAINING_JOB_SCHEMA);
    const keys: unknown[] = [];
    for await (const group of reader.rowGroupsOf(['_key'])) keys.push(...group.map((row) => row._key));
    reader.close();
    expect(keys).toEqual(rows.map((row) => row._key));
  });

  it('writes no statistics for the columns of JSON documents, and keeps them for every other column', async () => {
    // Prepare
    const mapper = new TrainingJobRowMapper();
    const rows = ['job-a', 'job-b'].map((name) => mapper.map({ job: minimalJob(name), tags: { team: 'vision' }, region: REGION }).row);
    const jsonColumns = readSeedColumns()
      .filter((column) => column.seedType === 'json')
      .map((column) => column.name);

    // Act
    const [group] = ParquetLayout.ofBytes(await fileOf(rows), 'the encoded file').rowGroups;

    // Assess
    const columnOf = (chunk: { path: string }) => chunk.path.split('.')[0];
    const withStatistics = new Set(
      group.chunks
        .filter((chunk) => readStruct(chunk.encoded).struct.struct(ColumnChunkField.metaData).has(ColumnMetaDataField.statistics))
        .map(columnOf),
    );
    const columns = new Set(group.chunks.map(columnOf));
    expect(jsonColumns).toHaveLength(22);
    expect([...withStatistics].sort()).toEqual([...columns].filter((column) => !jsonColumns.includes(column)).sort());
  });
});
