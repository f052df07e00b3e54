import { ParquetWasmEncoder } from '../parquet/parquet-encoder';
import type { PublishResult } from '../publish/store';
import type { TableRow } from '../rows/training-job-row';
import type { TableSchema } from '../schema/table-schema';
import type { InventoryConfig } from './config';
import { MergedSnapshot, type MergeSources } from './merged-snapshot';

/** Where the rows of a target's new snapshot come from: the described parts saved in the work area and this invocation's own. */
export interface SnapshotSources {
  readonly savedParts: readonly string[];
  readonly localPart: string | undefined;
}

/** The snapshot object staged: where, how many rows it holds, and the departed rows the merge kept on its way (see MergedSnapshot). */
export interface StagedSnapshot {
  readonly published: PublishResult;
  readonly rows: number;
  readonly departedRows: readonly TableRow[] | undefined;
}

/**
 * Stages the target's new snapshot object: `stage` takes its bytes (MergedSnapshot's concern) as they
 * are made, so the object is never a local file of its own. `scratch` names the merge's scratch files.
 * When the object becomes visible, and what else becomes visible with it, is the commit point's
 * (commit-point.ts).
 */
export async function stageSnapshot(
  done: MergeSources,
  sources: SnapshotSources,
  scratch: string,
  stage: (bytes: AsyncIterable<Uint8Array>) => Promise<PublishResult>,
): Promise<StagedSnapshot> {
  const merged = new MergedSnapshot(done, sources.savedParts, sources.localPart, scratch);
  try {
    const published = await stage(merged.bytes());
    return { published, rows: merged.written, departedRows: merged.departedRows };
  } finally {
    await merged.release();
  }
}

/** `rows` of a table as the bytes of a Parquet file. */
export function parquetBytesOf(
  schema: TableSchema,
  config: Pick<InventoryConfig, 'compression' | 'rowGroupRows'>,
  rows: AsyncIterable<TableRow>,
): AsyncIterable<Uint8Array> {
  return new ParquetWasmEncoder(schema, { compression: config.compression, rowGroupRows: config.rowGroupRows }).encode(rows);
}
