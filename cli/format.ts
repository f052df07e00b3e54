import type { QueryResult } from '../lambda/core/query/query-result';

export const OUTPUT_FORMATS = ['table', 'csv', 'json'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/**
 * C0 and C1 controls (ESC, CSI, CR, BEL, backspace, …) and the bidirectional overrides: a terminal acts
 * on them, so a failure reason holding `\x1b]0;…` or `\r` could retitle the window, hide text or fake a
 * line. A table cell shows each as its escape instead; the data itself is unchanged.
 */
const C1_AND_BIDI = '\\u007f-\\u009f\\u202a-\\u202e\\u2066-\\u2069';
const CONTROL = new RegExp(`[\\u0000-\\u001f${C1_AND_BIDI}]`, 'g');
const C1_AND_BIDI_ONLY = new RegExp(`[${C1_AND_BIDI}]`, 'g');
const NAMED_ESCAPES: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** `text` with every control character written as an escape (`\x1b`, `\r`, `\u202e`), so it prints as text. */
export function escapeControls(text: string): string {
  return text.replace(CONTROL, (char) => {
    const code = char.charCodeAt(0);
    return NAMED_ESCAPES[char] ?? (code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`);
  });
}

function csvCell(value: unknown): string {
  const text = cellText(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const NUMERIC = /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i;

/**
 * A query result as text. A table is for a terminal: every cell and column name has its control
 * characters escaped. JSON escapes the C0 controls itself and the C1 ones here (still the same JSON
 * value). CSV is data for a file or another program and is written as it is.
 */
export function formatResult(result: QueryResult, format: OutputFormat, maxWidth = 60, maxRows = Number.POSITIVE_INFINITY): string {
  if (format === 'json') return result.rows.map((row) => jsonLine(row)).join('\n');
  if (format === 'csv') {
    return [result.columns.map(csvCell).join(','), ...result.rows.map((row) => result.columns.map((c) => csvCell(row[c])).join(','))].join(
      '\n',
    );
  }
  const clip = (text: string) => (text.length > maxWidth ? `${text.slice(0, maxWidth - 1)}…` : text);
  const shown = result.rows.slice(0, maxRows);
  const columns = result.columns.map(escapeControls);
  const cells = shown.map((row) => result.columns.map((c) => clip(escapeControls(cellText(row[c])))));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i].length)));
  const line = (values: string[], numericRight: boolean) =>
    values
      .map((v, i) => (numericRight && NUMERIC.test(v) ? v.padStart(widths[i]) : v.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [
    line(columns, false),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...cells.map((r) => line(r, true)),
    `(${result.rows.length} row${result.rows.length === 1 ? '' : 's'}${shown.length < result.rows.length ? `, first ${shown.length} shown` : ''})`,
  ].join('\n');
}

/** One row as JSON with the C1 controls (which JSON.stringify leaves raw) escaped as \\u00XX. */
function jsonLine(row: Readonly<Record<string, unknown>>): string {
  return JSON.stringify(row).replace(C1_AND_BIDI_ONLY, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
