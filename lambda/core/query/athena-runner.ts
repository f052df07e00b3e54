import { GetQueryExecutionCommand, StartQueryExecutionCommand, type AthenaClient } from '@aws-sdk/client-athena';
import { setTimeout as sleep } from 'node:timers/promises';
import { QueryError } from '../errors';

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

/**
 * Runs statements in an Athena workgroup: StartQueryExecution, then GetQueryExecution with growing
 * waits until a final state. A failed or cancelled statement is a QueryError with Athena's reason.
 * Reading results is AthenaQueryRunner's: a caller that only runs DDL needs no GetQueryResults.
 */
export class AthenaStatementRunner {
  constructor(
    protected readonly client: AthenaClient,
    protected readonly options: AthenaRunnerOptions,
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
      const { QueryExecution: execution } = await this.client.send(new GetQueryExecutionCommand({ QueryExecutionId: executionId }), {
        abortSignal: signal,
      });
      const state = execution?.Status?.State;
      if (state === 'SUCCEEDED') return executionId;
      if (state === 'FAILED' || state === 'CANCELLED') {
        throw new QueryError(
          `Athena query ${executionId} ${state.toLowerCase()}: ${execution?.Status?.StateChangeReason ?? 'no reason given'}`,
        );
      }
      if (Date.now() + wait > deadline)
        throw new QueryError(`Athena query ${executionId} was still ${state} when the time allowed ran out`);
      await sleep(wait, undefined, { signal });
      wait = Math.min(wait * 1.5, this.options.pollMaxMs ?? 5000);
    }
  }
}
