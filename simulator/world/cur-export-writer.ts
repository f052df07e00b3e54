import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { ParquetWasmEncoder } from '../../lambda/core/parquet/parquet-encoder';
import type { TableRow } from '../../lambda/core/rows/training-job-row';
import { COST_AND_USAGE_REPORT_SCHEMA } from '../../lambda/core/schema/table-schema';
import type { CurLine } from './cost-and-usage-report';

async function* rowsOf(lines: readonly CurLine[]): AsyncIterable<TableRow> {
  for (const line of lines) yield line as unknown as TableRow;
}

/**
 * Writes the lines as AWS Data Exports delivers a CUR 2.0 export: one Snappy Parquet object per billing
 * period under `<exportFolder>/data/BILLING_PERIOD=YYYY-MM/`. Returns the files written.
 */
export async function writeCostAndUsageReport(
  lines: readonly CurLine[],
  exportFolder: string,
  exportName = 'sagemaker-simulator-cur',
): Promise<string[]> {
  const periods = new Map<string, CurLine[]>();
  for (const line of lines) periods.set(line.billing_period, [...(periods.get(line.billing_period) ?? []), line]);
  const files: string[] = [];
  for (const [period, periodLines] of [...periods].sort(([a], [b]) => a.localeCompare(b))) {
    const folder = join(exportFolder, 'data', `BILLING_PERIOD=${period}`);
    await mkdir(folder, { recursive: true });
    const file = join(folder, `${exportName}-00001.snappy.parquet`);
    const encoder = new ParquetWasmEncoder(COST_AND_USAGE_REPORT_SCHEMA, { compression: 'snappy', rowGroupRows: 10_000 });
    await pipeline(Readable.from(encoder.encode(rowsOf(periodLines))), createWriteStream(file));
    files.push(file);
  }
  return files;
}
