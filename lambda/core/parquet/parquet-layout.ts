import { open } from 'node:fs/promises';
import { InventoryError } from '../errors';
import { readStruct, writeStruct, type ThriftStruct } from './thrift-compact';

/** A Parquet file whose row groups cannot be moved into another: unreadable, encrypted, or with chunks in other files. */
export class ParquetLayoutError extends InventoryError {}

const MAGIC = new TextEncoder().encode('PAR1');
const utf8 = new TextDecoder();
/** The footer's length (4 bytes, little-endian) and the magic close every Parquet file. */
const TAIL_BYTES = 8;

/**
 * Field ids of parquet.thrift (apache/parquet-format) used here. A footer is read and written whole,
 * through thrift-compact.ts, so the fields not named here pass through as they were.
 */
export const FileMetaDataField = { schema: 2, numRows: 3, rowGroups: 4, encryptionAlgorithm: 8 } as const;
export const RowGroupField = { columns: 1, totalByteSize: 2, numRows: 3, fileOffset: 5, totalCompressedSize: 6, ordinal: 7 } as const;
export const ColumnChunkField = {
  filePath: 1,
  fileOffset: 2,
  metaData: 3,
  offsetIndexOffset: 4,
  offsetIndexLength: 5,
  columnIndexOffset: 6,
  columnIndexLength: 7,
  cryptoMetadata: 8,
  encryptedColumnMetadata: 9,
} as const;
export const ColumnMetaDataField = {
  pathInSchema: 3,
  codec: 4,
  totalUncompressedSize: 6,
  totalCompressedSize: 7,
  dataPageOffset: 9,
  indexPageOffset: 10,
  dictionaryPageOffset: 11,
  statistics: 12,
  bloomFilterOffset: 14,
  bloomFilterLength: 15,
} as const;

/** One column chunk of a row group: where its pages are in the file, and its ColumnChunk struct, encoded. */
export interface ColumnChunkLayout {
  /** The leaf column's path, dotted (`tags.entries.key`). */
  readonly path: string;
  readonly start: number;
  readonly length: number;
  readonly codec: number;
  readonly uncompressedBytes: bigint;
  /** The ColumnChunk struct as the footer encodes it: a footer's thousands of chunks are kept as bytes, not objects. */
  readonly encoded: Uint8Array;
}

export interface RowGroupLayout {
  readonly rows: number;
  /** Read from the footer when first asked for: a merge moves the chunks of some groups only. */
  readonly chunks: readonly ColumnChunkLayout[];
}

/**
 * A Parquet file's footer as a map of its bytes: each row group's column chunks, where they start and
 * how long they are, so that a writer can copy them into another file of the same schema unchanged.
 */
export class ParquetLayout {
  readonly rowGroups: readonly RowGroupLayout[];

  private constructor(
    readonly metadata: ThriftStruct,
    private readonly source: string,
  ) {
    if (metadata.has(FileMetaDataField.encryptionAlgorithm)) throw new ParquetLayoutError(`${source} is encrypted`);
    this.rowGroups = metadata.list(FileMetaDataField.rowGroups).map((group) => this.rowGroupOf(group as ThriftStruct));
  }

  /** The layout of the Parquet file `path`: reads its footer only. */
  static async ofFile(path: string): Promise<ParquetLayout> {
    const handle = await open(path, 'r');
    try {
      const { size } = await handle.stat();
      const tail = await readAt(handle, size - TAIL_BYTES, TAIL_BYTES, path);
      const footerLength = footerLengthOf(tail, size, path);
      return ParquetLayout.ofFooter(await readAt(handle, size - TAIL_BYTES - footerLength, footerLength, path), path);
    } finally {
      await handle.close();
    }
  }

  /** The layout of a whole Parquet file held in memory. */
  static ofBytes(bytes: Uint8Array, source: string): ParquetLayout {
    const tail = bytes.subarray(bytes.length - TAIL_BYTES);
    const footerLength = footerLengthOf(tail, bytes.length, source);
    return ParquetLayout.ofFooter(bytes.subarray(bytes.length - TAIL_BYTES - footerLength, bytes.length - TAIL_BYTES), source);
  }

  private static ofFooter(footer: Uint8Array, source: string): ParquetLayout {
    try {
      return new ParquetLayout(readStruct(footer).struct, source);
    } catch (error) {
      if (error instanceof ParquetLayoutError) throw error;
      throw new ParquetLayoutError(`the footer of ${source} is not readable`, { cause: error });
    }
  }

  /** The file's schema, as its footer encodes it: two files hold the same columns, alike, when theirs are equal. */
  schemaBytes(): Uint8Array {
    const schema = this.metadata.list(FileMetaDataField.schema) as ThriftStruct[];
    return Buffer.concat(schema.map((element) => writeStruct(element)));
  }

  private rowGroupOf(group: ThriftStruct): RowGroupLayout {
    const encoded = group.encodedStructs(RowGroupField.columns);
    let chunks: ColumnChunkLayout[] | undefined;
    const chunkOf = (bytes: Uint8Array) => this.chunkOf(bytes);
    return {
      rows: Number(group.integer(RowGroupField.numRows)),
      get chunks() {
        return (chunks ??= encoded.map(chunkOf));
      },
    };
  }

  private chunkOf(encoded: Uint8Array): ColumnChunkLayout {
    const chunk = readStruct(encoded).struct;
    if (chunk.has(ColumnChunkField.filePath)) throw new ParquetLayoutError(`${this.source} keeps column chunks in other files`);
    if (chunk.has(ColumnChunkField.cryptoMetadata) || chunk.has(ColumnChunkField.encryptedColumnMetadata)) {
      throw new ParquetLayoutError(`${this.source} has encrypted columns`);
    }
    const meta = chunk.struct(ColumnChunkField.metaData);
    const dataPage = meta.integer(ColumnMetaDataField.dataPageOffset)!;
    const dictionaryPage = meta.integer(ColumnMetaDataField.dictionaryPageOffset);
    // Some writers put 0 for "no dictionary page"; the chunk then starts at its first data page.
    const start = dictionaryPage !== undefined && dictionaryPage > 0n && dictionaryPage < dataPage ? dictionaryPage : dataPage;
    return {
      path: this.pathOf(meta.list(ColumnMetaDataField.pathInSchema) as Uint8Array[]),
      start: Number(start),
      length: Number(meta.integer(ColumnMetaDataField.totalCompressedSize)),
      codec: Number(meta.integer(ColumnMetaDataField.codec)),
      uncompressedBytes: meta.integer(ColumnMetaDataField.totalUncompressedSize)!,
      encoded,
    };
  }

  private readonly paths = new Map<string, string>();

  /** A leaf's dotted path, one string per leaf however many row groups name it. */
  private pathOf(parts: Uint8Array[]): string {
    const path = parts.map((part) => utf8.decode(part)).join('.');
    const known = this.paths.get(path);
    if (known !== undefined) return known;
    this.paths.set(path, path);
    return path;
  }
}

function footerLengthOf(tail: Uint8Array, fileBytes: number, source: string): number {
  const magic = tail.subarray(4);
  if (fileBytes < MAGIC.length + TAIL_BYTES || !magic.every((byte, index) => byte === MAGIC[index])) {
    throw new ParquetLayoutError(`${source} is not a Parquet file: it does not end with PAR1`);
  }
  const length = new DataView(tail.buffer, tail.byteOffset, 4).getUint32(0, true);
  if (length > fileBytes - MAGIC.length - TAIL_BYTES) throw new ParquetLayoutError(`${source} names a footer longer than the file`);
  return length;
}

async function readAt(handle: import('node:fs/promises').FileHandle, position: number, length: number, path: string): Promise<Uint8Array> {
  const bytes = new Uint8Array(length);
  const { bytesRead } = await handle.read(bytes, 0, length, position);
  if (bytesRead !== length) throw new ParquetLayoutError(`${path} ended before byte ${position + length}`);
  return bytes;
}
