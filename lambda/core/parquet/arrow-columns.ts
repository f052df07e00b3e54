import { DataType, makeBuilder, makeData, type Data, type Map_, type Struct, type Utf8 } from 'apache-arrow';

/**
 * Builds Arrow column data from row values. Strings and string maps, most of every row, are encoded
 * straight into one buffer per column (Buffer#write) instead of apache-arrow's builders, which call
 * TextEncoder once per string and spent most of the write time there (bench/write-throughput.ts).
 */
export function columnData(type: DataType, values: readonly unknown[]): Data {
  if (DataType.isUtf8(type)) return utf8Data(type, values as readonly (string | null | undefined)[]);
  if (DataType.isMap(type))
    return stringMapData(type as Map_<Utf8, Utf8>, values as readonly (ReadonlyMap<string, string> | null | undefined)[]);
  const builder = makeBuilder({ type, nullValues: [null, undefined] });
  for (const value of values) builder.append(value);
  return builder.finish().flush() as Data;
}

function validityOf(values: readonly unknown[]): { bitmap: Uint8Array | undefined; nullCount: number } {
  let nullCount = 0;
  const bitmap = new Uint8Array(Math.ceil(values.length / 8));
  for (let i = 0; i < values.length; i++) {
    if (values[i] === null || values[i] === undefined) nullCount++;
    else bitmap[i >> 3] |= 1 << (i & 7);
  }
  return { bitmap: nullCount > 0 ? bitmap : undefined, nullCount };
}

function utf8Data(type: Utf8, values: readonly (string | null | undefined)[]): Data<Utf8> {
  const offsets = new Int32Array(values.length + 1);
  let bytes = 0;
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value !== null && value !== undefined) bytes += Buffer.byteLength(value, 'utf8');
    offsets[i + 1] = bytes;
  }
  const data = Buffer.allocUnsafe(bytes);
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value !== null && value !== undefined) data.write(value, offsets[i], 'utf8');
  }
  const { bitmap, nullCount } = validityOf(values);
  return makeData({
    type,
    length: values.length,
    nullCount,
    nullBitmap: bitmap,
    valueOffsets: offsets,
    data: new Uint8Array(data.buffer, data.byteOffset, bytes),
  });
}

function stringMapData(
  type: Map_<Utf8, Utf8>,
  values: readonly (ReadonlyMap<string, string> | null | undefined)[],
): Data<Map_<Utf8, Utf8>> {
  const offsets = new Int32Array(values.length + 1);
  const keys: string[] = [];
  const entries: string[] = [];
  for (let i = 0; i < values.length; i++) {
    const map = values[i];
    if (map) {
      for (const [key, value] of map) {
        keys.push(key);
        entries.push(value);
      }
    }
    offsets[i + 1] = keys.length;
  }
  const entriesType = type.children[0].type as Struct<{ key: Utf8; value: Utf8 }>;
  const [keyField, valueField] = entriesType.children;
  const entriesData = makeData({
    type: entriesType,
    length: keys.length,
    nullCount: 0,
    children: [utf8Data(keyField.type as Utf8, keys), utf8Data(valueField.type as Utf8, entries)],
  });
  const { bitmap, nullCount } = validityOf(values);
  return makeData({ type, length: values.length, nullCount, nullBitmap: bitmap, valueOffsets: offsets, child: entriesData });
}
