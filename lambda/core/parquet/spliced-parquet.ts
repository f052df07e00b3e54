import { open, type FileHandle } from 'node:fs/promises';
import {
  ColumnChunkField,
  ColumnMetaDataField,
  FileMetaDataField,
  ParquetLayoutError,
  RowGroupField,
  type ColumnChunkLayout,
  type ParquetLayout,
} from './parquet-layout';
import { EncodedStruct, rewriteStruct, ThriftStruct, WireType, writeStruct, type FieldEdit } from './thrift-compact';

/** A Parquet file on disk whose column chunks are copied into another, a range at a time. */
export class ChunkSource {
  private constructor(
    private readonly handle: FileHandle,
    private readonly path: string,
  ) {}

  static async open(path: string): Promise<ChunkSource> {
    return new ChunkSource(await open(path, 'r'), path);
  }

  /** Reads `length` bytes from `start` into the beginning of `buffer`. */
  async readInto(buffer: Uint8Array, start: number, length: number): Promise<void> {
    let read = 0;
    while (read < length) {
      const { bytesRead } = await this.handle.read(buffer, read, length - read, start + read);
      if (bytesRead === 0) throw new ParquetLayoutError(`${this.path} ended before byte ${start + length}`);
      read += bytesRead;
    }
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

/** A column chunk to write, and the file it is in. */
export interface SplicedChunk {
  readonly from: ChunkSource;
  readonly layout: ColumnChunkLayout;
}

/** A row group to write: one chunk per leaf column, in the schema's order, each from any file of that schema. */
export interface SplicedRowGroup {
  readonly rows: number;
  readonly chunks: readonly SplicedChunk[];
}

const MAGIC = new TextEncoder().encode('PAR1');
/** RowGroup.ordinal is an i16: a file with more row groups leaves it out. */
const MAX_ORDINAL = 32767;

/**
 * Makes a Parquet file out of column chunks of other files of the same schema, copying their pages
 * byte for byte: only the footer is new, with each chunk's offsets moved to where it now is. Rows that
 * did not change cost their compressed bytes, not a decode and an encode. The page indexes and bloom
 * filters of the sources are left behind (they sit apart from the chunks, at offsets of their own file).
 */
export class SplicedParquet {
  /** @param template a file of the schema to write: its schema, key-value metadata and column orders head the new footer. */
  constructor(private readonly template: ParquetLayout) {}

  /**
   * The file's bytes: its row groups, in order, then the footer. Each run of chunks lying one after
   * another in a source is read at once, into a buffer of its own, which the consumer may keep.
   */
  async *bytes(groups: Iterable<SplicedRowGroup>): AsyncIterable<Uint8Array> {
    yield MAGIC.slice();
    let offset = MAGIC.length;
    let rows = 0n;
    const written: EncodedStruct[] = [];
    for (const group of groups) {
      const groupStart = offset;
      const chunks: EncodedStruct[] = [];
      for (const run of contiguousRuns(group.chunks)) {
        const pages = new Uint8Array(run.length);
        await run.from.readInto(pages, run.start, run.length);
        for (const { layout } of run.chunks) chunks.push(moved(layout, offset + (layout.start - run.start)));
        offset += run.length;
        yield pages;
      }
      written.push(rowGroupOf(group, chunks, groupStart, offset - groupStart, written.length));
      rows += BigInt(group.rows);
    }
    yield this.footer(written, rows);
  }

  /** The footer of a file of these row groups, with its length and the closing magic. */
  private footer(rowGroups: EncodedStruct[], rows: bigint): Uint8Array {
    const metadata = this.template.metadata
      .clone()
      .set(FileMetaDataField.rowGroups, WireType.List, { elementType: WireType.Struct, items: rowGroups })
      .set(FileMetaDataField.numRows, WireType.I64, rows);
    const footer = writeStruct(metadata);
    const tail = new Uint8Array(footer.length + 8);
    tail.set(footer);
    new DataView(tail.buffer).setUint32(footer.length, footer.length, true);
    tail.set(MAGIC, footer.length + 4);
    return tail;
  }
}

/** Runs of chunks that lie one after another in the same source: each is read at once. */
function contiguousRuns(chunks: readonly SplicedChunk[]): { from: ChunkSource; start: number; length: number; chunks: SplicedChunk[] }[] {
  const runs: { from: ChunkSource; start: number; length: number; chunks: SplicedChunk[] }[] = [];
  for (const chunk of chunks) {
    const last = runs.at(-1);
    if (last && last.from === chunk.from && last.start + last.length === chunk.layout.start) {
      last.length += chunk.layout.length;
      last.chunks.push(chunk);
    } else runs.push({ from: chunk.from, start: chunk.layout.start, length: chunk.layout.length, chunks: [chunk] });
  }
  return runs;
}

/**
 * How a ColumnChunk struct is moved: its page offsets shifted, the page indexes and bloom filter it points
 * to elsewhere in its file dropped. file_offset, deprecated, most writers leave at 0; it moves where set.
 */
const MOVED_CHUNK: ReadonlyMap<number, FieldEdit> = new Map<number, FieldEdit>([
  [ColumnChunkField.fileOffset, 'shift'],
  [
    ColumnChunkField.metaData,
    new Map<number, FieldEdit>([
      [ColumnMetaDataField.dataPageOffset, 'shift'],
      [ColumnMetaDataField.indexPageOffset, 'shift'],
      [ColumnMetaDataField.dictionaryPageOffset, 'shift'],
      [ColumnMetaDataField.bloomFilterOffset, 'drop'],
      [ColumnMetaDataField.bloomFilterLength, 'drop'],
    ]),
  ],
  [ColumnChunkField.offsetIndexOffset, 'drop'],
  [ColumnChunkField.offsetIndexLength, 'drop'],
  [ColumnChunkField.columnIndexOffset, 'drop'],
  [ColumnChunkField.columnIndexLength, 'drop'],
]);

/** The chunk's ColumnChunk struct for its pages now starting at `start`. */
function moved(layout: ColumnChunkLayout, start: number): EncodedStruct {
  return new EncodedStruct(rewriteStruct(layout.encoded, MOVED_CHUNK, BigInt(start - layout.start)));
}

/** The RowGroup struct, encoded at once, so the footer holds bytes for the groups written so far. */
function rowGroupOf(group: SplicedRowGroup, chunks: EncodedStruct[], start: number, bytes: number, ordinal: number): EncodedStruct {
  const uncompressed = group.chunks.reduce((sum, { layout }) => sum + layout.uncompressedBytes, 0n);
  const struct = new ThriftStruct()
    .set(RowGroupField.columns, WireType.List, { elementType: WireType.Struct, items: chunks })
    .set(RowGroupField.totalByteSize, WireType.I64, uncompressed)
    .set(RowGroupField.numRows, WireType.I64, BigInt(group.rows))
    .set(RowGroupField.fileOffset, WireType.I64, BigInt(start))
    .set(RowGroupField.totalCompressedSize, WireType.I64, BigInt(bytes));
  return new EncodedStruct(writeStruct(ordinal <= MAX_ORDINAL ? struct.set(RowGroupField.ordinal, WireType.I16, ordinal) : struct));
}
