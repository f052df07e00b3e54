import { ParquetWasmEncoder } from '../../lambda/core/parquet/parquet-encoder';
import {
  readStruct,
  rewriteStruct,
  ThriftDecodeError,
  ThriftStruct,
  WireType,
  writeStruct,
  type FieldEdit,
} from '../../lambda/core/parquet/thrift-compact';
import { TrainingJobRowMapper, type TableRow } from '../../lambda/core/rows/training-job-row';
import { TRAINING_JOB_SCHEMA } from '../../lambda/core/schema/table-schema';
import { fixtureRecords } from '../support/fixtures';

async function parquetFileOf(rows: TableRow[]): Promise<Buffer> {
  async function* source(): AsyncIterable<TableRow> {
    yield* rows;
  }
  const chunks: Uint8Array[] = [];
  for await (const chunk of new ParquetWasmEncoder(TRAINING_JOB_SCHEMA, { rowGroupRows: 3 }).encode(source())) chunks.push(chunk);
  return Buffer.concat(chunks);
}

function footerOf(file: Buffer): Uint8Array {
  const length = file.readUInt32LE(file.length - 8);
  return new Uint8Array(file.subarray(file.length - 8 - length, file.length - 8));
}

describe('the Thrift compact codec', () => {
  it('writes back the footer parquet-wasm wrote byte for byte', async () => {
    // Prepare: the fixture jobs, every column holding a value for some of them, in several row groups.
    const mapper = new TrainingJobRowMapper();
    const footer = footerOf(await parquetFileOf(fixtureRecords().map((record) => mapper.map(record).row)));

    // Act
    const { struct, end } = readStruct(footer);

    // Assess
    expect(end).toBe(footer.length);
    expect(Buffer.from(writeStruct(struct)).equals(Buffer.from(footer))).toBe(true);
  });

  it('keeps the wire type of every field it reads', () => {
    // Prepare: a struct of every type a Parquet footer uses, ids far apart and close together.
    const inner = new ThriftStruct().set(1, WireType.Binary, new TextEncoder().encode('path'));
    const struct = new ThriftStruct()
      .set(1, WireType.I16, -3)
      .set(2, WireType.I32, 2_000_000_000)
      .set(3, WireType.I64, -(2n ** 62n))
      .set(4, WireType.True, true)
      .set(5, WireType.False, false)
      .set(6, WireType.Double, 0.25)
      .set(40, WireType.Byte, -7)
      .set(41, WireType.List, { elementType: WireType.Struct, items: Array.from({ length: 20 }, () => inner) })
      .set(42, WireType.List, { elementType: WireType.True, items: [true, false, true] })
      .set(43, WireType.List, { elementType: WireType.I64, items: [] })
      .set(44, WireType.Struct, inner);

    // Act
    const bytes = writeStruct(struct);
    const read = readStruct(bytes).struct;

    // Assess
    expect(read.entries()).toEqual(struct.entries());
    expect(Buffer.from(writeStruct(read)).equals(Buffer.from(bytes))).toBe(true);
  });

  it('rewrites a struct with fields dropped and offsets shifted, as editing its decoded copy writes it', () => {
    // Prepare: offsets of both integer widths, one left at 0 (unset), a nested struct, fields after those dropped.
    const statistics = new ThriftStruct().set(1, WireType.Binary, new TextEncoder().encode('max')).set(2, WireType.I64, 9n);
    const meta = new ThriftStruct()
      .set(4, WireType.I32, 6)
      .set(9, WireType.I64, 1_000n)
      .set(10, WireType.I32, 0)
      .set(11, WireType.I32, 400)
      .set(12, WireType.Struct, statistics)
      .set(14, WireType.I64, 77n)
      .set(15, WireType.I32, 12)
      .set(40, WireType.True, true);
    const chunk = new ThriftStruct()
      .set(2, WireType.I64, 0n)
      .set(3, WireType.Struct, meta)
      .set(4, WireType.I64, 5n)
      .set(7, WireType.I32, 3)
      .set(30, WireType.Binary, new Uint8Array([1, 2]));
    const edits = new Map<number, FieldEdit>([
      [2, 'shift'],
      [
        3,
        new Map<number, FieldEdit>([
          [9, 'shift'],
          [10, 'shift'],
          [11, 'shift'],
          [14, 'drop'],
          [15, 'drop'],
        ]),
      ],
      [4, 'drop'],
    ]);
    const expectedMeta = meta.clone().set(9, WireType.I64, 1_250n).set(11, WireType.I32, 650).delete(14).delete(15);
    const expected = chunk.clone().set(3, WireType.Struct, expectedMeta).delete(4);

    // Act
    const rewritten = rewriteStruct(writeStruct(chunk), edits, 250n);

    // Assess
    expect(Buffer.from(rewritten).equals(Buffer.from(writeStruct(expected)))).toBe(true);
  });

  it('refuses a footer that ends inside a struct, naming where', () => {
    // Prepare
    const bytes = writeStruct(new ThriftStruct().set(1, WireType.Binary, new TextEncoder().encode('a long enough value')));

    // Act
    const reading = () => readStruct(bytes.subarray(0, 8));

    // Assess
    expect(reading).toThrow(ThriftDecodeError);
    expect(reading).toThrow('a 19-byte binary at byte 2 runs past the footer');
  });
});
