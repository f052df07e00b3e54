/**
 * The SQL both engines read alike: Athena engine v3 (Trino) in AWS and DuckDB locally. Shipped SQL
 * (views, named queries, the documentation's examples, the demo's suggestion) keeps to it, and
 * test/query/sql-dialect-guard.test.ts checks that with these lists and with a Trino grammar.
 */

/**
 * Functions the shipped SQL may call: each behaves the same in Athena engine v3 (Trino) and in DuckDB,
 * natively or through a macro in duckdb-compat.ts. Left out on purpose: greatest/least (Trino returns
 * NULL when an argument is NULL, DuckDB ignores it).
 */
export const COMMON_SQL_FUNCTIONS: readonly string[] = [
  'abs', 'avg', 'cast', 'coalesce', 'count', 'date_diff', 'date_format', 'date_trunc', 'element_at', 'from_iso8601_timestamp',
  'json_extract_scalar', 'lag', 'lead', 'length', 'lower', 'max', 'min', 'nullif', 'round', 'row_number',
  'split_part', 'substr', 'sum', 'to_unixtime', 'try_cast', 'upper',
];

/** date_format specifiers that mean the same in Trino and (through the macro) in DuckDB's strftime. */
export const DATE_FORMAT_SPECIFIERS: readonly string[] = ['%Y', '%m', '%d', '%H', '%i', '%S'];

/**
 * DescribeTrainingJob members the API declares as Integer. Only these may be read from JSON text with
 * `CAST(json_extract_scalar(...) AS bigint)`: the stored JSON writes them as whole numbers, on which both
 * engines agree, whereas on text such as '1.0' Trino fails and DuckDB rounds.
 */
export const INTEGER_JSON_MEMBERS: readonly string[] = [
  'InstanceCount',
  'SelectedInstanceCount',
  'VolumeSizeInGB',
  'KeepAlivePeriodInSeconds',
  'MaxRuntimeInSeconds',
  'MaxWaitTimeInSeconds',
  'MaxPendingTimeInSeconds',
  'ResourceRetainedBillableTimeInSeconds',
  'MaximumRetryAttempts',
];

/** One construct that Trino's grammar (as node-sql-parser has it) lets through but Athena rejects or reads differently. */
export interface DeniedConstruct {
  readonly construct: string;
  /** Matched against the SQL with comments removed and string literals emptied. */
  readonly pattern: RegExp;
  readonly why: string;
  /** A statement that uses it: the guard's test for this entry. */
  readonly example: string;
}

export const DENIED_CONSTRUCTS: readonly DeniedConstruct[] = [
  { construct: '::', pattern: /::/, why: 'a DuckDB/PostgreSQL cast; Athena needs CAST(x AS type)', example: 'SELECT billable_time_in_seconds::double FROM t' },
  { construct: 'ILIKE', pattern: /\bilike\b/i, why: 'not in Trino; use lower(x) LIKE', example: "SELECT 1 FROM t WHERE training_job_name ILIKE 'a%'" },
  { construct: 'QUALIFY', pattern: /\bqualify\b/i, why: 'not in Trino; filter a window in an outer query', example: 'SELECT a FROM t QUALIFY row_number() OVER (ORDER BY a) = 1' },
  { construct: 'GROUP BY ALL', pattern: /\bgroup\s+by\s+all\b/i, why: 'DuckDB only; name the columns', example: 'SELECT a, count(*) FROM t GROUP BY ALL' },
  { construct: 'ORDER BY ALL', pattern: /\border\s+by\s+all\b/i, why: 'DuckDB only; name the columns', example: 'SELECT a FROM t ORDER BY ALL' },
  { construct: 'EXCLUDE', pattern: /\bexclude\b/i, why: 'SELECT * EXCLUDE is DuckDB only; list the columns', example: 'SELECT * EXCLUDE (tags) FROM t' },
  { construct: '//', pattern: /\/\//, why: "DuckDB's integer division; the Trino grammar reads it as a comment and drops the rest of the line", example: 'SELECT a // 2 FROM t' },
  { construct: '->>', pattern: /->>/, why: "DuckDB's JSON text extraction; use json_extract_scalar", example: "SELECT resource_config ->> '$.InstanceType' FROM t" },
  { construct: '->', pattern: /->/, why: 'a JSON extraction in DuckDB but a lambda in Trino', example: "SELECT resource_config -> '$.InstanceType' FROM t" },
  { construct: 'backtick', pattern: /`/, why: 'Athena DDL quotes names in backticks, its queries do not', example: 'SELECT `region` FROM t' },
  {
    construct: 'double quote',
    // "$path" aside: Athena's hidden column of each row's object, which the local warehouse gives every table too.
    pattern: /"(?!\$path")(?<!"\$path")/,
    why: 'an identifier in Trino, but DuckDB reads "x" as a string when no column has that name ("$path" aside, which both have)',
    example: 'SELECT "snapshot_date" FROM t',
  },
  { construct: 'DISTINCT ON', pattern: /\bdistinct\s+on\b/i, why: 'not in Trino; use row_number() in a subquery', example: 'SELECT DISTINCT ON (a) a, b FROM t' },
  { construct: 'ASOF JOIN', pattern: /\basof\b/i, why: 'DuckDB only (the Trino grammar reads ASOF as a table alias)', example: 'SELECT * FROM t ASOF JOIN u USING (a)' },
  { construct: 'ANTI JOIN', pattern: /\banti\s+join\b/i, why: 'DuckDB only; use NOT EXISTS', example: 'SELECT * FROM t ANTI JOIN u USING (a)' },
  { construct: 'SEMI JOIN', pattern: /\bsemi\s+join\b/i, why: 'DuckDB only; use EXISTS', example: 'SELECT * FROM t SEMI JOIN u USING (a)' },
  { construct: 'POSITIONAL JOIN', pattern: /\bpositional\s+join\b/i, why: 'DuckDB only', example: 'SELECT * FROM t POSITIONAL JOIN u' },
  { construct: 'NATURAL JOIN', pattern: /\bnatural\b/i, why: 'Trino does not support NATURAL joins; use USING or ON', example: 'SELECT * FROM t NATURAL JOIN u' },
  { construct: 'INTERVAL without quotes', pattern: /\binterval\s+[-+]?\d/i, why: "Trino needs the quantity quoted: INTERVAL '7' DAY", example: 'SELECT creation_time + INTERVAL 7 DAY FROM t' },
  { construct: "E'…'", pattern: /(?<!\w)e''/i, why: 'a DuckDB/PostgreSQL escape string; Trino has none', example: "SELECT E'a\\tb' FROM t" },
  { construct: '$ parameter', pattern: /\$(?:\d|\$)/, why: 'DuckDB prepared-statement parameters and $$ quoting are not Athena SQL', example: 'SELECT a FROM t WHERE b = $1' },
  { construct: 'SIMILAR TO', pattern: /\bsimilar\s+to\b/i, why: 'not in Trino; use regexp_like', example: "SELECT a FROM t WHERE b SIMILAR TO 'x%'" },
  { construct: '1_000', pattern: /\b\d+_\d/, why: 'DuckDB reads 1_000 as 1000, the Trino grammar as 1 AS _000', example: 'SELECT 1_000 FROM t' },
  { construct: 'LIMIT … OFFSET', pattern: /\blimit\s+\w+\s+offset\b/i, why: 'Trino wants OFFSET before LIMIT', example: 'SELECT a FROM t ORDER BY a LIMIT 10 OFFSET 5' },
  {
    construct: 'subscript x[…]',
    pattern: /(?:\)|\]|\b(?!array\b)[a-z_]\w*)\s*\[/i,
    why: 'on a missing map key or an index past the end Trino fails and DuckDB returns NULL; use element_at',
    example: "SELECT tags['team'] FROM t",
  },
];

/** The SQL with comments removed and string literals emptied, so patterns see code only. */
export function codeOnly(sql: string): string {
  // One left-to-right pass: an apostrophe inside a comment does not open a string, nor `--` inside a string a comment.
  return sql.replace(/--[^\n]*|\/\*[\s\S]*?(?:\*\/|$)|'(?:[^']|'')*'?/g, (token) => (token.startsWith("'") ? "''" : ' '));
}

/** The denied constructs a SQL text uses, in list order. */
export function deniedConstructsIn(sql: string): string[] {
  const code = codeOnly(sql);
  return DENIED_CONSTRUCTS.filter((entry) => entry.pattern.test(code)).map((entry) => entry.construct);
}

/** SQL words that take a parenthesis but are not function calls. */
const NOT_FUNCTIONS = new Set(['as', 'in', 'over', 'from', 'join', 'on', 'and', 'or', 'not', 'exists', 'select', 'where', 'values', 'using', 'then', 'else', 'when', 'filter', 'by']);

/** Names called as functions in a SQL text (comments and string literals ignored), lower-cased. */
export function functionsCalled(sql: string): string[] {
  const names = new Set<string>();
  for (const match of codeOnly(sql).matchAll(/\b([A-Za-z_][A-Za-z0-9_]*)\s*\(/g)) {
    const name = match[1].toLowerCase();
    if (!NOT_FUNCTIONS.has(name)) names.add(name);
  }
  return [...names].sort();
}
