import { DataType, type Field, type RecordBatch, type Table, type Vector } from 'apache-arrow';
// @ts-expect-error TS1479: arrow-js-ffi declares types for its ES module only. It is imported as a module all the same: a
// bundle then takes its ES build, which imports apache-arrow's ES build as this file does (from its CommonJS build, a second
// copy of apache-arrow would make batches whose classes are not this file's).
import { parseRecordBatch, parseTable } from 'arrow-js-ffi';
import { openAsBlob } from 'node:fs';
import * as parquetWasm from 'parquet-wasm';
import { InventoryError } from '../errors';
import type { CellValue, TableRow } from '../rows/training-job-row';
import type { TableSchema } from '../schema/table-schema';
import { arrowSchemaFor } from './arrow-schema';

/** A Parquet file that is not one of this table's snapshots: unreadable, or written with other columns or types. */
export class SnapshotReadError extends InventoryError {}

/**
 * Reads a snapshot object back, one row group at a time: parquet-wasm reads the footer and then each
 * row group through a Blob over the file, so memory holds one row group, never the whole file. Rows
 * come back exactly as the encoder took them (bigint for int64, epoch ms for timestamps, Map for maps).
 */
export class SnapshotReader {
  private constructor(
    private readonly file: parquetWasm.ParquetFile,
    readonly path: string,
    readonly rowGroups: number,
    readonly rows: number,
    /** The number of rows of each row group, in file order. */
    readonly groupRows: readonly number[],
  ) {}

  /** Opens `path` and checks that every column of `schema` is in it with the type the encoder writes. */
  static async open(path: string, schema: TableSchema): Promise<SnapshotReader> {
    let file: parquetWasm.ParquetFile;
    try {
      file = await parquetWasm.ParquetFile.fromFile(await openAsBlob(path));
    } catch (error) {
      throw new SnapshotReadError(`${path} is not a readable Parquet file`, { cause: error });
    }
    const metadata = file.metadata();
    const rowGroups = metadata.numRowGroups();
    const rows = Number(metadata.fileMetadata().numRows());
    const groupRows = Array.from({ length: rowGroups }, (_, group) => Number(metadata.rowGroup(group).numRows()));
    const reader = new SnapshotReader(file, path, rowGroups, rows, groupRows);
    // An empty file still has its schema; reading no row group returns it.
    const actual = (await reader.readArrow([], undefined)).schema.fields;
    const expected = arrowSchemaFor(schema).fields;
    const problems = expected.flatMap((field) => {
      const found = actual.find((f) => f.name === field.name);
      if (!found) return [`column ${field.name} is missing`];
      return sameType(found, field) ? [] : [`column ${field.name} is ${found.type}, expected ${field.type}`];
    });
    const extra = actual.filter((f) => !expected.some((e) => e.name === f.name)).map((f) => `column ${f.name} is not in the schema`);
    if (problems.length + extra.length > 0) {
      file.free();
      throw new SnapshotReadError(`${path} does not match the ${schema.table} schema: ${[...problems, ...extra].slice(0, 5).join('; ')}`);
    }
    return reader;
  }

  private async readArrow(rowGroups: number[], columns: readonly string[] | undefined, span?: { offset: number; limit: number }) {
    try {
      const table = await this.file.read({ rowGroups, ...(columns ? { columns: [...columns] } : {}), ...span });
      return copiedOutOfWasm(table);
    } catch (error) {
      throw new SnapshotReadError(`reading row groups ${rowGroups.join(',')} of ${this.path} failed`, { cause: error });
    }
  }

  /** Every row, one array per row group; `columns` narrows what is read (the others are absent from the rows). */
  async *rowGroupsOf(columns?: readonly string[]): AsyncIterable<TableRow[]> {
    for await (const batch of this.batchesOf(columns)) yield Array.from({ length: batch.numRows }, (_, index) => rowAt(batch, index));
  }

  /** Every row group as Arrow record batches, copied out of wasm memory; `columns` narrows what is read. */
  async *batchesOf(columns?: readonly string[]): AsyncIterable<RecordBatch> {
    for (let group = 0; group < this.rowGroups; group++) yield* (await this.readArrow([group], columns)).batches;
  }

  /**
   * Row group `group` (its `columns`, or all) as parquet-wasm record batches: decoded in wasm memory and left there, so a writer
   * that takes them costs no copy into JavaScript and back. The caller owns them (a writer consumes them; free the others).
   */
  async wasmBatchesOf(group: number, columns?: readonly string[]): Promise<parquetWasm.RecordBatch[]> {
    try {
      const table = await this.file.read({ rowGroups: [group], ...(columns ? { columns: [...columns] } : {}) });
      const batches = table.recordBatches();
      table.free();
      return batches;
    } catch (error) {
      throw new SnapshotReadError(`reading row group ${group} of ${this.path} failed`, { cause: error });
    }
  }

  /**
   * The rows at the given positions in the file (0-based, ascending), decoded. Each row group holding any
   * is read only from its first such row to its last, so a few rows cost a few rows' decoding, not the file's.
   */
  async *rowsAt(positions: readonly number[]): AsyncIterable<TableRow> {
    for (const { group, start, from, to } of this.groupsHolding(positions)) {
      const offset = positions[from] - start;
      const table = await this.readArrow([group], undefined, { offset, limit: positions[to - 1] - start - offset + 1 });
      for (let next = from; next < to; next++) yield rowOfTable(table, positions[next] - start - offset);
    }
  }

  /**
   * The row groups holding any of `positions` (rows of the file, 0-based, ascending), in file order: each
   * with the row it starts at and the span [from, to) of `positions` in it. Throws once past the last
   * group when a position is beyond the file.
   */
  *groupsHolding(positions: readonly number[]): Iterable<{ group: number; start: number; from: number; to: number }> {
    let next = 0;
    let start = 0;
    for (let group = 0; group < this.rowGroups && next < positions.length; group++) {
      const end = start + this.groupRows[group];
      const from = next;
      while (next < positions.length && positions[next] < end) next++;
      if (next > from) yield { group, start, from, to: next };
      start = end;
    }
    if (next < positions.length)
      throw new SnapshotReadError(`${this.path} has ${this.rows} rows; row ${positions[next]} is not one of them`);
  }

  close(): void {
    this.file.free();
  }
}

/**
 * The table as Arrow JS, its buffers copied straight out of wasm memory through the Arrow C data interface:
 * one copy per buffer, where an IPC stream costs a serialization in wasm, a copy out and a parse. Copied, not
 * viewed, because the next wasm allocation may grow (and so detach) the memory a view would point into.
 */
function copiedOutOfWasm(table: parquetWasm.Table): Table {
  const ffi = table.intoFFI();
  try {
    return parseTable(parquetWasm.wasmMemory().buffer, ffi.arrayAddrs(), ffi.schemaAddr(), true);
  } finally {
    ffi.drop();
  }
}

/**
 * Calls `use` with `batch` as Arrow JS without copying it: a view on wasm memory, valid only until the
 * next wasm allocation may grow (and so move) that memory. So `use` must neither call into parquet-wasm
 * nor keep the view or anything viewing it; what it returns must be copies. `batch` must be one as read,
 * not a slice: arrow-js-ffi 0.4 reads the offsets of a sliced string column from its first value.
 */
export function viewedInWasm<T>(batch: parquetWasm.RecordBatch, use: (view: RecordBatch) => T): T {
  const ffi = batch.toFFI();
  try {
    return use(parseRecordBatch(parquetWasm.wasmMemory().buffer, ffi.arrayAddr(), ffi.schemaAddr(), false));
  } finally {
    ffi.free();
  }
}

function sameType(actual: Field, expected: Field): boolean {
  return String(actual.type) === String(expected.type) || (DataType.isMap(actual.type) && DataType.isMap(expected.type));
}

function rowOfTable(table: Table, index: number): TableRow {
  let inBatch = index;
  for (const batch of table.batches) {
    if (inBatch < batch.numRows) return rowAt(batch, inBatch);
    inBatch -= batch.numRows;
  }
  throw new SnapshotReadError(`a read of ${table.numRows} rows has no row ${index}`);
}

/** One row of a batch, exactly as the encoder took it: its values copied, so it outlives a view on wasm memory. */
export function rowAt(batch: RecordBatch, index: number): TableRow {
  const row: TableRow = {};
  batch.schema.fields.forEach((field, column) => (row[field.name] = cellOf(field, batch.getChildAt(column)!, index)));
  return row;
}

function cellOf(field: Field, vector: Vector, index: number): CellValue {
  const value: unknown = vector.get(index);
  if (value === null || value === undefined) return null;
  if (DataType.isMap(field.type)) {
    const map = new Map<string, string>();
    for (const [key, entry] of value as Iterable<[string, string | null]>) map.set(key, entry as string);
    return map;
  }
  if (DataType.isTimestamp(field.type)) return Number(value);
  return value as CellValue;
}
