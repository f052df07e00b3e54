import { DataType, makeBuilder, makeData, type Data, type Map_, type Struct, type Utf8 } from 'apache-arrow';

/**
 * Builds Arrow column data from row values. Strings and string maps, most of every row, are encoded
 * straight into one buffer per column (Buffer#write) instead of apache-arrow's builders, which call
 * TextEncoder once per string and spent most of the write time there (bench/write-throughput.ts).
 */
export function columnData(type: DataType, values: readonly unknown[]): Data {
  const column = columnBuilder(type, values.length);
  for (const value of values) column.append(value);
  return column.finish();
}

/** One column of a record batch, appended to value by value as rows come and finished once. */
export interface ColumnBuilder {
  append(value: unknown): void;
  finish(): Data;
}

/**
 * A builder for a column of `type`, sized for about `rows` values. Strings and maps are encoded into
 * UTF-8 as they are appended, so the text a row holds (its JSON columns are most of it) lives in
 * buffers outside the JavaScript heap from then on, and the row itself dies young: kept as strings
 * until the batch was full, every row was copied by each garbage collection of the young generation
 * it lived through.
 */
export function columnBuilder(type: DataType, rows: number): ColumnBuilder {
  if (DataType.isUtf8(type)) return new Utf8Column(type, rows);
  if (DataType.isMap(type)) return new StringMapColumn(type as Map_<Utf8, Utf8>, rows);
  return new BuiltColumn(type);
}

/** Which values are set: Arrow's validity bitmap, grown as values are appended. */
class Validity {
  private bitmap: Uint8Array;
  length = 0;
  nullCount = 0;

  constructor(rows: number) {
    this.bitmap = new Uint8Array(Math.max(1, Math.ceil(rows / 8)));
  }

  append(valid: boolean): void {
    if (this.length >> 3 >= this.bitmap.length) this.bitmap = grown(this.bitmap, this.bitmap.length * 2);
    if (valid) this.bitmap[this.length >> 3] |= 1 << (this.length & 7);
    else this.nullCount++;
    this.length++;
  }

  /** The bitmap, or none when every value is set (as Arrow writes it). */
  finish(): Uint8Array | undefined {
    return this.nullCount > 0 ? this.bitmap.subarray(0, Math.ceil(this.length / 8)) : undefined;
  }
}

/** Offsets into a child (bytes of a string column, entries of a map column), one more than the values. */
class Offsets {
  private offsets: Int32Array;
  length = 0;

  constructor(rows: number) {
    this.offsets = new Int32Array(rows + 1);
  }

  append(end: number): void {
    if (this.length + 1 >= this.offsets.length) this.offsets = grown(this.offsets, this.offsets.length * 2);
    this.offsets[++this.length] = end;
  }

  finish(): Int32Array {
    return this.offsets.subarray(0, this.length + 1);
  }
}

function grown<T extends Uint8Array | Int32Array>(array: T, length: number): T {
  const larger = new (array.constructor as new (length: number) => T)(length);
  larger.set(array);
  return larger;
}

/** What a string and a map column share: which values are set, and where each one ends in its child. */
class VariableLength {
  private readonly validity: Validity;
  private readonly offsets: Offsets;

  constructor(rows: number) {
    this.validity = new Validity(rows);
    this.offsets = new Offsets(rows);
  }

  append(valid: boolean, end: number): void {
    this.validity.append(valid);
    this.offsets.append(end);
  }

  finish(): { length: number; nullCount: number; nullBitmap: Uint8Array | undefined; valueOffsets: Int32Array } {
    const { length, nullCount } = this.validity;
    return { length, nullCount, nullBitmap: this.validity.finish(), valueOffsets: this.offsets.finish() };
  }
}

/** Bytes of UTF-8 text, in a buffer that doubles when a string may not fit. */
class Utf8Bytes {
  private buffer: Buffer;
  length = 0;

  constructor(capacity: number) {
    // Not from Buffer's shared pool: the bytes are handed to Arrow and must own their memory.
    this.buffer = Buffer.allocUnsafeSlow(Math.max(64, capacity));
  }

  append(text: string): void {
    // A UTF-16 code unit is at most 3 bytes of UTF-8.
    this.makeRoom(text.length * 3);
    this.length += this.buffer.write(text, this.length, 'utf8');
  }

  /** Appends bytes that are UTF-8 already, as another column holds them. */
  appendBytes(bytes: Uint8Array): void {
    this.makeRoom(bytes.length);
    this.buffer.set(bytes, this.length);
    this.length += bytes.length;
  }

  private makeRoom(bytes: number): void {
    if (this.length + bytes <= this.buffer.length) return;
    const larger = Buffer.allocUnsafeSlow(Math.max(this.length + bytes, this.buffer.length * 2));
    this.buffer.copy(larger, 0, 0, this.length);
    this.buffer = larger;
  }

  finish(): Uint8Array {
    return new Uint8Array(this.buffer.buffer, this.buffer.byteOffset, this.length);
  }
}

class Utf8Column implements ColumnBuilder {
  private readonly layout: VariableLength;
  private readonly bytes: Utf8Bytes;

  constructor(
    private readonly type: Utf8,
    rows: number,
  ) {
    this.layout = new VariableLength(rows);
    this.bytes = new Utf8Bytes(rows * 32);
  }

  append(value: unknown): void {
    const valid = value !== null && value !== undefined;
    if (valid) this.bytes.append(value as string);
    this.layout.append(valid, this.bytes.length);
  }

  /** Appends cell `index` of another string column, its bytes copied as they are. */
  appendCellOf(column: Data<Utf8>, index: number): void {
    const valid = column.getValid(index);
    if (valid) this.bytes.appendBytes(column.values.subarray(column.valueOffsets[index], column.valueOffsets[index + 1]));
    this.layout.append(valid, this.bytes.length);
  }

  finish(): Data<Utf8> {
    return makeData({ type: this.type, ...this.layout.finish(), data: this.bytes.finish() });
  }
}

/** A map<string,string> column; its cells come from values, or copied byte for byte from another such column's. */
export class StringMapColumn implements ColumnBuilder {
  private readonly layout: VariableLength;
  private readonly keys: Utf8Column;
  private readonly values: Utf8Column;
  private entries = 0;

  constructor(
    private readonly type: Map_<Utf8, Utf8>,
    rows: number,
  ) {
    this.layout = new VariableLength(rows);
    const [keyField, valueField] = this.entriesType.children;
    this.keys = new Utf8Column(keyField.type as Utf8, rows * 4);
    this.values = new Utf8Column(valueField.type as Utf8, rows * 4);
  }

  private get entriesType(): Struct<{ key: Utf8; value: Utf8 }> {
    return this.type.children[0].type as Struct<{ key: Utf8; value: Utf8 }>;
  }

  /** Appends a map: a Map, or a plain object of its entries (as tags come from the API). */
  append(value: unknown): void {
    if (value instanceof Map) {
      for (const [key, entry] of value as ReadonlyMap<string, string | null>) this.appendEntry(key, entry);
    } else if (value !== null && value !== undefined) {
      const record = value as Readonly<Record<string, string | null>>;
      for (const key in record) this.appendEntry(key, record[key]);
    }
    this.layout.append(value !== null && value !== undefined, this.entries);
  }

  /**
   * Appends cell `index` of another map<string,string> column, its bytes copied as they are: no string is
   * decoded and encoded again, as appending the values read from it would.
   */
  appendCellOf(column: Data<Map_<Utf8, Utf8>>, index: number): void {
    const valid = column.getValid(index);
    if (valid) {
      const [keys, values] = (column.children[0] as Data).children as Data<Utf8>[];
      for (let at = column.valueOffsets[index]; at < column.valueOffsets[index + 1]; at++) {
        this.keys.appendCellOf(keys, at);
        this.values.appendCellOf(values, at);
        this.entries++;
      }
    }
    this.layout.append(valid, this.entries);
  }

  private appendEntry(key: string, entry: string | null): void {
    this.keys.append(key);
    this.values.append(entry);
    this.entries++;
  }

  finish(): Data<Map_<Utf8, Utf8>> {
    const entries = makeData({
      type: this.entriesType,
      length: this.entries,
      nullCount: 0,
      children: [this.keys.finish(), this.values.finish()],
    });
    return makeData({ type: this.type, ...this.layout.finish(), child: entries });
  }
}

/** Numbers, bigints, booleans and timestamps: apache-arrow's own builders, which write them into typed arrays. */
class BuiltColumn implements ColumnBuilder {
  private readonly builder;

  constructor(type: DataType) {
    this.builder = makeBuilder({ type, nullValues: [null, undefined] });
  }

  append(value: unknown): void {
    this.builder.append(value);
  }

  finish(): Data {
    return this.builder.finish().flush() as Data;
  }
}
