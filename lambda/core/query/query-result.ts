/** What a query returns, locally (DuckDB) or from Athena: column names and JSON-safe rows. */
export interface QueryResult {
  readonly columns: readonly string[];
  /** Values as JSON-safe scalars: bigints and timestamps as strings, maps as objects. */
  readonly rows: readonly Record<string, unknown>[];
}
