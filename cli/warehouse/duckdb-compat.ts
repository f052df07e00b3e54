import { DATE_FORMAT_SPECIFIERS } from './shared-dialect';

/** A DuckDB macro standing in for the Athena (Trino) function of the same name. */
export interface CompatibilityMacro {
  readonly athena: string;
  readonly why: string;
  readonly macro: string;
}

const unsupportedSpecifier = `%[^${DATE_FORMAT_SPECIFIERS.map((s) => s.slice(1)).join('')}%]`;

/**
 * DuckDB macros that give the Athena (Trino) functions our shipped SQL uses the same meaning locally,
 * so one SQL text runs in both engines. Each entry is one documented dialect difference (docs/tables-and-views.md).
 * A macro may shadow a DuckDB function of the same name; its body never calls itself.
 */
export const ATHENA_COMPATIBILITY_MACROS: readonly CompatibilityMacro[] = [
  {
    athena: 'json_extract_scalar(json, path)',
    why: 'DuckDB names it json_extract_string, and that returns an object or array as JSON text; Trino returns NULL for them, and so does the macro.',
    macro: "CREATE OR REPLACE MACRO json_extract_scalar(j, p) AS CASE WHEN json_type(j, p) IN ('OBJECT', 'ARRAY') THEN NULL ELSE json_extract_string(j, p) END",
  },
  {
    athena: 'element_at(map, key)',
    why: "DuckDB's element_at returns a list for maps; Trino's returns the value or NULL. (Shadows element_at for arrays locally.)",
    macro: 'CREATE OR REPLACE MACRO element_at(m, k) AS map_extract_value(m, k)',
  },
  {
    athena: "date_format(timestamp, '%Y-%m')",
    why: `DuckDB names it strftime, and the two agree only on ${DATE_FORMAT_SPECIFIERS.join(' ')} (%i is Trino's minutes, DuckDB's %M; Trino's %M is the month name). The macro translates %i and fails on any other specifier rather than answer differently.`,
    macro:
      `CREATE OR REPLACE MACRO date_format(t, f) AS CASE WHEN regexp_matches(f, '${unsupportedSpecifier}') ` +
      `THEN error('date_format: ' || f || ' uses a specifier whose meaning differs between Athena and DuckDB; allowed: ${DATE_FORMAT_SPECIFIERS.join(' ')}') ` +
      "ELSE strftime(t, replace(f, '%i', '%M')) END",
  },
  {
    athena: 'date_diff(unit, from, to)',
    why: "DuckDB's date_diff counts unit boundaries crossed (00:00:00.900 to 00:00:01.100 is 1 second); Trino counts whole units elapsed (0), which is DuckDB's date_sub. Both arguments are read as timestamps with time zone in the session's UTC, as Trino coerces them.",
    macro: 'CREATE OR REPLACE MACRO date_diff(u, a, b) AS date_sub(u, CAST(a AS TIMESTAMPTZ), CAST(b AS TIMESTAMPTZ))',
  },
  {
    athena: 'split_part(string, delimiter, index)',
    why: "Past the last part DuckDB's split_part returns ''; Trino returns NULL, as the macro does.",
    macro: 'CREATE OR REPLACE MACRO split_part(s, d, i) AS string_split(s, d)[i]',
  },
  {
    athena: 'from_iso8601_timestamp(string)',
    why: "Dates inside the JSON columns are ISO-8601 with a T ('2026-01-02T03:04:05.678Z'), which Trino's CAST(... AS timestamp) rejects and DuckDB's accepts: parse them with from_iso8601_timestamp in both (a timestamp with time zone; CAST it AS timestamp for UTC wall time).",
    macro: 'CREATE OR REPLACE MACRO from_iso8601_timestamp(s) AS CAST(s AS TIMESTAMPTZ)',
  },
  {
    athena: 'to_unixtime(timestamp)',
    why: 'DuckDB names it epoch.',
    macro: 'CREATE OR REPLACE MACRO to_unixtime(t) AS epoch(t)',
  },
];
