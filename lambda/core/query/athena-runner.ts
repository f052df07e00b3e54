import {
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  type AthenaClient,
  type ColumnInfo,
} from '@aws-sdk/client-athena';
import { setTimeout as sleep } from 'node:timers/promises';
import { QueryError } from '../errors';
import type { QueryResult } from './query-result';

export interface AthenaRunnerOptions {
  readonly workgroup: string;
  /** Database the SQL's unqualified names refer to. @default the workgroup's default */
  readonly database?: string;
  /** @default 'AwsDataCatalog' */
  readonly catalog?: string;
  /** First wait between status checks; each later wait is 1.5x longer. @default 200 ms */
  readonly pollInitialMs?: number;
  /** @default 5000 ms */
  readonly pollMaxMs?: number;
  /** Give up (and cancel nothing: Athena's own timeout applies) after this long. @default 30 minutes */
  readonly timeoutMs?: number;
}

const NUMERIC_TYPES = new Set(['tinyint', 'smallint', 'integer', 'int', 'double', 'float', 'real']);

/** Athena returns every value as text; numbers that fit a double become numbers, bigint stays text as DuckDB's JSON does. */
function typed(value: string | undefined, column: ColumnInfo): unknown {
  if (value === undefined) return null;
  if (NUMERIC_TYPES.has((column.Type ?? '').toLowerCase())) return Number(value);
  if ((column.Type ?? '').toLowerCase() === 'boolean') return value === 'true';
  return value;
}

/**
 * Runs SQL in an Athena workgroup: StartQueryExecution, GetQueryExecution with growing waits until a
 * final state, then every page of GetQueryResults. A failed or cancelled query is a QueryError with
 * Athena's reason.
 */
export class AthenaQueryRunner {
  constructor(
    private readonly client: AthenaClient,
    private readonly options: AthenaRunnerOptions,
  ) {
    if (!/^[a-zA-Z0-9._-]{1,128}$/.test(options.workgroup)) {
      throw new QueryError(`workgroup ${JSON.stringify(options.workgroup)} is not allowed; allowed: 1-128 letters, digits, . _ -`);
    }
  }

  /** Runs a statement (e.g. DDL) and waits for it to succeed; returns its execution id. */
  async execute(sql: string, signal?: AbortSignal): Promise<string> {
    const { workgroup, database, catalog } = this.options;
    let executionId: string;
    try {
      const started = await this.client.send(
        new StartQueryExecutionCommand({
          QueryString: sql,
          WorkGroup: workgroup,
          ...(database ? { QueryExecutionContext: { Database: database, Catalog: catalog ?? 'AwsDataCatalog' } } : {}),
        }),
        { abortSignal: signal },
      );
      executionId = started.QueryExecutionId!;
    } catch (error) {
      throw new QueryError(`Athena did not start the query in workgroup ${workgroup}: ${(error as Error).message}`, { cause: error });
    }
    const deadline = Date.now() + (this.options.timeoutMs ?? 30 * 60_000);
    let wait = this.options.pollInitialMs ?? 200;
    for (;;) {
      const { QueryExecution: execution } = await this.client.send(new GetQueryExecutionCommand({ QueryExecutionId: executionId }), { abortSignal: signal });
      const state = execution?.Status?.State;
      if (state === 'SUCCEEDED') return executionId;
      if (state === 'FAILED' || state === 'CANCELLED') {
        throw new QueryError(`Athena query ${executionId} ${state.toLowerCase()}: ${execution?.Status?.StateChangeReason ?? 'no reason given'}`);
      }
      if (Date.now() + wait > deadline) throw new QueryError(`Athena query ${executionId} was still ${state} when the time allowed ran out`);
      await sleep(wait, undefined, { signal });
      wait = Math.min(wait * 1.5, this.options.pollMaxMs ?? 5000);
    }
  }

  async query(sql: string, signal?: AbortSignal): Promise<QueryResult> {
    const executionId = await this.execute(sql, signal);
    const rows: Record<string, unknown>[] = [];
    let columns: ColumnInfo[] = [];
    let nextToken: string | undefined;
    let firstPage = true;
    do {
      const page = await this.client.send(new GetQueryResultsCommand({ QueryExecutionId: executionId, NextToken: nextToken, MaxResults: 1000 }), {
        abortSignal: signal,
      });
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
