import { DataType, RecordBatch, Struct, Table, makeData, tableToIPC, type Data, type Schema } from 'apache-arrow';
import * as parquetWasm from 'parquet-wasm';
import { ParquetWriteError } from '../errors';
import { SERVICE_NAME } from '../names';
import type { TableRow } from '../rows/training-job-row';
import type { TableSchema } from '../schema/table-schema';
import { PARQUET_COMPRESSIONS, type ParquetCompression } from '../settings/settings';
import { columnBuilder, type ColumnBuilder } from './arrow-columns';
import { arrowSchemaFor } from './arrow-schema';

/**
 * Turns rows into Parquet bytes. Kept this small so the implementation can be swapped: the pipeline
 * and the publishers only ever see an async iterable of bytes.
 */
export interface ParquetEncoder {
  encode(rows: AsyncIterable<TableRow>): AsyncIterable<Uint8Array>;
}

export { PARQUET_COMPRESSIONS, type ParquetCompression } from '../settings/settings';

/** What the encoder writes: Arrow JS tables, or record batches already in wasm memory (read by parquet-wasm, never copied out). */
export type EncoderInput = Table | parquetWasm.RecordBatch;

export interface ParquetWasmEncoderOptions {
  /** @default 'zstd' */
  readonly compression?: ParquetCompression;
  /** Rows per row group; with CROSSING_ROWS, bounds memory whatever the number of jobs. @default 1000 */
  readonly rowGroupRows?: number;
  /** Written into the file footer's created_by. @default 'sagemaker-job-inventory' */
  readonly createdBy?: string;
}

const WASM_COMPRESSION: Record<ParquetCompression, parquetWasm.Compression> = {
  zstd: parquetWasm.Compression.ZSTD,
  snappy: parquetWasm.Compression.SNAPPY,
  gzip: parquetWasm.Compression.GZIP,
  uncompressed: parquetWasm.Compression.UNCOMPRESSED,
};

/**
 * Rows built in JavaScript before they cross into wasm as one record batch; the writer still cuts row
 * groups of `rowGroupRows`, so the file is byte for byte the same. Crossing a quarter of the default row
 * group at a time is faster than whole row groups, and wasm memory grows less (docs/benchmarks.md note 6).
 */
const CROSSING_ROWS = 250;

/** Each compression as a Parquet footer names it (CompressionCodec in parquet.thrift). */
const FOOTER_CODEC: Record<ParquetCompression, number> = { uncompressed: 0, snappy: 1, gzip: 2, zstd: 6 };

/**
 * Columns whose values a few settings shared by many jobs make (statuses, the role, the algorithm, the
 * instance type, the stopping condition): a dictionary makes them 20-70 % smaller. Every other column
 * is written plain: for ARNs, names, times and per-job JSON a dictionary makes the column larger, and
 * building it doubled the encoding time (bench/write-throughput.ts, docs/benchmarks.md).
 */
const DICTIONARY_ENCODED_COLUMNS: ReadonlySet<string> = new Set([
  'training_job_status',
  'secondary_status',
  'profiling_status',
  'role_arn',
  'algorithm_specification',
  'resource_config',
  'stopping_condition',
  'debug_hook_config',
  'profiler_config',
]);

/**
 * Columns of JSON documents (the seed contract's `json` columns): their minimum and maximum prune no
 * row group a query asks for (`json_extract` reads inside them), and computing them, over values that
 * share long prefixes, took about 6 % of the encoding time. Every other column keeps its statistics.
 */
const COLUMNS_WITHOUT_STATISTICS: ReadonlySet<string> = new Set([
  'algorithm_specification',
  'checkpoint_config',
  'debug_hook_config',
  'debug_rule_configurations',
  'debug_rule_evaluation_statuses',
  'experiment_config',
  'final_metric_data_list',
  'infra_check_config',
  'input_data_config',
  'model_artifacts',
  'output_data_config',
  'profiler_config',
  'profiler_rule_configurations',
  'profiler_rule_evaluation_statuses',
  'remote_debug_config',
  'resource_config',
  'retry_strategy',
  'secondary_status_transitions',
  'stopping_condition',
  'tensor_board_output_config',
  'vpc_config',
  'warm_pool_status',
]);

/**
 * parquet-wasm (arrow-rs) streaming writer: batches of rows become Arrow record batches, are handed to
 * `transformParquetStream` one at a time, and the writer gathers them into row groups, so only one batch
 * is in memory.
 */
export class ParquetWasmEncoder implements ParquetEncoder {
  private readonly arrowSchema: Schema;
  private readonly columnNames: readonly string[];
  private readonly compression: ParquetCompression;
  readonly rowGroupRows: number;
  private readonly createdBy: string;

  constructor(schema: TableSchema, options: ParquetWasmEncoderOptions = {}) {
    this.arrowSchema = arrowSchemaFor(schema);
    this.columnNames = schema.columns.map((c) => c.name);
    this.compression = options.compression ?? 'zstd';
    this.rowGroupRows = options.rowGroupRows ?? 1000;
    this.createdBy = options.createdBy ?? SERVICE_NAME;
    if (!PARQUET_COMPRESSIONS.includes(this.compression)) {
      throw new ParquetWriteError(
        `compression ${JSON.stringify(this.compression)} is not supported; allowed: ${PARQUET_COMPRESSIONS.join(', ')}`,
      );
    }
    if (!Number.isInteger(this.rowGroupRows) || this.rowGroupRows < 1 || this.rowGroupRows > 1_000_000) {
      throw new ParquetWriteError(`rowGroupRows ${this.rowGroupRows} is not allowed; allowed: a whole number from 1 to 1000000`);
    }
  }

  encode(rows: AsyncIterable<TableRow>): AsyncIterable<Uint8Array> {
    return this.encodeTables(this.recordBatches(rows));
  }

  /**
   * Arrow tables with this table's columns (rows built here, or read from another snapshot of the table
   * and never decoded) into Parquet bytes. Each table crosses into wasm at once, however many batches
   * it holds; batches of any size may come: the writer gathers them into row groups of `rowGroupRows` rows.
   */
  async *encodeTables(tables: AsyncIterable<EncoderInput>): AsyncIterable<Uint8Array> {
    const batches = tables[Symbol.asyncIterator]();
    let emittedAny = false;
    // parquet-wasm reports a failed input stream only as "Dyn casting error"; keep the real cause.
    let inputFailure: { error: unknown } | undefined;
    const rethrow: (error: unknown, context: string) => never = (error, context) => {
      if (inputFailure) throw inputFailure.error;
      throw new ParquetWriteError(context, { cause: error });
    };
    const input = new ReadableStream<parquetWasm.RecordBatch>({
      pull: async (controller) => {
        try {
          const next = await batches.next();
          if (next.done) {
            // A file with no row group still needs the schema: write one empty batch.
            if (!emittedAny) for (const batch of this.wasmBatchesOf([this.arrowBatch([])])) controller.enqueue(batch);
            emittedAny = true;
            controller.close();
          } else {
            emittedAny = true;
            if (next.value instanceof parquetWasm.RecordBatch) controller.enqueue(next.value);
            else for (const batch of this.wasmBatchesOf(next.value.batches)) controller.enqueue(batch);
          }
        } catch (error) {
          inputFailure = { error };
          controller.error(error);
        }
      },
      // The consumer gave up (e.g. the upload failed): stop the row source too, so collection stops.
      cancel: async () => {
        await batches.return?.();
      },
    });
    const properties = this.writerProperties();
    let output: ReadableStream<Uint8Array>;
    try {
      output = await parquetWasm.transformParquetStream(input, properties);
    } catch (error) {
      rethrow(error, 'parquet-wasm could not start the Parquet stream');
    }
    const reader = output.getReader();
    let finished = false;
    try {
      for (;;) {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await reader.read();
        } catch (error) {
          rethrow(error, 'Parquet encoding failed');
        }
        if (chunk.done) {
          // parquet-wasm ends its output as if its input had ended when the input fails: a file of the rows
          // so far, and a valid one. The failure must not pass for the end of the rows.
          if (inputFailure) throw inputFailure.error;
          finished = true;
          return;
        }
        yield chunk.value;
      }
    } finally {
      if (!finished) await reader.cancel().catch(() => undefined);
      reader.releaseLock();
    }
  }

  /** Rows built into one record batch before it crosses into wasm: CROSSING_ROWS, or a row group when smaller. */
  private get crossingRows(): number {
    return Math.min(this.rowGroupRows, CROSSING_ROWS);
  }

  /** The compression of the chunks this encoder writes, as a Parquet footer names it. */
  get footerCodec(): number {
    return FOOTER_CODEC[this.compression];
  }

  /**
   * A small table as a whole Parquet file in memory, written with `encode`'s properties: the merge writes
   * an empty one to learn the footer schema `encode` writes.
   */
  fileOf(table: Table): Uint8Array {
    const wasmTable = wasmTableOf(table);
    try {
      return parquetWasm.writeParquet(wasmTable, this.writerProperties());
    } catch (error) {
      throw new ParquetWriteError('Parquet encoding failed', { cause: error });
    }
  }

  private writerProperties(): parquetWasm.WriterProperties {
    let builder = new parquetWasm.WriterPropertiesBuilder()
      .setCompression(WASM_COMPRESSION[this.compression])
      .setWriterVersion(parquetWasm.WriterVersion.V1)
      .setMaxRowGroupSize(this.rowGroupRows)
      .setCreatedBy(this.createdBy)
      .setDictionaryEnabled(false);
    for (const name of this.columnNames.filter((column) => DICTIONARY_ENCODED_COLUMNS.has(column))) {
      builder = builder.setColumnDictionaryEnabled(name, true);
    }
    for (const name of this.columnNames.filter((column) => COLUMNS_WITHOUT_STATISTICS.has(column))) {
      builder = builder.setColumnStatisticsEnabled(name, parquetWasm.EnabledStatistics.None);
    }
    return builder.build();
  }

  private async *recordBatches(rows: AsyncIterable<TableRow>): AsyncIterable<Table> {
    let pending = this.batchBuilder();
    for await (const row of rows) {
      pending.append(row);
      if (pending.rows >= this.crossingRows) {
        yield new Table([this.batchOf(pending.finish(), pending.rows)]);
        pending = this.batchBuilder();
      }
    }
    if (pending.rows > 0) yield new Table([this.batchOf(pending.finish(), pending.rows)]);
  }

  /** `rows` as an Arrow table under this table's schema, to be written among other inputs of `encodeTables`. */
  tableOf(rows: readonly TableRow[]): Table {
    return new Table([this.arrowBatch(rows)]);
  }

  private arrowBatch(rows: readonly TableRow[]): RecordBatch {
    const builder = this.batchBuilder();
    for (const row of rows) builder.append(row);
    return this.batchOf(builder.finish(), rows.length);
  }

  private batchBuilder(): RowBatchBuilder {
    return new RowBatchBuilder(this.arrowSchema, this.columnNames, this.crossingRows);
  }

  /**
   * A batch built under another Arrow schema with this table's columns (the merge's tags-only tables),
   * under this table's: the same buffers, typed as the encoder types them (a reader names a map's
   * entries otherwise), so every batch of a file has one schema.
   */
  private conformed(batch: RecordBatch): RecordBatch {
    if (batch.schema === this.arrowSchema) return batch;
    const children = this.arrowSchema.fields.map((field) => {
      const index = batch.schema.fields.findIndex((f) => f.name === field.name);
      if (index < 0) throw new ParquetWriteError(`a record batch to write has no column ${field.name}`);
      return retyped(batch.data.children[index], field.type);
    });
    return this.batchOf(children, batch.numRows);
  }

  private batchOf(children: Data[], length: number): RecordBatch {
    return new RecordBatch(this.arrowSchema, makeData({ type: new Struct(this.arrowSchema.fields), length, nullCount: 0, children }));
  }

  /** `batches` in wasm memory, under this table's schema: copied, so they may be views on wasm memory. */
  private wasmBatchesOf(batches: readonly RecordBatch[]): parquetWasm.RecordBatch[] {
    const table = wasmTableOf(
      new Table(
        this.arrowSchema,
        batches.map((batch) => this.conformed(batch)),
      ),
    );
    const wasmBatches = table.recordBatches();
    table.free();
    return wasmBatches;
  }
}

/** `table` copied into wasm memory. Arrow IPC is the documented bridge from apache-arrow (JS heap) into parquet-wasm. */
function wasmTableOf(table: Table): parquetWasm.Table {
  return parquetWasm.Table.fromIPCStream(tableToIPC(table, 'stream'));
}

/** `data` as `type`, which has its layout: only a map's nested entry type may be named otherwise. */
function retyped(data: Data, type: DataType): Data {
  if (!DataType.isMap(type)) return data.clone(type);
  const [entries] = data.children;
  return data.clone(type, data.offset, data.length, data.nullCount, data.buffers, [entries.clone(type.children[0].type)]);
}

/** A record batch's columns built row by row: each cell goes into its column's builder as its row comes. */
class RowBatchBuilder {
  private readonly columns: readonly ColumnBuilder[];
  rows = 0;

  constructor(
    schema: Schema,
    private readonly columnNames: readonly string[],
    expectedRows: number,
  ) {
    this.columns = schema.fields.map((field) => columnBuilder(field.type, expectedRows));
  }

  append(row: TableRow): void {
    for (let index = 0; index < this.columns.length; index++) this.columns[index].append(row[this.columnNames[index]]);
    this.rows++;
  }

  finish(): Data[] {
    return this.columns.map((column) => column.finish());
  }
}
