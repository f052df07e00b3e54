/**
 * DuckDB macros that give the Athena (Trino) functions our shipped SQL uses the same meaning locally,
 * so one SQL text runs in both engines. Each entry is one documented dialect difference (README).
 */
export const ATHENA_COMPATIBILITY_MACROS: readonly { readonly athena: string; readonly why: string; readonly macro: string }[] = [
  {
    athena: 'json_extract_scalar(json, path)',
    why: 'DuckDB names it json_extract_string.',
    macro: 'CREATE OR REPLACE MACRO json_extract_scalar(j, p) AS json_extract_string(j, p)',
  },
  {
    athena: 'element_at(map, key)',
    why: "DuckDB's element_at returns a list for maps; Trino's returns the value or NULL. (Shadows element_at for arrays locally.)",
    macro: 'CREATE OR REPLACE MACRO element_at(m, k) AS map_extract_value(m, k)',
  },
  {
    athena: "date_format(timestamp, '%Y-%m')",
    why: 'DuckDB names it strftime; the MySQL-style specifiers used here (%Y %m %d %H %i) agree except minutes (%i → %M).',
    macro: "CREATE OR REPLACE MACRO date_format(t, f) AS strftime(t, replace(f, '%i', '%M'))",
  },
  {
    athena: 'to_unixtime(timestamp)',
    why: 'DuckDB names it epoch.',
    macro: 'CREATE OR REPLACE MACRO to_unixtime(t) AS epoch(t)',
  },
];

/**
 * Functions the shipped SQL may call: each behaves the same in Athena engine v3 (Trino) and in DuckDB,
 * natively or through a macro above. test/query/sql-dialect-guard.test.ts rejects any other.
 */
export const COMMON_SQL_FUNCTIONS: readonly string[] = [
  'abs', 'avg', 'cast', 'coalesce', 'count', 'date_diff', 'date_format', 'date_trunc', 'element_at', 'greatest',
  'json_extract_scalar', 'lag', 'lead', 'least', 'length', 'lower', 'max', 'min', 'nullif', 'round', 'row_number',
  'split_part', 'substr', 'sum', 'to_unixtime', 'try_cast', 'upper',
];

/** SQL words that take a parenthesis but are not function calls. */
const NOT_FUNCTIONS = new Set(['as', 'in', 'over', 'from', 'join', 'on', 'and', 'or', 'not', 'exists', 'select', 'where', 'values', 'using', 'then', 'else', 'when', 'filter', 'by']);

/** Names called as functions in a SQL text (comments and string literals ignored), lower-cased. */
export function functionsCalled(sql: string): string[] {
  const code = sql.replace(/--[^\n]*/g, ' ').replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/'(?:[^']|'')*'/g, "''");
  const names = new Set<string>();
  for (const match of code.matchAll(/\b([A-Za-z_][A-Za-z0-9_]*)\s*\(/g)) {
    const name = match[1].toLowerCase();
    if (!NOT_FUNCTIONS.has(name)) names.add(name);
  }
  return [...names].sort();
}
