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
