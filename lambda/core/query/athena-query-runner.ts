import { GetQueryResultsCommand, type ColumnInfo } from '@aws-sdk/client-athena';
import { AthenaStatementRunner } from './athena-runner';
import type { QueryResult } from './query-result';

const NUMERIC_TYPES = new Set(['tinyint', 'smallint', 'integer', 'int', 'double', 'float', 'real']);

/** Athena returns every value as text; numbers that fit a double become numbers, bigint stays text as DuckDB's JSON does. */
function typed(value: string | undefined, column: ColumnInfo): unknown {
  if (value === undefined) return null;
  if (NUMERIC_TYPES.has((column.Type ?? '').toLowerCase())) return Number(value);
  if ((column.Type ?? '').toLowerCase() === 'boolean') return value === 'true';
  return value;
}

/** Runs SQL in an Athena workgroup and reads every page of its results (GetQueryResults). */
export class AthenaQueryRunner extends AthenaStatementRunner {
  async query(sql: string, signal?: AbortSignal): Promise<QueryResult> {
    const executionId = await this.execute(sql, signal);
    const rows: Record<string, unknown>[] = [];
    let columns: ColumnInfo[] = [];
    let nextToken: string | undefined;
    let firstPage = true;
    do {
      const page = await this.client.send(
        new GetQueryResultsCommand({ QueryExecutionId: executionId, NextToken: nextToken, MaxResults: 1000 }),
        {
          abortSignal: signal,
        },
      );
      if (firstPage) columns = page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? [];
      const names = columns.map((c) => c.Name ?? c.Label ?? '');
      let data = page.ResultSet?.Rows ?? [];
      // A SELECT's first row repeats the column names.
      if (firstPage && data.length > 0 && data[0].Data?.every((cell, i) => cell.VarCharValue === names[i])) data = data.slice(1);
      for (const row of data) {
        rows.push(Object.fromEntries(names.map((name, i) => [name, typed(row.Data?.[i]?.VarCharValue, columns[i])])));
      }
      nextToken = page.NextToken;
      firstPage = false;
    } while (nextToken);
    return { columns: columns.map((c) => c.Name ?? c.Label ?? ''), rows };
  }
}
