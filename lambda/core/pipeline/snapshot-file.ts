import { ParquetWasmEncoder } from '../parquet/parquet-encoder';
import { writeBytesFile } from '../process/bytes-file';
import type { TableRow } from '../rows/training-job-row';
import type { TableSchema } from '../schema/table-schema';
import type { InventoryConfig } from './config';
import { MergedSnapshot, type MergeSources } from './merged-snapshot';

/** Where the rows of a target's new snapshot come from: the described parts saved in the work area and this invocation's own. */
export interface SnapshotSources {
  readonly savedParts: readonly string[];
  readonly localPart: string | undefined;
}

/** The snapshot file written: how many rows it holds, and the departed rows the merge kept on its way (see MergedSnapshot). */
export interface WrittenSnapshot {
  readonly rows: number;
  readonly departedRows: readonly TableRow[] | undefined;
}

/**
 * Writes the target's new snapshot object to the local file `path` (its bytes are MergedSnapshot's
 * concern). When the file becomes visible, and what else becomes visible with it, is the commit
 * point's (commit-point.ts).
 */
export async function writeSnapshotFile(done: MergeSources, sources: SnapshotSources, path: string): Promise<WrittenSnapshot> {
  const merged = new MergedSnapshot(done, sources.savedParts, sources.localPart, `${path}.encoded`);
  try {
    await merged.writeFile(path);
  } finally {
    await merged.release();
  }
  return { rows: merged.written, departedRows: merged.departedRows };
}

/** Encodes `rows` of a table into the Parquet file `path`. */
export async function writeRowsFile(
  schema: TableSchema,
  config: Pick<InventoryConfig, 'compression' | 'rowGroupRows'>,
  rows: AsyncIterable<TableRow>,
  path: string,
): Promise<void> {
  const encoder = new ParquetWasmEncoder(schema, { compression: config.compression, rowGroupRows: config.rowGroupRows });
  await writeBytesFile(path, encoder.encode(rows));
}
