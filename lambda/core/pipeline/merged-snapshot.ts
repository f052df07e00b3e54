import { makeData, makeVector, RecordBatch, Schema, Struct, Table, type Data, type Field, type Map_, type Utf8 } from 'apache-arrow';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type * as parquetWasm from 'parquet-wasm';
import { InventoryError } from '../errors';
import { columnData } from '../parquet/arrow-columns';
import { arrowSchemaFor } from '../parquet/arrow-schema';
import { ParquetWasmEncoder, type EncoderInput } from '../parquet/parquet-encoder';
import { ParquetLayout, type RowGroupLayout } from '../parquet/parquet-layout';
import { rowAt, SnapshotReader, viewedInWasm } from '../parquet/parquet-reader';
import { FileChunkSource, MemoryChunkSource, SplicedParquet, type SplicedRowGroup } from '../parquet/spliced-parquet';
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

/** A row group of the previous snapshot that goes into the new one as it is, but for its tags when given. */
interface KeptGroup {
  readonly group: RowGroupLayout;
  /** A Parquet file in memory of the group's rows with today's tags, when they moved: its tags chunks replace the group's. */
  readonly retagged?: ParquetLayout & { readonly bytes: Uint8Array };
}

/** What the merge knows of one row group of the previous snapshot from its keys and tags alone. */
interface GroupFates {
  readonly fates: Uint8Array;
  /** Today's tags of every row, when the group is carried whole and some of its tags moved. */
  readonly todaysTags?: (ReadonlyMap<string, string> | null)[];
}

/**
 * The snapshot object's bytes: the carried rows, then the described ones (the parts earlier invocations
 * saved, then this invocation's), every row with today's tags.
 *
 * A row group of the previous snapshot whose every row is carried is copied into the new object byte
 * for byte (its tags chunks encoded again when tags moved: tags are the one column that changes without a
 * describe), so what an unchanged job costs is its compressed bytes. Those row groups come first, in
 * their order; then, encoded again, the carried rows of the other groups, then the described ones. Rows
 * that change cluster at the end, and the groups ahead stay whole from day to day.
 *
 * The rows of a group that changed are decoded in wasm and go to the writer as slices there: JavaScript
 * only looks at their keys and tags, through a view on wasm memory, and copies out only the rows whose
 * tags moved. When the previous object was written otherwise (another schema or compression), every
 * row is encoded again. Counts the rows as they go.
 */
export class MergedSnapshot {
  written = 0;
  /**
   * The previous snapshot's rows at `departed`, decoded as the merge passed them, once `encode` is done;
   * undefined when the merge did not keep them (more than DEPARTED_ROWS_KEPT, or no row carried).
   */
  departedRows: TableRow[] | undefined;
  private readonly localCopies: { path: string; release(): Promise<void> }[] = [];
  private readonly tagsField: Field;
  private readonly encoder: ParquetWasmEncoder;

  /** @param freshPath a scratch file for the rows encoded again, when row groups are copied. */
  constructor(
    private readonly sources: MergeSources,
    private readonly savedParts: readonly string[],
    private readonly localPart: string | undefined,
    private readonly freshPath: string,
  ) {
    const { schema, config } = sources.settings;
    this.tagsField = arrowSchemaFor(schema).fields.find((field) => field.name === 'tags')!;
    this.encoder = new ParquetWasmEncoder(schema, { compression: config.compression, rowGroupRows: config.rowGroupRows });
  }

  /** The object as Parquet bytes, encoded as the batches come. */
  async *encode(): AsyncIterable<Uint8Array> {
    const previous = await this.copiablePrevious();
    if (!previous) {
      yield* this.encoder.encodeTables(this.inputs(undefined));
      return;
    }
    const kept: KeptGroup[] = [];
    const encoding = this.encoder.encodeTables(this.inputs({ layout: previous, kept }));
    await pipeline(Readable.from(encoding, { objectMode: false }), createWriteStream(this.freshPath));
    const fresh = await ParquetLayout.ofFile(this.freshPath);
    const previousFile = await FileChunkSource.open(previous.path);
    const freshFile = await FileChunkSource.open(this.freshPath);
    try {
      const copied: SplicedRowGroup[] = kept.map(({ group, retagged }) => ({
        rows: group.rows,
        chunks: group.chunks.map((layout) => {
          const replacement = retagged && retagged.rowGroups[0].chunks.find((chunk) => chunk.path === layout.path);
          return replacement ? { from: new MemoryChunkSource(retagged.bytes), layout: replacement } : { from: previousFile, layout };
        }),
      }));
      const encoded = fresh.rowGroups
        .filter((group) => group.rows > 0)
        .map((group) => ({ rows: group.rows, chunks: group.chunks.map((layout) => ({ from: freshFile, layout })) }));
      yield* new SplicedParquet(fresh).write([...copied, ...encoded]);
    } finally {
      await previousFile.close();
      await freshFile.close();
      await rm(this.freshPath, { force: true });
    }
  }

  /** Deletes the local copies of the saved parts. */
  async release(): Promise<void> {
    for (const copy of this.localCopies) await copy.release();
  }

  /**
   * The previous snapshot's layout, when its row groups can be copied into the new object: some rows are
   * carried, and it was written with the schema and compression the encoder writes today.
   */
  private async copiablePrevious(): Promise<(ParquetLayout & { path: string }) | undefined> {
    const { previous, carried } = this.sources;
    if (!previous || carried.size === 0) return undefined;
    const layout = await ParquetLayout.ofFile(previous.reader.path);
    const template = ParquetLayout.ofBytes(
      this.encoder.fileOf(new Table(arrowSchemaFor(this.sources.settings.schema))),
      'an empty snapshot',
    );
    const sameSchema = Buffer.from(layout.schemaBytes()).equals(template.schemaBytes());
    const sameCodec = layout.rowGroups.every((group) => group.chunks.every((chunk) => chunk.codec === this.encoder.footerCodec));
    return sameSchema && sameCodec ? Object.assign(layout, { path: previous.reader.path }) : undefined;
  }

  /**
   * The batches to encode: the carried rows of the previous snapshot (but for the row groups that can be
   * copied from its `layout`, put in `kept` instead, when copying), then the described rows.
   */
  private async *inputs(copying: { layout: ParquetLayout; kept: KeptGroup[] } | undefined): AsyncIterable<EncoderInput> {
    const { previous, carried, departed } = this.sources;
    if (previous && carried.size > 0) {
      const departedRows = departed.length <= DEPARTED_ROWS_KEPT ? new DepartedRows(departed) : undefined;
      let groupStart = 0;
      for (let group = 0; group < previous.reader.rowGroups; group++) {
        const groupFates = await this.fatesOfGroup(previous.reader, group, copying !== undefined);
        const keptGroup = copying && this.keptGroup(copying.layout.rowGroups[group], groupFates);
        if (keptGroup) {
          copying.kept.push(keptGroup);
          this.written += keptGroup.group.rows;
        } else yield* this.carriedOf(await previous.reader.wasmBatchesOf(group), groupFates.fates, groupStart, departedRows);
        groupStart += previous.reader.groupRows[group];
      }
      this.departedRows = departedRows?.rows;
    }
    yield* this.describedRows();
  }

  /** The rows of the described parts, but for those excluded, with today's tags. */
  private async *describedRows(): AsyncIterable<Table> {
    const { excluded } = this.sources;
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
   * The fate of each row of row group `group`, from its keys and tags alone; with today's tags of its
   * rows when `copying` and the group could be copied but for tags that moved.
   */
  private async fatesOfGroup(reader: SnapshotReader, group: number, copying: boolean): Promise<GroupFates> {
    const fates = new Uint8Array(reader.groupRows[group]);
    const todaysTags: (ReadonlyMap<string, string> | null)[] = [];
    let start = 0;
    for (const batch of await reader.wasmBatchesOf(group, ['_key', 'tags'])) {
      try {
        viewedInWasm(batch, (view) => {
          fates.set(this.fatesOf(view), start);
          if (copying) todaysTags.push(...this.todaysTagsOf(view));
        });
        start += batch.numRows;
      } finally {
        batch.free();
      }
    }
    const copiable = copying && !fates.includes(Fate.Dropped) && fates.includes(Fate.Retagged);
    return copiable ? { fates, todaysTags } : { fates };
  }

  /** The group as a KeptGroup when every row of it is carried and it is of full size, else undefined. */
  private keptGroup(group: RowGroupLayout, { fates, todaysTags }: GroupFates): KeptGroup | undefined {
    // Only full groups are kept, so every group but the last has the configured size; a short one is encoded again.
    if (group.rows !== this.encoder.rowGroupRows || fates.includes(Fate.Dropped)) return undefined;
    if (!todaysTags) return { group };
    const schema = new Schema([this.tagsField]);
    const data = makeData({
      type: new Struct(schema.fields),
      length: group.rows,
      nullCount: 0,
      children: [columnData(this.tagsField.type, todaysTags)],
    });
    const bytes = this.encoder.fileOf(new Table(schema, [new RecordBatch(schema, data)]));
    return { group, retagged: Object.assign(ParquetLayout.ofBytes(bytes, 'the retagged tags'), { bytes }) };
  }

  /**
   * The carried rows of one decoded row group, in order: each run of rows whose tags are today's as a
   * wasm slice of its batches; each run of retagged rows copied out, with today's tags.
   */
  private async *carriedOf(
    batches: parquetWasm.RecordBatch[],
    groupFates: Uint8Array,
    groupStart: number,
    departedRows: DepartedRows | undefined,
  ): AsyncIterable<EncoderInput> {
    let start = 0;
    for (const batch of batches) {
      const rows = batch.numRows;
      yield* this.carriedOfBatch(batch, groupFates.subarray(start, start + rows), groupStart + start, departedRows);
      start += rows;
    }
  }

  private *carriedOfBatch(
    batch: parquetWasm.RecordBatch,
    fates: Uint8Array,
    batchStart: number,
    departedRows: DepartedRows | undefined,
  ): Iterable<EncoderInput> {
    const { runs, retaggedIpc } = viewedInWasm(batch, (view) => {
      departedRows?.keepFrom(view, batchStart);
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

  /** Today's tags of each row of `batch` (null where it has none): copies, so they outlive a view on wasm memory. */
  private todaysTagsOf(batch: RecordBatch, keep: (index: number) => boolean = () => true): (ReadonlyMap<string, string> | null)[] {
    const keys = batch.getChild('_key')!;
    const tags: (ReadonlyMap<string, string> | null)[] = new Array(batch.numRows);
    for (let index = 0; index < batch.numRows; index++) {
      tags[index] = keep(index) ? new Map(Object.entries(this.sources.tags.get(String(keys.get(index))) ?? {})) : null;
    }
    return tags;
  }

  /** `batch` with today's tags in the rows `keep` keeps (the others' tags are null): its other columns as they were. */
  private withTodaysTags(batch: RecordBatch, keep: (index: number) => boolean): RecordBatch {
    return batch.setChild('tags', makeVector(columnData(this.tagsField.type, this.todaysTagsOf(batch, keep))));
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

/**
 * The rows of the previous snapshot at the given positions, kept as the batches holding them pass, in
 * file order. Every row group that holds one is decoded: a departed row is not carried, so its group is not copied.
 */
class DepartedRows {
  readonly rows: TableRow[] = [];
  private next = 0;

  constructor(private readonly positions: readonly number[]) {}

  /** Keeps the departed rows of `batch`, which starts at row `batchStart` of the file, decoded (copied, so `batch` may be a view). */
  keepFrom(batch: RecordBatch, batchStart: number): void {
    const batchEnd = batchStart + batch.numRows;
    while (this.next < this.positions.length && this.positions[this.next] < batchStart) this.next++;
    for (; this.next < this.positions.length && this.positions[this.next] < batchEnd; this.next++) {
      this.rows.push(rowAt(batch, this.positions[this.next] - batchStart));
    }
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
