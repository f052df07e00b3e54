import { makeVector, Table, type RecordBatch } from 'apache-arrow';
import { InventoryError } from '../errors';
import { columnData } from '../parquet/arrow-columns';
import { arrowSchemaFor } from '../parquet/arrow-schema';
import { ParquetWasmEncoder } from '../parquet/parquet-encoder';
import { SnapshotReader } from '../parquet/parquet-reader';
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
}

/**
 * The snapshot object's bytes: the carried rows (the previous snapshot's, in its order), then the
 * described ones (the parts earlier invocations saved, then this invocation's), every row with
 * today's tags. Rows are copied as Arrow, one row group at a time, never decoded into values: the
 * rows to keep are zero-copy slices of each batch, and only the tags column is built again, because
 * tags are the one column that changes without a describe. Counts the rows as they go.
 */
export class MergedSnapshot {
  written = 0;
  private readonly localCopies: { path: string; release(): Promise<void> }[] = [];
  private readonly tagsType;

  constructor(
    private readonly sources: MergeSources,
    private readonly savedParts: readonly string[],
    private readonly localPart: string | undefined,
  ) {
    this.tagsType = arrowSchemaFor(sources.settings.schema).fields.find((field) => field.name === 'tags')!.type;
  }

  /** The object as Parquet bytes, encoded as the batches come. */
  encode(): AsyncIterable<Uint8Array> {
    const { schema, config } = this.sources.settings;
    const encoder = new ParquetWasmEncoder(schema, { compression: config.compression, rowGroupRows: config.rowGroupRows });
    return encoder.encodeTables(this.tables());
  }

  /** Deletes the local copies of the saved parts. */
  async release(): Promise<void> {
    for (const copy of this.localCopies) await copy.release();
  }

  private async *tables(): AsyncIterable<Table> {
    const { previous, carried, excluded } = this.sources;
    if (previous && carried.size > 0) {
      for await (const batch of previous.reader.batchesOf()) yield this.kept(batch, (key) => carried.has(key));
    }
    for (const path of await this.partPaths()) {
      const reader = await SnapshotReader.open(path, this.sources.settings.schema);
      try {
        for await (const batch of reader.batchesOf()) {
          const names = batch.getChild('training_job_name')!;
          yield this.kept(batch, (_key, index) => !excluded.has(String(names.get(index))));
        }
      } finally {
        reader.close();
      }
    }
  }

  /** The rows of `batch` that `keep` keeps, in order, with today's tags: slices of the batch, its other columns as they were read. */
  private kept(batch: RecordBatch, keep: (key: string, index: number) => boolean): Table {
    const keys = batch.getChild('_key')!;
    const tags: (ReadonlyMap<string, string> | null)[] = new Array(batch.numRows);
    for (let index = 0; index < batch.numRows; index++) {
      const key = String(keys.get(index));
      tags[index] = keep(key, index) ? new Map(Object.entries(this.sources.tags.get(key) ?? {})) : null;
    }
    const tagged = batch.setChild('tags', makeVector(columnData(this.tagsType, tags)));
    const slices = [...runsOf(tags)].map(([start, end]) => tagged.slice(start, end));
    this.written += slices.reduce((sum, slice) => sum + slice.numRows, 0);
    return new Table(tagged.schema, slices);
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

/** The [start, end) runs of consecutive kept (non-null) entries. */
function* runsOf(kept: readonly unknown[]): Iterable<[number, number]> {
  let start = -1;
  for (let index = 0; index <= kept.length; index++) {
    const keptHere = index < kept.length && kept[index] !== null;
    if (keptHere && start < 0) start = index;
    if (!keptHere && start >= 0) {
      yield [start, index];
      start = -1;
    }
  }
}
