import { InventoryError } from '../errors';

/**
 * The Thrift compact protocol, as Parquet writes its footer: every struct read into fields that keep
 * their wire type, so a footer written back is byte for byte the one read, except where it was edited.
 * (The JavaScript Parquet libraries that read footers convert their values, and lose the i16 type that
 * arrow-rs writes; a footer that moves row groups from file to file must come back exact.)
 *
 * Structs and lists are decoded when first read: until then a field holds its encoded bytes, and is
 * written back as them. A footer's statistics, most of its bytes, are passed through that way.
 */

/** Compact protocol wire types. */
export const enum WireType {
  Stop = 0,
  True = 1,
  False = 2,
  Byte = 3,
  I16 = 4,
  I32 = 5,
  I64 = 6,
  Double = 7,
  Binary = 8,
  List = 9,
  Set = 10,
  Map = 11,
  Struct = 12,
}

/** A compact-protocol footer this codec cannot read: truncated, or a type Parquet does not use. */
export class ThriftDecodeError extends InventoryError {}

export type ThriftValue = boolean | number | bigint | Uint8Array | ThriftList | ThriftStruct | EncodedStruct;

/** A struct kept as its encoded bytes, written as them: a footer's thousands of column chunks cost their bytes, not objects. */
export class EncodedStruct {
  constructor(readonly bytes: Uint8Array) {}
}

/** A list, with the wire type of its elements (which an empty list still carries). */
export interface ThriftList {
  readonly elementType: WireType;
  readonly items: ThriftValue[];
}

interface ThriftField {
  readonly type: WireType;
  readonly value: ThriftValue;
}

/** A field as held: decoded, or (a struct or a list not read yet) its encoded bytes. */
interface HeldField {
  readonly type: WireType;
  value: ThriftValue | undefined;
  readonly encoded?: Uint8Array;
}

/** A struct: its fields by id, each with the wire type it was read or set with. */
export class ThriftStruct {
  private readonly fields = new Map<number, HeldField>();

  has(id: number): boolean {
    return this.fields.has(id);
  }

  get(id: number): ThriftValue | undefined {
    const field = this.fields.get(id);
    if (field && field.value === undefined) field.value = decoded(field.type, field.encoded!);
    return field?.value;
  }

  set(id: number, type: WireType, value: ThriftValue): this {
    this.fields.set(id, { type, value });
    return this;
  }

  /** Each struct of list field `id`, as its encoded bytes, without decoding them. */
  encodedStructs(id: number): Uint8Array[] {
    const field = this.fields.get(id);
    if (!field) return [];
    if (field.value !== undefined) {
      return (this.list(id) as ThriftStruct[]).map((item) => (item instanceof EncodedStruct ? item.bytes : writeStruct(item)));
    }
    return new CompactReader(field.encoded!, 0).encodedItems();
  }

  /** Holds field `id` as its encoded bytes, decoded when first read. */
  setEncoded(id: number, type: WireType, encoded: Uint8Array): this {
    this.fields.set(id, { type, value: undefined, encoded });
    return this;
  }

  /** The fields in ascending id order, as held: what the writer writes. */
  held(): [number, HeldField][] {
    return [...this.fields].sort(([a], [b]) => a - b);
  }

  /** A copy of this struct, sharing its field values: set or delete fields of the copy, not inside them. */
  clone(): ThriftStruct {
    const copy = new ThriftStruct();
    for (const [id, field] of this.fields) copy.fields.set(id, field);
    return copy;
  }

  delete(id: number): this {
    this.fields.delete(id);
    return this;
  }

  /** The fields in ascending id order, decoded. */
  entries(): [number, ThriftField][] {
    return this.held().map(([id, { type }]) => [id, { type, value: this.get(id)! }]);
  }

  struct(id: number): ThriftStruct {
    const value = this.get(id);
    if (!(value instanceof ThriftStruct)) throw new ThriftDecodeError(`field ${id} is not a struct`);
    return value;
  }

  list(id: number): ThriftValue[] {
    const value = this.get(id);
    if (!isList(value)) throw new ThriftDecodeError(`field ${id} is not a list`);
    return value.items;
  }

  /** An integer field as a bigint (i16, i32 or i64 on the wire), or undefined when absent. */
  integer(id: number): bigint | undefined {
    const value = this.get(id);
    if (value === undefined) return undefined;
    if (typeof value === 'bigint') return value;
    if (typeof value === 'number') return BigInt(value);
    throw new ThriftDecodeError(`field ${id} is not an integer`);
  }
}

function isList(value: ThriftValue | undefined): value is ThriftList {
  return typeof value === 'object' && value !== null && 'items' in value;
}

function decoded(type: WireType, encoded: Uint8Array): ThriftValue {
  const reader = new CompactReader(encoded, 0);
  return type === WireType.Struct ? reader.struct() : reader.list();
}

/** Reads one struct from `bytes` at `offset`. */
export function readStruct(bytes: Uint8Array, offset = 0): { struct: ThriftStruct; end: number } {
  const reader = new CompactReader(bytes, offset);
  const struct = reader.struct();
  return { struct, end: reader.offset };
}

/**
 * What `rewriteStruct` does to a field: leave it out, move it by the shift (an integer field, where it is
 * set above 0, as Parquet's offsets are), or edit the struct it holds field by field.
 */
export type FieldEdit = 'drop' | 'shift' | ReadonlyMap<number, FieldEdit>;

/**
 * The struct encoded in `bytes`, encoded again with `edits` applied to the fields they name; every other
 * field is copied as its bytes, undecoded. A footer's thousands of column chunks are moved so without an
 * object per field.
 */
export function rewriteStruct(bytes: Uint8Array, edits: ReadonlyMap<number, FieldEdit>, shift: bigint): Uint8Array {
  const writer = new CompactWriter();
  writer.rewritten(new CompactReader(bytes, 0), edits, shift);
  return writer.bytes();
}

/** `struct` in the compact protocol. */
export function writeStruct(struct: ThriftStruct): Uint8Array {
  const writer = new CompactWriter();
  writer.struct(struct);
  return writer.bytes();
}

class CompactReader {
  private readonly view: DataView;

  constructor(
    private readonly bytes: Uint8Array,
    public offset: number,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  struct(): ThriftStruct {
    const struct = new ThriftStruct();
    let id = 0;
    for (;;) {
      const header = this.byte();
      const type = (header & 0x0f) as WireType;
      if (type === WireType.Stop) return struct;
      const delta = header >> 4;
      id = delta === 0 ? this.zigzag32() : id + delta;
      if (type === WireType.True || type === WireType.False) struct.set(id, type, type === WireType.True);
      else if (type === WireType.Struct || type === WireType.List || type === WireType.Set) {
        const start = this.offset;
        this.skip(type);
        struct.setEncoded(id, type, this.bytes.subarray(start, this.offset));
      } else struct.set(id, type, this.value(type));
    }
  }

  /** The next field's id and wire type, or undefined at the struct's end; `lastId` is the id of the field before it. */
  fieldHeader(lastId: number): { id: number; type: WireType } | undefined {
    const header = this.byte();
    const type = (header & 0x0f) as WireType;
    if (type === WireType.Stop) return undefined;
    const delta = header >> 4;
    return { id: delta === 0 ? this.zigzag32() : lastId + delta, type };
  }

  /** The encoded bytes of the value of `type` here, read past. */
  rawValue(type: WireType): Uint8Array {
    const start = this.offset;
    if (type !== WireType.True && type !== WireType.False) this.skip(type);
    return this.bytes.subarray(start, this.offset);
  }

  /** An integer of `type` (i16, i32 or i64 on the wire). */
  integer(type: WireType): bigint {
    return type === WireType.I64 ? this.zigzag64() : BigInt(this.zigzag32());
  }

  /** Reads past one value of `type` without decoding it. */
  private skip(type: WireType): void {
    if (type === WireType.Struct) {
      for (let header = this.byte(); (header & 0x0f) !== WireType.Stop; header = this.byte()) {
        if (header >> 4 === 0) this.zigzag32();
        const fieldType = (header & 0x0f) as WireType;
        if (fieldType !== WireType.True && fieldType !== WireType.False) this.skip(fieldType);
      }
    } else if (type === WireType.List || type === WireType.Set) {
      const header = this.byte();
      const elementType = (header & 0x0f) as WireType;
      const size = header >> 4 === 15 ? this.varint() : header >> 4;
      const booleans = elementType === WireType.True || elementType === WireType.False;
      for (let index = 0; index < size; index++) {
        if (booleans) this.byte();
        else this.skip(elementType);
      }
    } else if (type === WireType.Binary) this.offset = this.binaryEnd();
    else if (type === WireType.Double) this.double();
    else if (type === WireType.Byte) this.byte();
    else if (type === WireType.I16 || type === WireType.I32 || type === WireType.I64) this.varint();
    else throw new ThriftDecodeError(`wire type ${type} at byte ${this.offset} is not one Parquet footers use`);
  }

  private value(type: WireType): ThriftValue {
    switch (type) {
      case WireType.Byte:
        return (this.byte() << 24) >> 24;
      case WireType.I16:
      case WireType.I32:
        return this.zigzag32();
      case WireType.I64:
        return this.zigzag64();
      case WireType.Double:
        return this.double();
      case WireType.Binary:
        return this.binary();
      case WireType.List:
      case WireType.Set:
        return this.list();
      case WireType.Struct:
        return this.struct();
      default:
        throw new ThriftDecodeError(`wire type ${type} at byte ${this.offset} is not one Parquet footers use`);
    }
  }

  /** The items of the list here, as their encoded bytes. */
  encodedItems(): Uint8Array[] {
    const header = this.byte();
    const elementType = (header & 0x0f) as WireType;
    const size = header >> 4 === 15 ? this.varint() : header >> 4;
    const items: Uint8Array[] = new Array(size);
    for (let index = 0; index < size; index++) {
      const start = this.offset;
      this.skip(elementType);
      items[index] = this.bytes.subarray(start, this.offset);
    }
    return items;
  }

  list(): ThriftList {
    const header = this.byte();
    const elementType = (header & 0x0f) as WireType;
    const size = header >> 4 === 15 ? this.varint() : header >> 4;
    const items: ThriftValue[] = new Array(size);
    for (let index = 0; index < size; index++) {
      // In a list, a boolean is a byte of its own, 1 for true.
      items[index] = elementType === WireType.True || elementType === WireType.False ? this.byte() === 1 : this.value(elementType);
    }
    return { elementType, items };
  }

  private byte(): number {
    if (this.offset >= this.bytes.length) throw new ThriftDecodeError(`the footer ends at byte ${this.offset}, inside a struct`);
    return this.bytes[this.offset++];
  }

  private varint(): number {
    // Most varints of a footer (lengths, ids, small counts) fit in one byte.
    const first = this.byte();
    if ((first & 0x80) === 0) return first;
    let result = first & 0x7f;
    let shift = 7;
    for (;;) {
      const byte = this.byte();
      result += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7;
    }
  }

  private zigzag32(): number {
    const n = this.varint();
    return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
  }

  private zigzag64(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const byte = this.byte();
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return (result >> 1n) ^ -(result & 1n);
      shift += 7n;
    }
  }

  private double(): number {
    if (this.offset + 8 > this.bytes.length) throw new ThriftDecodeError(`the footer ends at byte ${this.offset}, inside a double`);
    const value = this.view.getFloat64(this.offset, true);
    this.offset += 8;
    return value;
  }

  private binary(): Uint8Array {
    const end = this.binaryEnd();
    const value = this.bytes.subarray(this.offset, end);
    this.offset = end;
    return value;
  }

  /** Where the binary here ends, its length read. */
  private binaryEnd(): number {
    const length = this.varint();
    if (this.offset + length > this.bytes.length) {
      throw new ThriftDecodeError(`a ${length}-byte binary at byte ${this.offset} runs past the footer's end`);
    }
    return this.offset + length;
  }
}

/**
 * The buffer every write starts in, grown as a footer needs and kept: writing the struct of each of a
 * footer's thousands of column chunks in a fresh buffer left that many buffers for the collector.
 * Writes are synchronous, so one buffer serves them all.
 */
let scratch = new Uint8Array(1 << 16);

class CompactWriter {
  private buffer = scratch;
  private length = 0;

  bytes(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }

  struct(struct: ThriftStruct): void {
    let lastId = 0;
    for (const [id, { type, value, encoded }] of struct.held()) {
      this.fieldHeader(id, type, lastId);
      if (value === undefined) this.raw(encoded!);
      else if (type !== WireType.True && type !== WireType.False) this.value(type, value);
      lastId = id;
    }
    this.byte(WireType.Stop);
  }

  /** The struct `reader` is at, written with `edits` applied (see rewriteStruct). */
  rewritten(reader: CompactReader, edits: ReadonlyMap<number, FieldEdit>, shift: bigint): void {
    let lastRead = 0;
    let lastWritten = 0;
    for (let field = reader.fieldHeader(lastRead); field; field = reader.fieldHeader(lastRead)) {
      const { id, type } = field;
      lastRead = id;
      const edit = edits.get(id);
      if (edit === 'drop') {
        reader.rawValue(type);
        continue;
      }
      this.fieldHeader(id, type, lastWritten);
      lastWritten = id;
      if (edit === 'shift') {
        const value = reader.integer(type);
        const moved = value > 0n ? value + shift : value;
        if (type === WireType.I64) this.zigzag64(moved);
        else this.zigzag32(Number(moved));
      } else if (edit !== undefined && type === WireType.Struct) this.rewritten(reader, edit, shift);
      else this.raw(reader.rawValue(type));
    }
    this.byte(WireType.Stop);
  }

  private fieldHeader(id: number, type: WireType, lastId: number): void {
    const delta = id - lastId;
    if (delta > 0 && delta <= 15) this.byte((delta << 4) | type);
    else {
      this.byte(type);
      this.zigzag32(id);
    }
  }

  private value(type: WireType, value: ThriftValue): void {
    if (type === WireType.Byte) this.byte(Number(value) & 0xff);
    else if (type === WireType.I16 || type === WireType.I32) this.zigzag32(Number(value));
    else if (type === WireType.I64) this.zigzag64(BigInt(value as bigint | number));
    else if (type === WireType.Double) this.double(value as number);
    else if (type === WireType.Binary) this.binary(value as Uint8Array);
    else if (type === WireType.List || type === WireType.Set) this.list(value as ThriftList);
    else if (type === WireType.Struct && value instanceof EncodedStruct) this.raw(value.bytes);
    else if (type === WireType.Struct) this.struct(value as ThriftStruct);
    else throw new ThriftDecodeError(`wire type ${type} is not one Parquet footers use`);
  }

  private list({ elementType, items }: ThriftList): void {
    if (items.length < 15) this.byte((items.length << 4) | elementType);
    else {
      this.byte(0xf0 | elementType);
      this.varint(items.length);
    }
    for (const item of items) {
      if (elementType === WireType.True || elementType === WireType.False) this.byte(item ? 1 : 0);
      else this.value(elementType, item);
    }
  }

  private room(bytes: number): void {
    if (this.length + bytes <= this.buffer.length) return;
    const grown = new Uint8Array(Math.max(this.buffer.length * 2, this.length + bytes));
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
    scratch = grown;
  }

  private byte(value: number): void {
    this.room(1);
    this.buffer[this.length++] = value;
  }

  private varint(value: number): void {
    this.room(10);
    while (value >= 0x80) {
      this.buffer[this.length++] = (value % 0x80) | 0x80;
      value = Math.floor(value / 0x80);
    }
    this.buffer[this.length++] = value;
  }

  private zigzag32(value: number): void {
    this.varint(value >= 0 ? value * 2 : -value * 2 - 1);
  }

  private zigzag64(value: bigint): void {
    let n = value >= 0n ? value << 1n : (-value << 1n) - 1n;
    this.room(10);
    while (n >= 0x80n) {
      this.buffer[this.length++] = Number(n & 0x7fn) | 0x80;
      n >>= 7n;
    }
    this.buffer[this.length++] = Number(n);
  }

  private double(value: number): void {
    this.room(8);
    new DataView(this.buffer.buffer, this.buffer.byteOffset).setFloat64(this.length, value, true);
    this.length += 8;
  }

  private binary(value: Uint8Array): void {
    this.varint(value.length);
    this.raw(value);
  }

  private raw(value: Uint8Array): void {
    this.room(value.length);
    this.buffer.set(value, this.length);
    this.length += value.length;
  }
}
