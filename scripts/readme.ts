/**
 * Renders the documentation's generated sections from their sources: the column tables from the schema
 * files, the configuration reference from the settings table, the views and queries from glue-schema/,
 * the dialect differences from the DuckDB compatibility layer, and the bad-input corpus from its JSON.
 * GENERATED_DOCUMENTS says which document holds which section. `--write` updates them (`npm run docs`);
 * test/docs/readme.test.ts fails when one is out of date.
 *
 *   npx tsx scripts/readme.ts --write
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { SETTINGS, type Setting } from '../lambda/core/settings/settings';
import { allowedText, defaultText } from '../lambda/core/settings/values';
import { EXIT_CODES } from '../cli/command-guide';
import { ATHENA_COMPATIBILITY_MACROS } from '../cli/warehouse/duckdb-compat';
import { COMMON_SQL_FUNCTIONS, DATE_FORMAT_SPECIFIERS, DENIED_CONSTRUCTS } from '../cli/warehouse/shared-dialect';
import { loadSqlCatalog } from '../lambda/core/query/sql-catalog';
import {
  COST_AND_USAGE_REPORT_SCHEMA,
  INSTANCE_PRICE_SCHEMA,
  INVENTORY_RUN_SCHEMA,
  TRAINING_JOB_LEDGER_SCHEMA,
  TRAINING_JOB_CHANGE_SCHEMA,
  TRAINING_JOB_SCHEMA,
  type TableSchema,
} from '../lambda/core/schema/table-schema';

const ROOT = join(__dirname, '..');
export const README = join(ROOT, 'README.md');
const doc = (name: string) => join(ROOT, 'docs', name);
/** The example the packed-app test compiles and synthesizes in a fresh app (test/package/packed-app.test.ts). */
const EXAMPLE = join(ROOT, 'examples', 'inventory-app.ts');

/** The width Markdown prose is wrapped at, as Prettier wraps the code. */
export const PROSE_WIDTH = 140;

/** Prose wrapped at PROSE_WIDTH, breaking only between words. */
export function wrapProse(text: string, width = PROSE_WIDTH): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  return [...lines, line].join('\n');
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function columnTable(schema: TableSchema): string {
  return [
    '| # | column | Glue type | description |',
    '|---|---|---|---|',
    ...schema.columns.map((c, i) => `| ${i + 1} | \`${c.name}\` | \`${c.type}\` | ${cell(c.comment)} |`),
    ...schema.partitionKeys.map((c) => `| partition | \`${c.name}\` | \`${c.type}\` | ${cell(c.comment)} |`),
  ].join('\n');
}

/** The settings table as the docs show it: one row per setting, every column from lambda/core/settings/settings.ts. */
export function configurationTable(): string {
  const prop = (setting: Setting) => (setting.prop ? `\`${setting.prop}\`` : setting.managedBy ? `from ${setting.managedBy}` : '');
  return [
    '| variable | construct prop | CLI flag | allowed | default | meaning |',
    '|---|---|---|---|---|---|',
    ...(Object.values(SETTINGS) as Setting[]).map(
      (setting) =>
        `| \`${setting.variable}\` | ${prop(setting)} | ${setting.flag ? `\`${cell(setting.flag)}\`` : ''} | ${cell(allowedText(setting))} | ${cell(defaultText(setting))} | ${cell(setting.doc)} |`,
    ),
  ].join('\n');
}

/** A table's own columns, numbered after the training-job table's, which are listed above it (`columnsOf`). */
function ownColumnTable(schema: TableSchema): string {
  return columnTable({ ...schema, columns: schema.columns.slice(TRAINING_JOB_SCHEMA.columns.length) }).replace(
    /^\| (\d+) \|/gm,
    (_match, n: string) => `| ${Number(n) + TRAINING_JOB_SCHEMA.columns.length} |`,
  );
}

export function renderSections(): Record<string, string> {
  const columns = columnTable(TRAINING_JOB_SCHEMA);
  const runColumns = columnTable(INVENTORY_RUN_SCHEMA);
  const priceColumns = columnTable(INSTANCE_PRICE_SCHEMA);
  const configuration = configurationTable();
  const ledgerColumns = ownColumnTable(TRAINING_JOB_LEDGER_SCHEMA);
  const changeColumns = ownColumnTable(TRAINING_JOB_CHANGE_SCHEMA);
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
    wrapProse(
      `The shipped SQL calls only these functions (a test rejects any other): ${COMMON_SQL_FUNCTIONS.map((f) => `\`${f}\``).join(', ')}; ` +
        `\`date_format\` only with ${DATE_FORMAT_SPECIFIERS.map((s) => `\`${s}\``).join(' ')}.`,
    ),
    '',
    "Every shipped statement (views, named queries, the SQL examples in the documentation, the demo's suggestion) must parse with",
    'a Trino grammar (`node-sql-parser`) in `npm test`. Arithmetic uses no decimal literal (`3600e0`, not `3600.0`: Trino',
    'computes `3600.0` as a DECIMAL and rounds to its scale), every division has a DOUBLE operand (`7/2` is 3 in Trino,',
    '3.5 in DuckDB), and text becomes an integer only for integer API members. The grammar lets these through, so a',
    'deny-list rejects them:',
    '',
    '| construct | why not |',
    '|---|---|',
    ...DENIED_CONSTRUCTS.map((d) => `| \`${d.construct}\` | ${cell(d.why)} |`),
  ].join('\n');
  const example = ['```ts', readFileSync(EXAMPLE, 'utf8').trimEnd(), '```'].join('\n');
  const exitCodes = [
    '| exit code | meaning |',
    '|---|---|',
    ...Object.entries(EXIT_CODES).map(([code, meaning]) => `| ${code} | ${cell(meaning)} |`),
  ].join('\n');
  return {
    'exit-codes': exitCodes,
    columns,
    'run-columns': runColumns,
    'ledger-columns': ledgerColumns,
    'change-columns': changeColumns,
    priceColumns,
    configuration,
    sql,
    dialect,
    example,
    ...costAndUsageReportSections(),
  };
}

/** The CUR 2.0 columns the billed-cost views read: their table, the export's query and the Glue table's DDL, from one schema. */
function costAndUsageReportSections(): Record<string, string> {
  const schema = COST_AND_USAGE_REPORT_SCHEMA;
  const [period] = schema.partitionKeys;
  const location = 's3://BUCKET/PREFIX/EXPORT_NAME/data';
  const exportQuery = ['```text', `SELECT ${schema.columns.map((c) => c.name).join(', ')} FROM COST_AND_USAGE_REPORT`, '```'].join('\n');
  const ddl = [
    '```text',
    'CREATE EXTERNAL TABLE billing.cur2 (',
    schema.columns.map((c) => `  ${c.name} ${c.type}`).join(',\n'),
    ')',
    `PARTITIONED BY (${period.name} ${period.type})`,
    'STORED AS PARQUET',
    `LOCATION '${location}/'`,
    'TBLPROPERTIES (',
    "  'projection.enabled' = 'true',",
    `  'projection.${period.name}.type' = 'date',`,
    `  'projection.${period.name}.format' = 'yyyy-MM',`,
    `  'projection.${period.name}.range' = '2024-01,NOW',`,
    `  'projection.${period.name}.interval' = '1',`,
    `  'projection.${period.name}.interval.unit' = 'MONTHS',`,
    `  'storage.location.template' = '${location}/${period.name.toUpperCase()}=\${${period.name}}/'`,
    ')',
    '```',
  ].join('\n');
  return { curColumns: columnTable(schema), curExportQuery: exportQuery, curTable: ddl };
}

const CORPUS = join(ROOT, 'test', 'reliability', 'bad-input-corpus.json');

interface CorpusCase {
  id: string;
  kind: string;
  args?: string[];
  env?: Record<string, string>;
  event?: unknown;
  events?: unknown[];
  lines?: string[];
  describe?: { set?: Record<string, unknown>; unset?: string[] };
  summary?: { unset?: string[] };
  pages?: string;
  tagging?: string;
  answers?: { kind: string; operation: string; victimOnly?: boolean };
  describeAll?: string;
  jobs?: number;
  expect: Record<string, unknown>;
}

/** Inline code, with characters a Markdown viewer would act on (bidi overrides, controls) written as escapes. */
const code = (text: string) =>
  `\`${text
    .replace(
      // eslint-disable-next-line no-control-regex -- control characters are exactly what this escapes
      /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    )
    .replace(/`/g, "'")
    .replace(/\|/g, '\\|')}\``;

function describeInput(entry: CorpusCase): string {
  const env = Object.entries(entry.env ?? {})
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(' ');
  switch (entry.kind) {
    case 'cli':
      return code(`${env ? `${env} ` : ''}sm-inventory ${(entry.args ?? []).map((a) => (a === '' ? '""' : a)).join(' ')}`);
    case 'lambda-env':
      return `cold start with ${code(env)}`;
    case 'lambda-event':
      return `invocation ${code(JSON.stringify(entry.event))}`;
    case 'event': {
      const line = entry.lines?.[0] ?? JSON.stringify(entry.events?.[0]);
      return `${code('sm-inventory apply-events FILE')} with the line ${code(line.length > 120 ? `${line.slice(0, 117)}…` : line)}`;
    }
    default: {
      const parts: string[] = [];
      const summarise = (value: unknown) => {
        const text = JSON.stringify(value, (_k, v: unknown) =>
          v && typeof v === 'object' && '$repeat' in (v as object)
            ? `<${(v as { times: number }).times} × ${(v as { $repeat: string }).$repeat}>`
            : v,
        );
        return text.length > 90 ? `${text.slice(0, 87)}…` : text;
      };
      if (entry.describe?.set) parts.push(`Describe returns ${code(summarise(entry.describe.set))}`);
      if (entry.describe?.unset) parts.push(`Describe omits ${entry.describe.unset.map(code).join(', ')}`);
      if (entry.summary?.unset) parts.push(`a List summary omits ${entry.summary.unset.map(code).join(', ')}`);
      if (entry.pages) parts.push(`ListTrainingJobs paging: ${entry.pages.replace(/-/g, ' ')}`);
      if (entry.tagging) parts.push(`tag:GetResources ${entry.tagging}`);
      if (entry.answers)
        parts.push(
          `${entry.answers.operation} answers ${entry.answers.victimOnly ? 'for one job ' : ''}with ${entry.answers.kind.replace(/-/g, ' ')}`,
        );
      if (entry.describeAll) parts.push(`every DescribeTrainingJob answers ${entry.describeAll.replace(/-/g, ' ')}`);
      if (entry.jobs) parts.push(`${entry.jobs} jobs`);
      return parts.join('; ');
    }
  }
}

function describeOutcome(entry: CorpusCase): string {
  const e = entry.expect as {
    exit?: number;
    stderr?: string;
    stdout?: string;
    throws?: string;
    outcome?: string;
    reason?: string;
    warning?: string;
    error?: string;
    column?: string;
    value?: unknown;
    length?: number;
    unknownField?: string;
  };
  const message = (pattern: string) => code(pattern.replace(/\\([[\]().^$|?*+{}])/g, '$1'));
  if (e.exit !== undefined) return `exit ${e.exit}: ${message(e.stderr ?? e.stdout ?? '')}`;
  if (e.throws) return `refused: ${message(e.throws)}`;
  switch (e.outcome) {
    case 'set-aside':
      return `the job is set aside (snapshot published as incomplete, exit 2): ${message(e.reason ?? '')}`;
    case 'written':
      if (e.unknownField) return `written; the field is reported as ${code(e.unknownField)}`;
      if (e.length !== undefined) return `written whole (${e.length} characters in ${code(e.column!)})`;
      return e.column ? `written as ${code(JSON.stringify(e.value))} in ${code(e.column)}` : 'written (described by name)';
    case 'all-written-once':
      return 'every job written once';
    case 'warned':
      return `published, with the warning ${code(e.warning ?? '')}`;
    case 'target-failed':
      return `nothing published for the (account, region), the day before's object byte-identical, exit 2: ${message(e.error ?? '')}`;
    default:
      return '';
  }
}

export function renderReliabilitySections(): Record<string, string> {
  const { cases } = JSON.parse(readFileSync(CORPUS, 'utf8')) as { cases: CorpusCase[] };
  const corpus = [
    `${cases.length} cases (${[...new Set(cases.map((c) => c.kind))].map((kind) => `${cases.filter((c) => c.kind === kind).length} ${kind}`).join(', ')}).`,
    '',
    '| # | case | input | defined outcome |',
    '|---|---|---|---|',
    ...cases.map((c, i) => `| ${i + 1} | ${c.id} | ${describeInput(c)} | ${describeOutcome(c)} |`),
  ].join('\n');
  return { corpus };
}

/** Every generated section, by name. */
export function renderAllSections(): Record<string, string> {
  return { ...renderSections(), ...renderReliabilitySections() };
}

/** A document with generated sections: where it is, and the names of the sections it holds. */
export interface GeneratedDocument {
  readonly path: string;
  readonly sections: readonly string[];
}

/** Which document holds which generated section; each section has one home. */
export const GENERATED_DOCUMENTS: readonly GeneratedDocument[] = [
  { path: doc('tables-and-views.md'), sections: ['columns', 'run-columns', 'ledger-columns', 'change-columns', 'sql', 'dialect'] },
  { path: doc('cost.md'), sections: ['priceColumns'] },
  { path: doc('billed-cost.md'), sections: ['curColumns', 'curExportQuery', 'curTable'] },
  { path: doc('configuration.md'), sections: ['configuration'] },
  { path: doc('reliability.md'), sections: ['corpus'] },
  { path: doc('construct-library.md'), sections: ['example'] },
  { path: doc('cli.md'), sections: ['exit-codes'] },
];

/** A document's text with its generated sections rendered from their sources. */
export function renderGeneratedDocument(document: GeneratedDocument, text: string, all = renderAllSections()): string {
  const name = relative(ROOT, document.path);
  const sections = Object.fromEntries(
    document.sections.map((section) => {
      if (!(section in all)) throw new Error(`${name} lists a generated section "${section}" that nothing renders`);
      return [section, all[section]];
    }),
  );
  return renderDocument(text, sections, name);
}

export function renderDocument(text: string, sections: Record<string, string>, name: string): string {
  let out = text;
  for (const [section, body] of Object.entries(sections)) {
    const pattern = new RegExp(`(<!-- generated:${section} -->)[\\s\\S]*?(<!-- /generated:${section} -->)`);
    if (!pattern.test(out)) throw new Error(`${name} has no <!-- generated:${section} --> section`);
    out = out.replace(pattern, (_match, start: string, end: string) => `${start}\n${body}\n${end}`);
  }
  return out;
}

if (require.main === module) {
  const all = renderAllSections();
  for (const document of GENERATED_DOCUMENTS) {
    const name = relative(ROOT, document.path);
    const current = readFileSync(document.path, 'utf8');
    const rendered = renderGeneratedDocument(document, current, all);
    if (process.argv.includes('--write')) {
      writeFileSync(document.path, rendered);
      console.log(rendered === current ? `${name} is up to date` : `${name} updated`);
    } else if (rendered !== current) {
      console.error(`${name} is out of date: run npx tsx scripts/readme.ts --write`);
      process.exitCode = 1;
    }
  }
}
