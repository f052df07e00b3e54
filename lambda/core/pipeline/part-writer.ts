import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AsyncChannel } from '../collect/async-channel';
import { InventoryError } from '../errors';
import { ParquetWasmEncoder } from '../parquet/parquet-encoder';
import type { TableRow } from '../rows/training-job-row';
import type { TableSchema } from '../schema/table-schema';
import type { TargetRunSettings } from './target-run-types';

/**
 * This invocation's described rows, encoded to a local Parquet part as they come. A few rows per describe
 * worker wait at most: a slow encoder slows the describes instead of letting rows pile up in memory.
 */
export class PartWriter {
  private readonly rows: AsyncChannel<TableRow>;
  private readonly writing: Promise<void>;
  private written = 0;

  constructor(
    readonly path: string,
    schema: TableSchema,
    config: Pick<TargetRunSettings['config'], 'concurrency' | 'compression' | 'rowGroupRows'>,
  ) {
    this.rows = new AsyncChannel<TableRow>(config.concurrency * 4);
    const encoder = new ParquetWasmEncoder(schema, { compression: config.compression, rowGroupRows: config.rowGroupRows });
    this.writing = pipeline(Readable.from(encoder.encode(this.rows), { objectMode: false }), createWriteStream(path));
    // Its failure is reported by close(), once the describes are over.
    this.writing.catch(() => undefined);
  }

  /** Rows handed to the part so far. */
  get rowCount(): number {
    return this.written;
  }

  async write(row: TableRow): Promise<void> {
    await this.rows.push(row);
    this.written++;
  }

  /** Ends the part and waits until it is on disk. */
  async close(): Promise<void> {
    this.rows.close();
    await this.writing.catch((error: unknown) => {
      throw new InventoryError(`writing described rows to ${this.path} failed`, { cause: error });
    });
  }
}
