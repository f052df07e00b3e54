/**
 * Renders the README's generated sections from their sources: the column table from the schema file,
 * the configuration reference from the config module, the views and queries from glue-schema/, and
 * the dialect differences from the DuckDB compatibility layer. `--write` updates README.md;
 * test/docs/readme.test.ts fails when the README is out of date.
 *
 *   npx tsx scripts/readme.ts --write
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENVIRONMENT_VARIABLES } from '../lambda/core/pipeline/config';
import { ATHENA_COMPATIBILITY_MACROS, COMMON_SQL_FUNCTIONS } from '../lambda/cli/warehouse/duckdb-compat';
import { loadSqlCatalog } from '../lambda/core/query/sql-catalog';
import { INSTANCE_PRICE_SCHEMA, TRAINING_JOB_SCHEMA } from '../lambda/core/schema/table-schema';

export const README = join(__dirname, '..', 'README.md');

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderSections(): Record<string, string> {
  const columns = [
    '| # | column | Glue type | description |',
    '|---|---|---|---|',
    ...TRAINING_JOB_SCHEMA.columns.map((c, i) => `| ${i + 1} | \`${c.name}\` | \`${c.type}\` | ${cell(c.comment)} |`),
    ...TRAINING_JOB_SCHEMA.partitionKeys.map((c) => `| partition | \`${c.name}\` | \`${c.type}\` | ${cell(c.comment)} |`),
  ].join('\n');
  const priceColumns = [
    '| column | Glue type | description |',
    '|---|---|---|',
    ...[...INSTANCE_PRICE_SCHEMA.columns, ...INSTANCE_PRICE_SCHEMA.partitionKeys].map((c) => `| \`${c.name}\` | \`${c.type}\` | ${cell(c.comment)} |`),
  ].join('\n');
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
    `The shipped SQL calls only these functions (a test rejects any other): ${COMMON_SQL_FUNCTIONS.map((f) => `\`${f}\``).join(', ')}.`,
  ].join('\n');
  return { columns, priceColumns, configuration, sql, dialect };
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
