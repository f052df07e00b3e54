import { makeData, RecordBatch, Schema, Struct, Table, type Data, type Field, type Map_, type Utf8 } from 'apache-arrow';
import { rm } from 'node:fs/promises';
import type * as parquetWasm from 'parquet-wasm';
import { InventoryError } from '../errors';
import { writeBytesFile } from '../process/bytes-file';
import { StringMapColumn } from '../parquet/arrow-columns';
import { arrowSchemaFor } from '../parquet/arrow-schema';
import { ParquetWasmEncoder, type EncoderInput } from '../parquet/parquet-encoder';
import { ParquetLayout, type RowGroupLayout } from '../parquet/parquet-layout';
import { rowAt, SnapshotReader, viewedInWasm } from '../parquet/parquet-reader';
import { ChunkSource, SplicedParquet, type SplicedRowGroup } from '../parquet/spliced-parquet';
import { stringMapHash, utf8Cells } from '../parquet/string-map-cell';
import type { TableRow } from '../rows/training-job-row';
import type { ArnMap, ArnSet } from './arn-rows';
import { TAGS_AS_BEFORE, type PreviousSnapshot, type TodayTags } from './previous-snapshot';
import type { TargetRunSettings } from './target-run-types';

/** What a snapshot object is made of once a target's listing, tags and describes are all in. */
export interface MergeSources {
  readonly settings: TargetRunSettings;
  readonly previous: PreviousSnapshot | undefined;
  /** ARNs whose row comes from the previous snapshot, kept by the rows of its index (`previous.rows.arns`). */
  readonly carried: ArnSet;
  /** Names of jobs described but deleted before the full listing reached them: their rows are left out. */
  readonly excluded: ReadonlySet<string>;
  /** Today's tags by ARN, already redacted, kept by the rows of the previous snapshot's index (TAGS_AS_BEFORE where its row holds them). */
  readonly tags: ArnMap<TodayTags>;
  /** Where the rows of the previous snapshot's jobs that are not in this one are in its file (ascending). */
  readonly departed: readonly number[];
}

/**
 * At most this many departed rows are kept, decoded, as the merge passes them (a few MiB): a day of
 * more deletions than that is rare, and its ledger reads them from the previous file again instead.
 */
const DEPARTED_ROWS_KEPT = 2000;

/** What becomes of one row of the previous snapshot, or of a described part. */
const enum Fate {
  Dropped = 0,
  Kept = 1,
  /**
   * Carried, its tags moved. In a kept group, the group is retagged; in a group encoded again, the row is
   * written from its decoded copy with today's tags, after the group's other rows.
   */
  Moved = 2,
}

type Tags = Readonly<Record<string, string>>;

/**
 * A row's tags today: the set itself, or where it is in the previous snapshot's file when that row holds
 * them (TAGS_AS_BEFORE), to be read from there when the tags file is written.
 */
type RowTags = Tags | number;

/**
 * Row groups' worth of tags handed to the tags writer at once: each table is one crossing into wasm
 * memory, and a few groups' tags are still small beside the whole row group the merge decodes at once.
 */
const TAGS_GROUPS_PER_TABLE = 4;

/**
 * Moved rows (Fate.Moved) are written once this many are decoded: a day that retags most jobs holds no more
 * than a row group and this many rows decoded at once.
 */
const MOVED_ROWS_PER_TABLE = 250;

const NO_TAGS: Tags = Object.freeze({});
const NO_TAGS_HASH = stringMapHash(NO_TAGS);

/** A row group of the previous snapshot that goes into the new one as it is, but for its tags when they moved. */
interface KeptGroup {
  readonly group: RowGroupLayout;
  /** Today's tags of its rows, when they are not all the ones it holds. */
  readonly retagged: readonly RowTags[] | undefined;
}

/** What becomes of each row of a row group, and each kept row's tags today. */
interface GroupFates {
  readonly fates: Uint8Array;
  readonly tags: RowTags[];
}

/**
 * The snapshot object's bytes: the carried rows, then the described ones (the parts earlier invocations
 * saved, then this invocation's), every row with today's tags.
 *
 * A row group of the previous snapshot whose every row is carried goes into the new object byte for
 * byte (spliced-parquet.ts), so what an unchanged job costs is its compressed bytes. Those groups come
 * first, in their order; then the carried rows of the other groups and the described rows, encoded
 * again. Rows that change so cluster at the end, and the groups ahead of them stay whole from day to day.
 *
 * Rows are encoded again without leaving wasm memory: parquet-wasm decodes each row group and the
 * writer takes slices of it; JavaScript reads, through a view on wasm memory, only the described parts'
 * keys and names, the rows of departed jobs and the rows whose tags moved. A carried row is known by its position in the previous file, whose
 * row in the previous snapshot's index the index kept, so no key of it is read (a row whose ARN a later
 * row of the file repeats is left out). Tags are the one column that changes without a describe, so
 * every row's tags are written apart, in one tags-only file cut into row groups of the same size,
 * whose chunks then replace the tags chunks of the encoded groups and of the kept groups whose tags
 * moved. Which tags each of those rows takes is noted as the rows pass: a reference per row to today's
 * tags, or, where the previous snapshot's row holds them already (TAGS_AS_BEFORE, most rows), that row's
 * position, whose tags are read again from the previous file a few groups at a time as the tags file is
 * written; so a day's tags are held only where they moved. A group kept whole whose rows' tags are all
 * positions keeps its tags chunks; one with tags held is retagged (no tags column is read to tell which). In
 * a group encoded again, a row whose tags moved is written from its decoded copy with today's tags, so
 * every encoded row ahead of the described ones holds today's tags, and only the encoded groups from the
 * first that holds a described row take their tags chunks from the tags file.
 *
 * When the previous object was written otherwise (another schema or compression), none of its groups is
 * kept. Counts the rows as they go.
 */
export class MergedSnapshot {
  written = 0;
  /**
   * The previous snapshot's rows at `departed`, decoded as the merge passed them, once `encode` is done;
   * undefined when the merge did not keep them (more than DEPARTED_ROWS_KEPT, or no row carried).
   */
  departedRows: TableRow[] | undefined;
  private readonly localCopies: { path: string; release(): Promise<void> }[] = [];
  /** Today's tags of each row encoded again, in the order the encoder takes them. */
  private readonly encodedTags: RowTags[] = [];
  /** How many rows encoded again, from the first, hold today's tags already: the carried ones (those whose tags moved written with today's). */
  private rowsHoldingTodaysTags = 0;
  /** Carried rows whose tags moved, out of a row group encoded again, decoded with today's tags, waiting to be written. */
  private moved: { rows: TableRow[]; tags: Tags[] } = { rows: [], tags: [] };
  private readonly tagsField: Field;
  private readonly encoder: ParquetWasmEncoder;
  /** Writes the tags column alone, in row groups of the same size, so its chunks can stand in any group. */
  private readonly tagsEncoder: ParquetWasmEncoder;

  /** @param encodedPath a scratch file for the rows encoded again (and one beside it for tags), deleted once they are in the object. */
  constructor(
    private readonly sources: MergeSources,
    private readonly savedParts: readonly string[],
    private readonly localPart: string | undefined,
    private readonly encodedPath: string,
  ) {
    const { schema, config } = sources.settings;
    const arns = sources.previous?.rows.arns;
    if (arns && (sources.carried.rows !== arns || sources.tags.rows !== arns)) {
      throw new InventoryError('the carried jobs and the tags must be kept by the rows of the previous snapshot they come from');
    }
    this.tagsField = arrowSchemaFor(schema).fields.find((field) => field.name === 'tags')!;
    const options = { compression: config.compression, rowGroupRows: config.rowGroupRows };
    this.encoder = new ParquetWasmEncoder(schema, options);
    this.tagsEncoder = new ParquetWasmEncoder({ ...schema, columns: schema.columns.filter((column) => column.name === 'tags') }, options);
  }

  /**
   * The object's bytes, made as they are read: they go to the store as they come, never into a file of
   * their own. The scratch files are deleted once the bytes are all read, or the reading stopped.
   */
  async *bytes(): AsyncIterable<Uint8Array> {
    const previous = await this.keepablePrevious();
    const kept: KeptGroup[] = [];
    const tagsPath = `${this.encodedPath}.tags`;
    const sources: ChunkSource[] = [];
    try {
      await writeBytesFile(this.encodedPath, this.encoder.encodeTables(this.inputs(previous, kept)));
      await writeBytesFile(tagsPath, this.tagsEncoder.encodeTables(this.tagsTables(kept)));
      const [encoded, tags] = [await ParquetLayout.ofFile(this.encodedPath), await ParquetLayout.ofFile(tagsPath)];
      const opened = async (file: string) => sources[sources.push(await ChunkSource.open(file)) - 1];
      const from = {
        previous: previous && (await opened(this.sources.previous!.reader.path)),
        encoded: await opened(this.encodedPath),
        tags: await opened(tagsPath),
      };
      yield* new SplicedParquet(encoded).bytes(this.splicedGroups(kept, encoded, tags, from));
    } finally {
      this.encodedTags.length = 0;
      for (const source of sources) await source.close();
      await rm(this.encodedPath, { force: true });
      await rm(tagsPath, { force: true });
    }
  }

  /** Deletes the local copies of the saved parts. */
  async release(): Promise<void> {
    for (const copy of this.localCopies.splice(0)) await copy.release();
  }

  /**
   * The previous snapshot's layout, when its row groups can go into the new object as they are: some rows
   * are carried, and it was written with the schema the encoder writes today (each kept group's
   * compression is checked as it is kept).
   */
  private async keepablePrevious(): Promise<ParquetLayout | undefined> {
    const { previous, carried } = this.sources;
    if (!previous || carried.size === 0) return undefined;
    const layout = await ParquetLayout.ofFile(previous.reader.path);
    const emptyTable = new Table(arrowSchemaFor(this.sources.settings.schema));
    const template = ParquetLayout.ofBytes(this.encoder.fileOf(emptyTable), 'an empty snapshot');
    return Buffer.from(layout.schemaBytes()).equals(template.schemaBytes()) ? layout : undefined;
  }

  /**
   * The row groups of the object: the kept ones, then the encoded ones, each group the tags moved in
   * taking its tags chunks from the next group of the tags file (cut at the same rows).
   */
  private splicedGroups(
    kept: readonly KeptGroup[],
    encoded: ParquetLayout,
    tags: ParquetLayout,
    sources: { previous: ChunkSource | undefined; encoded: ChunkSource; tags: ChunkSource },
  ): SplicedRowGroup[] {
    const tagGroups = tags.rowGroups.filter((group) => group.rows > 0)[Symbol.iterator]();
    const retagged = (group: RowGroupLayout, from: ChunkSource): SplicedRowGroup => {
      const tagsGroup = tagGroups.next().value as RowGroupLayout | undefined;
      if (tagsGroup?.rows !== group.rows) {
        throw new InventoryError(`the tags of a ${group.rows}-row group came in a group of ${tagsGroup?.rows ?? 0} rows`);
      }
      const chunks = group.chunks.map((layout) => {
        const tagsChunk = tagsGroup.chunks.find((chunk) => chunk.path === layout.path);
        return tagsChunk ? { from: sources.tags, layout: tagsChunk } : { from, layout };
      });
      return { rows: group.rows, chunks };
    };
    const asWritten = (group: RowGroupLayout, from: ChunkSource): SplicedRowGroup => ({
      rows: group.rows,
      chunks: group.chunks.map((layout) => ({ from, layout })),
    });
    return [
      ...kept.map(({ group, retagged: moved }) => (moved ? retagged(group, sources.previous!) : asWritten(group, sources.previous!))),
      ...encoded.rowGroups
        .filter((group) => group.rows > 0)
        .map((group, index) =>
          index < this.encodedGroupsHoldingTags ? asWritten(group, sources.encoded) : retagged(group, sources.encoded),
        ),
    ];
  }

  /**
   * The record batches to encode again: the carried rows of the previous snapshot (in wasm, with the tags
   * they had; those whose tags moved as JavaScript tables with today's), but for the row groups kept as
   * they are (put in `kept`), then the described rows.
   */
  private async *inputs(previous: ParquetLayout | undefined, kept: KeptGroup[]): AsyncIterable<EncoderInput> {
    const { previous: snapshot, carried, departed } = this.sources;
    if (snapshot && carried.size > 0) {
      const departedRows = departed.length <= DEPARTED_ROWS_KEPT ? new DepartedRows(departed) : undefined;
      let groupStart = 0;
      for (let group = 0; group < snapshot.reader.rowGroups; group++) {
        const fates = this.fatesOfGroup(snapshot, group, groupStart);
        const keptGroup = previous && this.keptGroup(previous.rowGroups[group], fates);
        if (keptGroup) {
          kept.push(keptGroup);
          this.written += keptGroup.group.rows;
        } else {
          const batches = await snapshot.reader.wasmBatchesOf(group);
          // Only a group holding departed rows is looked at in JavaScript: a view of every column costs a parse of each.
          const holdsDeparted = departedRows?.within(groupStart, snapshot.reader.groupRows[group]);
          yield* this.keptRowsOf(
            batches,
            fates,
            holdsDeparted ? (view, start) => departedRows!.keepFrom(view, groupStart + start) : undefined,
          );
        }
        groupStart += snapshot.reader.groupRows[group];
        if (this.moved.rows.length >= MOVED_ROWS_PER_TABLE) yield* this.flushedMovedRows();
      }
      this.departedRows = departedRows?.rows;
      yield* this.flushedMovedRows();
    }
    this.rowsHoldingTodaysTags = this.encodedTags.length;
    yield* this.describedRows();
  }

  /** The moved rows, as a table; their tags are noted as those rows hold them already. */
  private *flushedMovedRows(): Iterable<EncoderInput> {
    const { rows, tags } = this.moved;
    if (rows.length === 0) return;
    this.moved = { rows: [], tags: [] };
    this.written += rows.length;
    for (const rowTags of tags) this.encodedTags.push(rowTags);
    yield this.encoder.tableOf(rows);
  }

  /** The rows of the described parts, but for those excluded, as the parts hold them. */
  private async *describedRows(): AsyncIterable<EncoderInput> {
    const { excluded } = this.sources;
    for (const path of await this.partPaths()) {
      const reader = await SnapshotReader.open(path, this.sources.settings.schema);
      try {
        for (let group = 0; group < reader.rowGroups; group++) {
          const rows: GroupFates = { fates: new Uint8Array(reader.groupRows[group]), tags: [] };
          yield* this.keptRowsOf(await reader.wasmBatchesOf(group), rows, (view, start) => {
            const names = view.getChild('training_job_name')!;
            const keys = utf8Cells(view.getChild('_key')!.data[0] as Data<Utf8>);
            for (let index = 0; index < view.numRows; index++) {
              rows.fates[start + index] = excluded.has(String(names.get(index))) ? Fate.Dropped : Fate.Kept;
              rows.tags[start + index] = this.rowTagsOf(keys[index]);
            }
          });
        }
      } finally {
        reader.close();
      }
    }
    await this.release();
  }

  /**
   * Today's tags of every row whose tags chunks are replaced, in the order of the groups that take them:
   * the kept groups whose tags moved, then the encoded rows from the first group that does not hold them.
   */
  private async *tagsTables(kept: readonly KeptGroup[]): AsyncIterable<Table> {
    // The writer cuts its row groups at the configured size whatever size the tables have, and every kept
    // group has that size: so its cuts fall where the kept groups' and the encoded groups' do.
    const tableRows = this.tagsEncoder.rowGroupRows * TAGS_GROUPS_PER_TABLE;
    let rows: RowTags[] = [];
    for (const tags of this.replacedTags(kept)) {
      rows.push(tags);
      if (rows.length < tableRows) continue;
      yield this.tagsTable(await this.tagsColumn(rows));
      rows = [];
    }
    if (rows.length > 0) yield this.tagsTable(await this.tagsColumn(rows));
  }

  /**
   * The tags column of `rows`: the sets held appended, and the cells of the previous file's rows at the
   * positions copied byte for byte (no tag is decoded to be encoded again).
   */
  private async tagsColumn(rows: readonly RowTags[]): Promise<Data<Map_<Utf8, Utf8>>> {
    const positions = [...new Set(rows.filter((tags): tags is number => typeof tags === 'number'))].sort((a, b) => a - b);
    const cells = positions.length > 0 ? await this.previousTagsAt(positions) : undefined;
    const column = new StringMapColumn(this.tagsType, rows.length);
    for (const tags of rows) {
      if (typeof tags === 'number') column.appendCellOf(cells!, indexIn(positions, tags));
      else column.append(tags);
    }
    return column.finish();
  }

  /**
   * The tags cells of the previous file's rows at `positions` (ascending, each once), in that order:
   * only the row groups holding one are read, their tags column alone.
   */
  private async previousTagsAt(positions: readonly number[]): Promise<Data<Map_<Utf8, Utf8>>> {
    const { reader } = this.sources.previous!;
    const cells = new StringMapColumn(this.tagsType, positions.length);
    for (const { group, start, from, to } of reader.groupsHolding(positions)) {
      let next = from;
      let batchStart = start;
      const batches = await reader.wasmBatchesOf(group, ['tags']);
      try {
        for (const batch of batches) {
          viewedInWasm(batch, (view) => {
            const column = view.getChild('tags')!.data[0] as Data<Map_<Utf8, Utf8>>;
            for (; next < to && positions[next] < batchStart + view.numRows; next++)
              cells.appendCellOf(column, positions[next] - batchStart);
          });
          batchStart += batch.numRows;
        }
      } finally {
        for (const batch of batches) batch.free();
      }
    }
    return cells.finish();
  }

  /**
   * Today's tags of the carried row at `position`, the index's `row`: that position where the row holds
   * them (marked so, or no tags today and none then), else the tags held. In an incremental run, tags held
   * are tags that moved: RunState holds a set only when its hash differs from the row's. Otherwise (a full
   * run's set-aside jobs kept, progress saved by a version before the mark) a set held may be the row's
   * own: the row is then written again with the same tags.
   */
  private carriedRowTags(today: TodayTags | undefined, row: number, position: number): RowTags {
    if (today === TAGS_AS_BEFORE) return position;
    if (today !== undefined) return today;
    return this.sources.previous!.rows.tagsHashOf[row] === NO_TAGS_HASH ? position : NO_TAGS;
  }

  /** Today's tags of a described job, by its ARN: where the previous file holds them, their position there. */
  private rowTagsOf(arn: string): RowTags {
    const tags = this.sources.tags.get(arn);
    if (tags !== TAGS_AS_BEFORE) return tags ?? NO_TAGS;
    const { rows } = this.sources.previous!;
    return rows.positionOf[rows.arns.rowOf(arn)!];
  }

  /**
   * Today's tags of those rows, one by one: the kept groups' whose tags moved, then the encoded rows' from
   * the first encoded group that does not hold today's tags already.
   */
  private *replacedTags(kept: readonly KeptGroup[]): Iterable<RowTags> {
    for (const { retagged } of kept) if (retagged) yield* retagged;
    for (let row = this.encodedGroupsHoldingTags * this.encoder.rowGroupRows; row < this.encodedTags.length; row++)
      yield this.encodedTags[row];
  }

  /** The encoded groups, from the first, whose every row holds today's tags already (the writer cuts groups at `rowGroupRows`). */
  private get encodedGroupsHoldingTags(): number {
    return Math.floor(this.rowsHoldingTodaysTags / this.encoder.rowGroupRows);
  }

  /**
   * The Kept rows of one decoded row group, as wasm slices of its batches; their tags of today are noted,
   * in that order, for the tags file. Its Moved rows are decoded, with today's tags, for flushedMovedRows.
   * `look` sees each batch first, through a view (which it must not keep), with where it starts in the
   * group, and may set its rows' fates and tags.
   */
  private *keptRowsOf(
    batches: parquetWasm.RecordBatch[],
    rows: GroupFates,
    look?: (view: RecordBatch, start: number) => void,
  ): Iterable<EncoderInput> {
    let start = 0;
    try {
      for (const batch of batches) {
        const moved = indexesOf(rows.fates, Fate.Moved, start, batch.numRows);
        if (look || moved.length > 0) {
          viewedInWasm(batch, (view) => {
            look?.(view, start);
            for (const index of moved) {
              const tags = rows.tags[start + index] as Tags;
              this.moved.rows.push({ ...rowAt(view, index), tags: new Map(Object.entries(tags)) });
              this.moved.tags.push(tags);
            }
          });
        }
        for (const [from, to] of runsOf(batch.numRows, (index) => rows.fates[start + index] === Fate.Kept)) {
          this.written += to - from;
          for (let index = from; index < to; index++) this.encodedTags.push(rows.tags[start + index]);
          yield batch.slice(from, to - from);
        }
        start += batch.numRows;
      }
    } finally {
      for (const batch of batches) batch.free();
    }
  }

  /**
   * The fate of each row of row group `group`, which starts at row `groupStart` of the file, and the tags
   * today of those kept: from its position alone (by the index's row of it), nothing read.
   */
  private fatesOfGroup(previous: PreviousSnapshot, group: number, groupStart: number): GroupFates {
    const { carried, tags } = this.sources;
    const rows = previous.reader.groupRows[group];
    const fates: GroupFates = { fates: new Uint8Array(rows), tags: [] };
    const indexRows = previous.rows.ofPosition.subarray(groupStart, groupStart + rows);
    for (let index = 0; index < rows; index++) {
      const row = indexRows[index];
      if (row < 0 || !carried.hasRow(row)) continue;
      const rowTags = this.carriedRowTags(tags.atRow(row), row, groupStart + index);
      fates.fates[index] = typeof rowTags === 'number' ? Fate.Kept : Fate.Moved;
      fates.tags[index] = rowTags;
    }
    return fates;
  }

  /**
   * A row group of the previous snapshot as a KeptGroup when every row of it is carried, it has the
   * configured size and it was written with today's compression; else undefined. Its tags moved when
   * any row's are held rather than read again (carriedRowTags): nothing of it is read.
   */
  private keptGroup(layout: RowGroupLayout, { fates, tags }: GroupFates): KeptGroup | undefined {
    // Only full groups are kept, so every group but the last has the configured size; a short one is encoded again.
    if (layout.rows !== this.encoder.rowGroupRows || fates.includes(Fate.Dropped)) return undefined;
    if (!layout.chunks.every((chunk) => chunk.codec === this.encoder.footerCodec)) return undefined;
    return { group: layout, retagged: fates.includes(Fate.Moved) ? tags : undefined };
  }

  /** A table of the tags column alone: `rows` as its cells. */
  private tagsTable(tags: Data<Map_<Utf8, Utf8>>): Table {
    const schema = new Schema([this.tagsField]);
    return new Table(schema, [
      new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: tags.length, nullCount: 0, children: [tags] })),
    ]);
  }

  private get tagsType(): Map_<Utf8, Utf8> {
    return this.tagsField.type as Map_<Utf8, Utf8>;
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

  /** Whether any position not passed yet is among the `rows` rows from `start`. */
  within(start: number, rows: number): boolean {
    while (this.next < this.positions.length && this.positions[this.next] < start) this.next++;
    return this.next < this.positions.length && this.positions[this.next] < start + rows;
  }

  /** Keeps the departed rows of `batch`, which starts at row `batchStart` of the file, decoded (copied, so `batch` may be a view). */
  keepFrom(batch: RecordBatch, batchStart: number): void {
    if (!this.within(batchStart, batch.numRows)) return;
    for (; this.next < this.positions.length && this.positions[this.next] < batchStart + batch.numRows; this.next++) {
      this.rows.push(rowAt(batch, this.positions[this.next] - batchStart));
    }
  }
}

/** The indexes, from `start` on for `length`, of `fates` that are `fate`, less `start`. */
function indexesOf(fates: Uint8Array, fate: Fate, start: number, length: number): number[] {
  const found: number[] = [];
  for (let index = 0; index < length; index++) if (fates[start + index] === fate) found.push(index);
  return found;
}

/** Where `value` is in `sorted` (ascending, each value once), by bisection; it must be there. */
function indexIn(sorted: readonly number[], value: number): number {
  let low = 0;
  let high = sorted.length - 1;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (sorted[middle] < value) low = middle + 1;
    else high = middle;
  }
  return low;
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
