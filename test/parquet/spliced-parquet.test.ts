import { createWriteStream, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ParquetWasmEncoder } from '../../lambda/core/parquet/parquet-encoder';
import { ParquetLayout, ParquetLayoutError } from '../../lambda/core/parquet/parquet-layout';
import { SnapshotReader } from '../../lambda/core/parquet/parquet-reader';
import { ChunkSource, SplicedParquet, type SplicedRowGroup } from '../../lambda/core/parquet/spliced-parquet';
import { TrainingJobRowMapper, type TableRow } from '../../lambda/core/rows/training-job-row';
import { TRAINING_JOB_SCHEMA } from '../../lambda/core/schema/table-schema';
import { queryRows, withDuckDb } from '../support/duckdb';
import { minimalJob, REGION } from '../support/fixtures';

const folder = mkdtempSync(join(tmpdir(), 'spliced-'));
const mapper = new TrainingJobRowMapper();
const rowsNamed = (prefix: string, count: number) =>
  Array.from({ length: count }, (_, index) => mapper.map({ job: minimalJob(`${prefix}-${index}`), tags: {}, region: REGION }).row);

/** `rows` encoded into `name` in row groups of 10, with its layout and a source to copy its chunks from. */
async function parquetFile(name: string, rows: TableRow[]) {
  const path = join(folder, name);
  async function* source(): AsyncIterable<TableRow> {
    yield* rows;
  }
  const bytes = new ParquetWasmEncoder(TRAINING_JOB_SCHEMA, { rowGroupRows: 10 }).encode(source());
  await pipeline(Readable.from(bytes, { objectMode: false }), createWriteStream(path));
  return { layout: await ParquetLayout.ofFile(path), from: await ChunkSource.open(path) };
}

async function spliced(name: string, template: ParquetLayout, groups: SplicedRowGroup[]): Promise<string> {
  const path = join(folder, name);
  await pipeline(Readable.from(new SplicedParquet(template).bytes(groups), { objectMode: false }), createWriteStream(path));
  return path;
}

async function rowsOf(path: string): Promise<TableRow[]> {
  const reader = await SnapshotReader.open(path, TRAINING_JOB_SCHEMA);
  const rows: TableRow[] = [];
  for await (const group of reader.rowGroupsOf()) rows.push(...group);
  reader.close();
  return rows;
}

describe('a Parquet file spliced from the column chunks of others', () => {
  const first = rowsNamed('first', 30);
  const second = rowsNamed('second', 10);
  let a: Awaited<ReturnType<typeof parquetFile>>;
  let b: Awaited<ReturnType<typeof parquetFile>>;

  beforeAll(async () => {
    a = await parquetFile('a.parquet', first);
    b = await parquetFile('b.parquet', second);
  });
  afterAll(async () => {
    await a.from.close();
    await b.from.close();
  });

  const whole = (file: typeof a, group: number): SplicedRowGroup => ({
    rows: file.layout.rowGroups[group].rows,
    chunks: file.layout.rowGroups[group].chunks.map((layout) => ({ from: file.from, layout })),
  });

  it('holds the rows of the row groups it took, in the order given, for parquet-wasm and DuckDB', async () => {
    // Prepare
    const groups = [whole(a, 2), whole(b, 0), whole(a, 0)];

    // Act
    const path = await spliced('reordered.parquet', b.layout, groups);

    // Assess
    expect(await rowsOf(path)).toEqual([...first.slice(20, 30), ...second, ...first.slice(0, 10)]);
    await withDuckDb(async (db) => {
      const names = await queryRows(db, `SELECT training_job_name FROM read_parquet('${path}')`);
      const groupsRead = await queryRows(db, `SELECT count(DISTINCT row_group_id)::INTEGER AS n FROM parquet_metadata('${path}')`);
      expect(names.map((row) => row.training_job_name)).toEqual(
        [...first.slice(20, 30), ...second, ...first.slice(0, 10)].map((row) => row.training_job_name),
      );
      expect(groupsRead[0].n).toBe(3);
    });
  });

  it('takes a column of a row group from another file, the rest as it was', async () => {
    // Prepare: group 1 of the first file, its names from the second file's group of as many rows.
    const names = b.layout.rowGroups[0].chunks.find((chunk) => chunk.path === 'training_job_name')!;
    const group = whole(a, 1);
    const chunks = group.chunks.map((chunk) => (chunk.layout.path === 'training_job_name' ? { from: b.from, layout: names } : chunk));

    // Act
    const path = await spliced('renamed.parquet', a.layout, [{ rows: group.rows, chunks }]);

    // Assess
    const expected = first.slice(10, 20).map((row, index) => ({ ...row, training_job_name: second[index].training_job_name }));
    expect(await rowsOf(path)).toEqual(expected);
  });

  it('refuses to map a file that is not Parquet, naming it', async () => {
    // Prepare
    const path = join(folder, 'not-parquet.parquet');
    writeFileSync(path, 'a text file, long enough to have a tail');

    // Act
    const mapping = ParquetLayout.ofFile(path);

    // Assess
    await expect(mapping).rejects.toThrow(ParquetLayoutError);
    await expect(ParquetLayout.ofFile(path)).rejects.toThrow(`${path} is not a Parquet file: it does not end with PAR1`);
  });
});
