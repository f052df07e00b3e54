import { createWriteStream, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ParquetWasmEncoder } from '../../lambda/core/parquet/parquet-encoder';
import { SnapshotReader } from '../../lambda/core/parquet/parquet-reader';
import type { TableRow } from '../../lambda/core/rows/training-job-row';
import { TRAINING_JOB_SCHEMA } from '../../lambda/core/schema/table-schema';

async function* from<T>(items: readonly T[]): AsyncIterable<T> {
  for (const item of items) yield item;
}

/** A snapshot file of `count` rows in row groups of three, each row telling its position. */
async function fileOf(count: number): Promise<string> {
  const nulls = Object.fromEntries(TRAINING_JOB_SCHEMA.columns.map((c) => [c.name, null])) as TableRow;
  const rows = Array.from({ length: count }, (_, position) => ({
    ...nulls,
    _key: `job-${position}`,
    training_job_name: `name-${position}`,
  }));
  const path = join(mkdtempSync(join(tmpdir(), 'reader-')), 'snapshot.parquet');
  const bytes = new ParquetWasmEncoder(TRAINING_JOB_SCHEMA, { rowGroupRows: 3 }).encode(from(rows));
  await pipeline(Readable.from(bytes, { objectMode: false }), createWriteStream(path));
  return path;
}

async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

describe('SnapshotReader.rowsAt', () => {
  it('reads exactly the rows at the given positions, across row groups, as a full read decodes them', async () => {
    // Prepare
    const reader = await SnapshotReader.open(await fileOf(10), TRAINING_JOB_SCHEMA);
    const everyRow = (await all(reader.rowGroupsOf())).flat();

    // Act
    const picked = await all(reader.rowsAt([0, 2, 3, 4, 8, 9]));

    // Assess
    expect(reader.rowGroups).toBe(4);
    expect(picked).toEqual([0, 2, 3, 4, 8, 9].map((position) => everyRow[position]));
    reader.close();
  });

  it('refuses a position past the last row, naming it', async () => {
    // Prepare
    const reader = await SnapshotReader.open(await fileOf(4), TRAINING_JOB_SCHEMA);

    // Act
    const reading = all(reader.rowsAt([1, 4]));

    // Assess
    await expect(reading).rejects.toThrow('has 4 rows; row 4 is not one of them');
    reader.close();
  });
});
