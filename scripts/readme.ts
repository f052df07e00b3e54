/**
 * Renders the README's generated sections from their sources: the column tables from the schema files,
 * the configuration reference from the config module, the views and queries from glue-schema/, and
 * the dialect differences from the DuckDB compatibility layer. `--write` updates README.md;
 * test/docs/readme.test.ts fails when the README is out of date.
 *
 *   npx tsx scripts/readme.ts --write
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENVIRONMENT_VARIABLES } from '../lambda/core/pipeline/config';
import { ATHENA_COMPATIBILITY_MACROS } from '../lambda/cli/warehouse/duckdb-compat';
import { COMMON_SQL_FUNCTIONS, DATE_FORMAT_SPECIFIERS, DENIED_CONSTRUCTS } from '../lambda/cli/warehouse/shared-dialect';
import { loadSqlCatalog } from '../lambda/core/query/sql-catalog';
import { INSTANCE_PRICE_SCHEMA, INVENTORY_RUN_SCHEMA, TRAINING_JOB_SCHEMA, type TableSchema } from '../lambda/core/schema/table-schema';

export const README = join(__dirname, '..', 'README.md');

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function columnTable(schema: TableSchema): string {
  return [
    '| # | column | Glue type | description |',
    '|---|---|---|---|',
    ...schema.columns.map((c, i) => `| ${i + 1} | \`${c.name}\` | \`${c.type}\` | ${cell(c.comment)} |`),
    ...schema.partitionKeys.map((c) => `| partition | \`${c.name}\` | \`${c.type}\` | ${cell(c.comment)} |`),
  ].join('\n');
}

export function renderSections(): Record<string, string> {
  const columns = columnTable(TRAINING_JOB_SCHEMA);
  const runColumns = columnTable(INVENTORY_RUN_SCHEMA);
  const priceColumns = columnTable(INSTANCE_PRICE_SCHEMA);
  const configuration = [
    '| variable | meaning |',
    '|---|---|',
    ...Object.entries(ENVIRONMENT_VARIABLES).map(([name, text]) => `| \`${name}\` | ${cell(text)} |`),
  ].join('\n');
  const { views, queries } = loadSqlCatalog();
  const sql = [
    '| kind | name | what it answers |',
    '|---|---|---|',
    ...[...views, ...queries].map((d) => `| ${d.kind} | \`${d.name}\` | ${cell(d.description)} |`),
  ].join('\n');
  const dialect = [
    '| Athena (Trino) | locally in DuckDB |',
    '|---|---|',
    ...ATHENA_COMPATIBILITY_MACROS.map((m) => `| \`${m.athena}\` | ${cell(m.why)} |`),
    '',
    `The shipped SQL calls only these functions (a test rejects any other): ${COMMON_SQL_FUNCTIONS.map((f) => `\`${f}\``).join(', ')};`,
    `\`date_format\` only with ${DATE_FORMAT_SPECIFIERS.map((s) => `\`${s}\``).join(' ')}.`,
    '',
    'Every shipped statement (views, named queries, the SQL examples in this README, the demo\'s suggestion) must parse with',
    'a Trino grammar (`node-sql-parser`) in `npm test`. Arithmetic uses no decimal literal (`3600e0`, not `3600.0`: Trino',
    'computes `3600.0` as a DECIMAL and rounds to its scale), every division has a DOUBLE operand (`7/2` is 3 in Trino,',
    '3.5 in DuckDB), and text becomes an integer only for integer API members. The grammar lets these through, so a',
    'deny-list rejects them:',
    '',
    '| construct | why not |',
    '|---|---|',
    ...DENIED_CONSTRUCTS.map((d) => `| \`${d.construct}\` | ${cell(d.why)} |`),
  ].join('\n');
  return { columns, 'run-columns': runColumns, priceColumns, configuration, sql, dialect };
}

export function renderReadme(text: string): string {
  let out = text;
  for (const [name, body] of Object.entries(renderSections())) {
    const pattern = new RegExp(`(<!-- generated:${name} -->)[\\s\\S]*?(<!-- /generated:${name} -->)`);
    if (!pattern.test(out)) throw new Error(`README.md has no <!-- generated:${name} --> section`);
    out = out.replace(pattern, (_match, start: string, end: string) => `${start}\n${body}\n${end}`);
  }
  return out;
}

if (require.main === module) {
  const current = readFileSync(README, 'utf8');
  const rendered = renderReadme(current);
  if (process.argv.includes('--write')) {
    writeFileSync(README, rendered);
    console.log(rendered === current ? 'README.md is up to date' : 'README.md updated');
  } else if (rendered !== current) {
    console.error('README.md is out of date: run npx tsx scripts/readme.ts --write');
    process.exitCode = 1;
  }
}
