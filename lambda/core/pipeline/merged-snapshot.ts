import { makeData, RecordBatch, Schema, Struct, Table, type Data, type Field, type Map_, type Utf8 } from 'apache-arrow';
import { rm } from 'node:fs/promises';
import type * as parquetWasm from 'parquet-wasm';
import { InventoryError } from '../errors';
import { writeBytesFile } from '../process/bytes-file';
import { columnData } from '../parquet/arrow-columns';
import { arrowSchemaFor } from '../parquet/arrow-schema';
import { ParquetWasmEncoder, type EncoderInput } from '../parquet/parquet-encoder';
import { ParquetLayout, type RowGroupLayout } from '../parquet/parquet-layout';
import { rowAt, SnapshotReader, viewedInWasm } from '../parquet/parquet-reader';
import { ChunkSource, SplicedParquet, type SplicedRowGroup } from '../parquet/spliced-parquet';
import { isStringMapCell, utf8Cells } from '../parquet/string-map-cell';
import type { TableRow } from '../rows/training-job-row';
import type { ArnMap, ArnSet } from './arn-rows';
import type { PreviousSnapshot } from './previous-snapshot';
import type { TargetRunSettings } from './target-run-types';

/** What a snapshot object is made of once a target's listing, tags and describes are all in. */
export interface MergeSources {
  readonly settings: TargetRunSettings;
  readonly previous: PreviousSnapshot | undefined;
  /** ARNs whose row comes from the previous snapshot, kept by the rows of its index (`previous.rows.arns`). */
  readonly carried: ArnSet;
  /** Names of jobs described but deleted before the full listing reached them: their rows are left out. */
  readonly excluded: ReadonlySet<string>;
  /** Today's tags by ARN, already redacted, kept by the rows of the previous snapshot's index. */
  readonly tags: ArnMap<Record<string, string>>;
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
}

type Tags = Readonly<Record<string, string>>;

/**
 * Row groups' worth of tags handed to the tags writer at once: each table is one crossing into wasm
 * memory, and a few groups' tags are still small beside the whole row group the merge decodes at once.
 */
const TAGS_GROUPS_PER_TABLE = 4;

const NO_TAGS: Tags = Object.freeze({});

/** A row group of the previous snapshot that goes into the new one as it is, but for its tags when they moved. */
interface KeptGroup {
  readonly group: RowGroupLayout;
  /** Today's tags of its rows, when they are not all the ones it holds. */
  readonly retagged: readonly Tags[] | undefined;
}

/** What becomes of each row of a row group, and each kept row's tags today. */
interface GroupFates {
  readonly fates: Uint8Array;
  readonly tags: Tags[];
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
 * writer takes slices of it; JavaScript only reads tags (and the described parts' keys and names),
 * through a view on wasm memory. A carried row is known by its position in the previous file, whose
 * row in the previous snapshot's index the index kept, so no key of it is read (a row whose ARN a later
 * row of the file repeats is left out). Tags are the one column that changes without a describe, so
 * every row's tags are written apart, in one tags-only file cut into row groups of the same size,
 * whose chunks then replace the tags chunks of the encoded groups and of the kept groups whose tags
 * moved. Which tags each of those rows takes is noted as the rows pass: a reference per row to today's
 * tags, which are in memory anyway. Only a group kept whole has its tags column read, to tell whether
 * they moved: a group encoded again takes today's tags whatever it held.
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
  private readonly encodedTags: Tags[] = [];
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
    return [
      ...kept.map(({ group, retagged: moved }) =>
        moved
          ? retagged(group, sources.previous!)
          : { rows: group.rows, chunks: group.chunks.map((layout) => ({ from: sources.previous!, layout })) },
      ),
      ...encoded.rowGroups.filter((group) => group.rows > 0).map((group) => retagged(group, sources.encoded)),
    ];
  }

  /**
   * The record batches to encode again (in wasm, with the tags they had): the carried rows of the
   * previous snapshot, but for the row groups kept as they are (put in `kept`), then the described rows.
   */
  private async *inputs(previous: ParquetLayout | undefined, kept: KeptGroup[]): AsyncIterable<EncoderInput> {
    const { previous: snapshot, carried, departed } = this.sources;
    if (snapshot && carried.size > 0) {
      const departedRows = departed.length <= DEPARTED_ROWS_KEPT ? new DepartedRows(departed) : undefined;
      let groupStart = 0;
      for (let group = 0; group < snapshot.reader.rowGroups; group++) {
        const fates = this.fatesOfGroup(snapshot, group, groupStart);
        const keptGroup = previous && (await this.keptGroup(snapshot, group, previous.rowGroups[group], fates));
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
      }
      this.departedRows = departedRows?.rows;
    }
    yield* this.describedRows();
  }

  /** The rows of the described parts, but for those excluded, as the parts hold them. */
  private async *describedRows(): AsyncIterable<EncoderInput> {
    const { excluded, tags } = this.sources;
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
              rows.tags[start + index] = tags.get(keys[index]) ?? NO_TAGS;
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
   * the kept groups whose tags moved, then every encoded row.
   */
  private async *tagsTables(kept: readonly KeptGroup[]): AsyncIterable<Table> {
    // The writer cuts its row groups at the configured size whatever size the tables have, and every kept
    // group has that size: so its cuts fall where the kept groups' and the encoded groups' do.
    const tableRows = this.tagsEncoder.rowGroupRows * TAGS_GROUPS_PER_TABLE;
    let rows: Tags[] = [];
    for (const tags of this.replacedTags(kept)) {
      rows.push(tags);
      if (rows.length < tableRows) continue;
      yield this.tagsTable(rows);
      rows = [];
    }
    if (rows.length > 0) yield this.tagsTable(rows);
  }

  /** Today's tags of those rows, one by one: the kept groups' whose tags moved, then the encoded rows'. */
  private *replacedTags(kept: readonly KeptGroup[]): Iterable<Tags> {
    for (const { retagged } of kept) if (retagged) yield* retagged;
    yield* this.encodedTags;
  }

  /**
   * The rows of one decoded row group whose fate is not Dropped, as wasm slices of its batches; their
   * tags of today are noted, in that order, for the tags file. `look` sees each batch first, through a
   * view (which it must not keep), with where it starts in the group, and may set its rows' fates and tags.
   */
  private *keptRowsOf(
    batches: parquetWasm.RecordBatch[],
    rows: GroupFates,
    look?: (view: RecordBatch, start: number) => void,
  ): Iterable<EncoderInput> {
    let start = 0;
    try {
      for (const batch of batches) {
        if (look) viewedInWasm(batch, (view) => look(view, start));
        for (const [from, to] of runsOf(batch.numRows, (index) => rows.fates[start + index] !== Fate.Dropped)) {
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
      fates.fates[index] = Fate.Kept;
      fates.tags[index] = tags.atRow(row) ?? NO_TAGS;
    }
    return fates;
  }

  /**
   * Row group `group` of the previous snapshot as a KeptGroup when every row of it is carried, it has the
   * configured size and it was written with today's compression; else undefined. Only then is its tags
   * column read, to tell whether its tags moved.
   */
  private async keptGroup(
    previous: PreviousSnapshot,
    group: number,
    layout: RowGroupLayout,
    { fates, tags }: GroupFates,
  ): Promise<KeptGroup | undefined> {
    // Only full groups are kept, so every group but the last has the configured size; a short one is encoded again.
    if (layout.rows !== this.encoder.rowGroupRows || fates.includes(Fate.Dropped)) return undefined;
    if (!layout.chunks.every((chunk) => chunk.codec === this.encoder.footerCodec)) return undefined;
    const moved = await this.tagsMoved(previous, group, tags);
    return { group: layout, retagged: moved ? tags : undefined };
  }

  /** Whether any row of row group `group` holds tags other than `today`'s of it. */
  private async tagsMoved(previous: PreviousSnapshot, group: number, today: readonly Tags[]): Promise<boolean> {
    let moved = false;
    let start = 0;
    for (const batch of await previous.reader.wasmBatchesOf(group, ['tags'])) {
      try {
        viewedInWasm(batch, (view) => {
          const held = view.getChild('tags')!.data[0] as Data<Map_<Utf8, Utf8>>;
          for (let index = 0; index < view.numRows && !moved; index++) moved = !isStringMapCell(held, index, today[start + index]);
        });
        start += batch.numRows;
      } finally {
        batch.free();
      }
    }
    return moved;
  }

  /** A table of the tags column alone: `rows` as its cells. */
  private tagsTable(rows: readonly Tags[]): Table {
    const tags = columnData(this.tagsField.type, rows);
    const schema = new Schema([this.tagsField]);
    return new Table(schema, [
      new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: rows.length, nullCount: 0, children: [tags] })),
    ]);
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
