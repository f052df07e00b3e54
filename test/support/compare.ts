import type { DescribeTrainingJobResponse } from '@aws-sdk/client-sagemaker';
import type { DuckDBConnection } from '@duckdb/node-api';
import { snakeCase } from './fixtures';
import { readSeedColumns } from './seed';

/** The value a column should hold for an API value, computed without the project's mapper. */
function expectedCell(seedType: string, value: unknown): unknown {
  if (value === undefined || value === null) return null;
  switch (seedType) {
    case 'timestamp':
      return String((value as Date).getTime());
    case 'int64':
      return String(value);
    case 'hstore':
      return Object.entries(value as Record<string, string>).map(([key, v]) => ({ key, value: v }));
    case 'json':
      return JSON.parse(JSON.stringify(value));
    default:
      return value;
  }
}

/** Reads every row under a warehouse glob, timestamps as epoch-ms strings, keyed by `_key`. */
export async function readWarehouse(db: DuckDBConnection, glob: string): Promise<Map<string, Record<string, unknown>>> {
  const timestamps = readSeedColumns()
    .filter((c) => c.seedType === 'timestamp')
    .map((c) => `epoch_ms(${c.name}) AS ${c.name}`);
  const reader = await db.runAndReadAll(
    `SELECT * REPLACE (${timestamps.join(', ')}) FROM read_parquet('${glob}', hive_partitioning = true, hive_types_autocast = false)`,
  );
  return new Map(reader.getRowObjectsJson().map((row) => [`${row.snapshot_date}|${row._key}`, row as Record<string, unknown>]));
}

/** JSON with object keys sorted: the SDK orders members by its model, not as the server sent them. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** Names every (job, column) whose stored value differs from what the API said. Empty means all equal. */
export function mismatches(row: Record<string, unknown>, job: DescribeTrainingJobResponse, tags: Record<string, string>): string[] {
  const api: Record<string, unknown> = { ...job, Tags: tags };
  const wrong: string[] = [];
  for (const column of readSeedColumns()) {
    let expected: unknown;
    if (column.name === '_key') expected = job.TrainingJobArn;
    else if (column.name === 'account_id') expected = job.TrainingJobArn!.split(':')[4];
    else {
      const field = Object.keys(api).find((key) => snakeCase(key) === column.name);
      expected = expectedCell(column.seedType, field ? api[field] : undefined);
    }
    const stored = row[column.name];
    const actual = column.seedType === 'json' && stored !== null ? JSON.parse(stored as string) : stored;
    if (canonical(actual) !== canonical(expected)) wrong.push(`${job.TrainingJobName}.${column.name}`);
  }
  return wrong;
}

/** The sum of `value` over the items of each `key`, as a GROUP BY with sum() computes it. */
export function groupSum<T>(items: readonly T[], key: (item: T) => string, value: (item: T) => number): Map<string, number> {
  const sums = new Map<string, number>();
  for (const item of items) sums.set(key(item), (sums.get(key(item)) ?? 0) + value(item));
  return sums;
}
