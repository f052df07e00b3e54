import { makeVector, Table, type Data, type Map_, type RecordBatch, type Utf8 } from 'apache-arrow';
import type * as parquetWasm from 'parquet-wasm';
import { InventoryError } from '../errors';
import { columnData } from '../parquet/arrow-columns';
import { arrowSchemaFor } from '../parquet/arrow-schema';
import { ParquetWasmEncoder, type EncoderInput } from '../parquet/parquet-encoder';
import { rowAt, SnapshotReader, viewedInWasm } from '../parquet/parquet-reader';
import { isStringMapCell } from '../parquet/string-map-cell';
import type { TableRow } from '../rows/training-job-row';
import type { PreviousSnapshot } from './previous-snapshot';
import type { TargetRunSettings } from './target-run-types';

/** What a snapshot object is made of once a target's listing, tags and describes are all in. */
export interface MergeSources {
  readonly settings: TargetRunSettings;
  readonly previous: PreviousSnapshot | undefined;
  /** ARNs whose row comes from the previous snapshot. */
  readonly carried: ReadonlySet<string>;
  /** Names of jobs described but deleted before the full listing reached them: their rows are left out. */
  readonly excluded: ReadonlySet<string>;
  /** Today's tags by ARN, already redacted. */
  readonly tags: ReadonlyMap<string, Record<string, string>>;
  /** Where the rows of the previous snapshot's jobs that are not in this one are in its file (ascending). */
  readonly departed: readonly number[];
}

/**
 * At most this many departed rows are kept, decoded, as the merge passes them (a few MiB): a day of
 * more deletions than that is rare, and its ledger reads them from the previous file again instead.
 */
const DEPARTED_ROWS_KEPT = 2000;

/** What becomes of one row of the previous snapshot. */
const enum Fate {
  Dropped = 0,
  /** Carried with the tags it has: copied in wasm, never decoded into JavaScript. */
  Copied = 1,
  /** Carried with today's tags, which are not its own. */
  Retagged = 2,
}

/**
 * The snapshot object's bytes: the carried rows (the previous snapshot's, in its order), then the
 * described ones (the parts earlier invocations saved, then this invocation's), every row with
 * today's tags. Each row group of the previous snapshot is decoded once, in wasm, and its carried
 * rows go to the writer as slices of it there: JavaScript only looks at their keys and tags, through
 * a view on wasm memory, and only the rows whose tags moved (tags are the one column that changes
 * without a describe) are copied out, given today's tags and sent back. Counts the rows as they go.
 */
export class MergedSnapshot {
  written = 0;
  /**
   * The previous snapshot's rows at `departed`, decoded as the merge passed them, once `encode` is done;
   * undefined when the merge did not keep them (more than DEPARTED_ROWS_KEPT, or no row carried).
   */
  departedRows: TableRow[] | undefined;
  private readonly localCopies: { path: string; release(): Promise<void> }[] = [];
  private readonly tagsType;
  private readonly encoder: ParquetWasmEncoder;

  constructor(
    private readonly sources: MergeSources,
    private readonly savedParts: readonly string[],
    private readonly localPart: string | undefined,
  ) {
    const { schema, config } = sources.settings;
    this.tagsType = arrowSchemaFor(schema).fields.find((field) => field.name === 'tags')!.type;
    this.encoder = new ParquetWasmEncoder(schema, { compression: config.compression, rowGroupRows: config.rowGroupRows });
  }

  /** The object as Parquet bytes, encoded as the batches come. */
  encode(): AsyncIterable<Uint8Array> {
    return this.encoder.encodeTables(this.inputs());
  }

  /** Deletes the local copies of the saved parts. */
  async release(): Promise<void> {
    for (const copy of this.localCopies) await copy.release();
  }

  private async *inputs(): AsyncIterable<EncoderInput> {
    const { previous, carried, departed, excluded } = this.sources;
    if (previous && carried.size > 0) {
      const departedRows = departed.length <= DEPARTED_ROWS_KEPT ? new DepartedRows(departed) : undefined;
      for (let group = 0; group < previous.reader.rowGroups; group++) {
        for (const batch of await previous.reader.wasmBatchesOf(group)) yield* this.carriedOf(batch, departedRows);
      }
      this.departedRows = departedRows?.rows;
    }
    for (const path of await this.partPaths()) {
      const reader = await SnapshotReader.open(path, this.sources.settings.schema);
      try {
        for await (const batch of reader.batchesOf()) {
          const names = batch.getChild('training_job_name')!;
          const keep = (index: number) => !excluded.has(String(names.get(index)));
          const tagged = this.withTodaysTags(batch, keep);
          yield new Table(
            tagged.schema,
            [...runsOf(batch.numRows, keep)].map(([start, end]) => this.counted(tagged.slice(start, end))),
          );
        }
      } finally {
        reader.close();
      }
    }
  }

  /**
   * The carried rows of one batch of the previous snapshot (the next one in its file), in order: each
   * run of rows whose tags are today's as a wasm slice of `batch`; each run of retagged rows copied
   * out, with today's tags.
   */
  private *carriedOf(batch: parquetWasm.RecordBatch, departedRows: DepartedRows | undefined): Iterable<EncoderInput> {
    const { runs, retaggedIpc } = viewedInWasm(batch, (view) => {
      departedRows?.keepFrom(view);
      const fates = this.fatesOf(view);
      const runs = [...runsOfEqual(fates)]
        .filter(([start]) => fates[start] !== Fate.Dropped)
        .map(([start, end]) => ({ start, end, fate: fates[start] }));
      const retagged = runs.filter((run) => run.fate === Fate.Retagged);
      if (retagged.length === 0) return { runs, retaggedIpc: undefined };
      const tagged = this.withTodaysTags(view, (index) => fates[index] === Fate.Retagged);
      // Serialized while the view is valid: the next wasm allocation may move the memory it points into.
      return { runs, retaggedIpc: this.encoder.ipcOf(retagged.map(({ start, end }) => tagged.slice(start, end))) };
    });
    try {
      const retagged = retaggedIpc ? ParquetWasmEncoder.wasmBatchesOf(retaggedIpc) : [];
      for (const { start, end, fate } of runs) {
        this.written += end - start;
        yield fate === Fate.Copied ? batch.slice(start, end - start) : retagged.shift()!;
      }
    } finally {
      batch.free();
    }
  }

  /** The fate of each row of `batch`: dropped when not carried, copied when its tags are today's, else retagged. */
  private fatesOf(batch: RecordBatch): Uint8Array {
    const { carried, tags } = this.sources;
    const keys = batch.getChild('_key')!;
    const previousTags = batch.getChild('tags')!.data[0] as Data<Map_<Utf8, Utf8>>;
    const fates = new Uint8Array(batch.numRows);
    for (let index = 0; index < batch.numRows; index++) {
      const key = String(keys.get(index));
      if (carried.has(key)) fates[index] = isStringMapCell(previousTags, index, tags.get(key) ?? {}) ? Fate.Copied : Fate.Retagged;
    }
    return fates;
  }

  /** `batch` with today's tags in the rows `keep` keeps (the others' tags are null): its other columns as they were. */
  private withTodaysTags(batch: RecordBatch, keep: (index: number) => boolean): RecordBatch {
    const keys = batch.getChild('_key')!;
    const tags: (ReadonlyMap<string, string> | null)[] = new Array(batch.numRows);
    for (let index = 0; index < batch.numRows; index++) {
      tags[index] = keep(index) ? new Map(Object.entries(this.sources.tags.get(String(keys.get(index))) ?? {})) : null;
    }
    return batch.setChild('tags', makeVector(columnData(this.tagsType, tags)));
  }

  private counted(slice: RecordBatch): RecordBatch {
    this.written += slice.numRows;
    return slice;
  }

  private async partPaths(): Promise<string[]> {
    const { store, target } = this.sources.settings;
    const paths: string[] = [];
    for (const key of this.savedParts) {
      const copy = await store.download(key);
      if (!copy) throw new InventoryError(`the saved part ${store.locationOf(key)} of ${target.accountId}/${target.region} is missing`);
      this.localCopies.push(copy);
      paths.push(copy.path);
    }
    if (this.localPart) paths.push(this.localPart);
    return paths;
  }
}

/** The rows of the previous snapshot at the given positions, kept as the batches holding them pass, in file order. */
class DepartedRows {
  readonly rows: TableRow[] = [];
  private batchStart = 0;
  private next = 0;

  constructor(private readonly positions: readonly number[]) {}

  /** Keeps the departed rows of `batch`, the next batch of the file, decoded (copied, so `batch` may be a view). */
  keepFrom(batch: RecordBatch): void {
    const batchEnd = this.batchStart + batch.numRows;
    for (; this.next < this.positions.length && this.positions[this.next] < batchEnd; this.next++) {
      this.rows.push(rowAt(batch, this.positions[this.next] - this.batchStart));
    }
    this.batchStart = batchEnd;
  }
}

/** The [start, end) runs of consecutive indexes below `length` that `keep` keeps. */
function* runsOf(length: number, keep: (index: number) => boolean): Iterable<[number, number]> {
  let start = -1;
  for (let index = 0; index <= length; index++) {
    const keptHere = index < length && keep(index);
    if (keptHere && start < 0) start = index;
    if (!keptHere && start >= 0) {
      yield [start, index];
      start = -1;
    }
  }
}

/** The [start, end) runs of equal values of `values`. */
function* runsOfEqual(values: Uint8Array): Iterable<[number, number]> {
  let start = 0;
  for (let index = 1; index <= values.length; index++) {
    if (index === values.length || values[index] !== values[start]) {
      yield [start, index];
      start = index;
    }
  }
}
