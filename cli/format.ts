import type { QueryResult } from '../lambda/core/query/query-result';

export const OUTPUT_FORMATS = ['table', 'csv', 'json'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function csvCell(value: unknown): string {
  const text = cellText(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const NUMERIC = /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i;

export function formatResult(result: QueryResult, format: OutputFormat, maxWidth = 60, maxRows = Number.POSITIVE_INFINITY): string {
  if (format === 'json') return result.rows.map((row) => JSON.stringify(row)).join('\n');
  if (format === 'csv') {
    return [result.columns.map(csvCell).join(','), ...result.rows.map((row) => result.columns.map((c) => csvCell(row[c])).join(','))].join(
      '\n',
    );
  }
  const clip = (text: string) => (text.length > maxWidth ? `${text.slice(0, maxWidth - 1)}…` : text);
  const shown = result.rows.slice(0, maxRows);
  const cells = shown.map((row) => result.columns.map((c) => clip(cellText(row[c]))));
  const widths = result.columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i].length)));
  const line = (values: string[], numericRight: boolean) =>
    values
      .map((v, i) => (numericRight && NUMERIC.test(v) ? v.padStart(widths[i]) : v.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [
    line([...result.columns], false),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...cells.map((r) => line(r, true)),
    `(${result.rows.length} row${result.rows.length === 1 ? '' : 's'}${shown.length < result.rows.length ? `, first ${shown.length} shown` : ''})`,
  ].join('\n');
}
