import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { QueryError } from '../errors';
import { COST_AND_USAGE_REPORT_SCHEMA, TRAINING_JOB_SCHEMA } from '../schema/table-schema';

/** A view or named query shipped as a `.sql` file, written once in the Athena (Trino) dialect. */
export interface SqlDefinition {
  readonly kind: 'view' | 'query';
  readonly name: string;
  readonly description: string;
  readonly sql: string;
  readonly file: string;
}

/** Cost-allocation tag keys the flat view turns into `tag_<key>` columns unless told otherwise. */
export const DEFAULT_COST_TAG_KEYS: readonly string[] = [
  'team',
  'project',
  'cost-center',
  'sagemaker:domain-arn',
  'sagemaker:user-profile-arn',
];

const TAG_KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;
const TAG_COLUMNS_MARKER = /,\s*\/\* tag_columns \*\//;

/** `sagemaker:domain-arn` → `tag_sagemaker_domain_arn`. */
export function tagColumnName(key: string): string {
  return `tag_${key
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '')}`;
}

/** The `tag_<key>` columns a query's SQL reads, such as `tag_team`, in order of first use. */
export function tagColumnsRead(sql: string): string[] {
  return [...new Set(sql.replace(TAG_COLUMNS_MARKER, '').match(/\btag_[a-z0-9_]+\b/g) ?? [])];
}

/** Days without a run after which a target's jobs leave `sagemaker_training_job_current`, unless configured otherwise. */
export const DEFAULT_STALE_AFTER_DAYS = 7;
/** The range `staleAfterDays` may take: at least a day, at most ten years. */
export const STALE_AFTER_DAYS_RANGE = { min: 1, max: 3650 } as const;

/** The values a deployment (or the local warehouse) gives the shipped SQL. */
export interface SqlSettings {
  /**
   * Cost-allocation tag keys: one `tag_<key>` column each where a view has the `tag_columns` marker.
   * @default DEFAULT_COST_TAG_KEYS
   */
  readonly tagKeys?: readonly string[];
  /**
   * Glue name of the training-job table, for a deployment that renames it.
   * @default 'sagemaker_training_job'
   */
  readonly tableName?: string;
  /**
   * Days an (account, region) may go without a run before `current` leaves its jobs out, 1-3650.
   * @default DEFAULT_STALE_AFTER_DAYS
   */
  readonly staleAfterDays?: number;
  /**
   * The Glue database and table of the account's CUR 2.0 export, which the billed-cost views read.
   * @default - the SQL names the table `cost_and_usage_report`, as the local warehouse registers it
   */
  readonly costAndUsageReport?: GlueTableName;
}

/** A Glue table in another database than the inventory's. */
export interface GlueTableName {
  readonly database: string;
  readonly table: string;
}

/** Athena's names for databases and tables: lower-case letters, digits and underscores (unquoted in the SQL, so not starting with a digit). */
const GLUE_NAME = /^[a-z_][a-z0-9_]{0,254}$/;
/** What a Glue database or table name the shipped SQL names unquoted may be. */
export const GLUE_NAME_ALLOWED = "1-255 lower-case letters, digits and underscores, not starting with a digit (Athena's names)";

export function isGlueName(name: unknown): name is string {
  return typeof name === 'string' && GLUE_NAME.test(name);
}

/** Checks a Glue database or table name, naming the value and what is allowed. */
export function validateGlueName(name: string, where: string): string {
  if (!isGlueName(name)) throw new QueryError(`${where} is ${JSON.stringify(name)}; allowed: ${GLUE_NAME_ALLOWED}`);
  return name;
}

const CUR_TABLE = new RegExp(`\\b${COST_AND_USAGE_REPORT_SCHEMA.table}\\b`, 'g');

/**
 * The shipped views and queries that read the Cost and Usage Report, directly or through a view that
 * does: they exist only where a CUR 2.0 table is configured. Views come in dependency order, so one pass finds them all.
 */
export function costAndUsageReportReaders(catalog: {
  readonly views: readonly SqlDefinition[];
  readonly queries: readonly SqlDefinition[];
}): Set<string> {
  const readers = new Set<string>();
  const reads = (sql: string, name: string) => new RegExp(`\\b${name}\\b`).test(sql);
  for (const definition of [...catalog.views, ...catalog.queries]) {
    if (reads(definition.sql, COST_AND_USAGE_REPORT_SCHEMA.table) || [...readers].some((view) => reads(definition.sql, view)))
      readers.add(definition.name);
  }
  return readers;
}

/** The catalog without what reads the Cost and Usage Report: for a deployment or a warehouse without one. */
export function withoutCostAndUsageReport<
  T extends { readonly views: readonly SqlDefinition[]; readonly queries: readonly SqlDefinition[] },
>(catalog: T): { views: SqlDefinition[]; queries: SqlDefinition[] } {
  const readers = costAndUsageReportReaders(catalog);
  return { views: catalog.views.filter((v) => !readers.has(v.name)), queries: catalog.queries.filter((q) => !readers.has(q.name)) };
}

const STALE_AFTER_DAYS_MARKER = /\b\d+ \/\* stale_after_days \*\//g;
const JOB_COLUMNS_MARKER = /\/\* job_columns \*\//g;

/** Checks the days setting, naming the value and the range. */
export function validateStaleAfterDays(days: number, where = 'staleAfterDays'): number {
  const { min, max } = STALE_AFTER_DAYS_RANGE;
  if (!Number.isInteger(days) || days < min || days > max)
    throw new QueryError(`${where} is ${JSON.stringify(days)}; allowed: a whole number of days from ${min} to ${max}`);
  return days;
}

/**
 * Fills a shipped statement's markers: `/* tag_columns *\/` with one `element_at(tags, '<key>') AS tag_<key>`
 * column per key (validated against AWS's tag-key alphabet; two keys may not map to one column),
 * `<n> /* stale_after_days *\/` with the configured days, and `/* job_columns *\/` with the training-job
 * table's columns (partition keys aside), declared once in its schema.
 */
export function renderSql(definition: SqlDefinition, settings: SqlSettings = {}): string {
  const tableName = settings.tableName ?? TRAINING_JOB_SCHEMA.table;
  // The SQL names the table as the schema does; a deployment may give the Glue table another name.
  let sql =
    tableName === TRAINING_JOB_SCHEMA.table
      ? definition.sql
      : definition.sql.replace(new RegExp(`\\b${TRAINING_JOB_SCHEMA.table}\\b`, 'g'), tableName);
  const staleAfterDays = validateStaleAfterDays(settings.staleAfterDays ?? DEFAULT_STALE_AFTER_DAYS);
  sql = sql.replace(STALE_AFTER_DAYS_MARKER, String(staleAfterDays));
  sql = sql.replace(JOB_COLUMNS_MARKER, TRAINING_JOB_SCHEMA.columns.map((column) => column.name).join(', '));
  const cur = settings.costAndUsageReport;
  if (cur) {
    const qualified = `${validateGlueName(cur.database, 'the CUR database')}.${validateGlueName(cur.table, 'the CUR table')}`;
    sql = sql.replace(CUR_TABLE, qualified);
  }
  if (!TAG_COLUMNS_MARKER.test(sql)) return sql;
  const columns = new Map<string, string>();
  for (const key of settings.tagKeys ?? DEFAULT_COST_TAG_KEYS) {
    if (!TAG_KEY.test(key))
      throw new QueryError(`tag key ${JSON.stringify(key)} is not allowed; allowed: 1-128 letters, digits, spaces and _ . : / = + - @`);
    const column = tagColumnName(key);
    if (columns.has(column))
      throw new QueryError(
        `tag keys ${JSON.stringify(columns.get(column))} and ${JSON.stringify(key)} both become column ${column}; allowed: keys that differ after lower-casing and replacing punctuation with _`,
      );
    columns.set(column, key);
  }
  const rendered = [...columns].map(([column, key]) => `element_at(tags, '${key.replace(/'/g, "''")}') AS ${column}`).join(',\n  ');
  return sql.replace(TAG_COLUMNS_MARKER, rendered ? `,\n  ${rendered}` : '');
}

/**
 * The SQL with each shipped view it names qualified by `database`: for a place that runs it without a default
 * database, such as a QuickSight custom-SQL dataset.
 */
export function qualifyViews(sql: string, database: string, views: readonly SqlDefinition[]): string {
  return views.reduce((text, view) => text.replace(new RegExp(`(?<![.\\w])${view.name}\\b`, 'g'), `${database}.${view.name}`), sql);
}

/** The repository's (or the installed package's) glue-schema/: the nearest one above `from`, for sources and dist/ alike. */
export function findGlueSchemaDirectory(from: string = __dirname): string {
  for (let directory = resolve(from); ; directory = dirname(directory)) {
    const candidate = join(directory, 'glue-schema');
    if (existsSync(join(candidate, 'queries')) && existsSync(join(candidate, 'views'))) return candidate;
    if (dirname(directory) === directory) break;
  }
  throw new QueryError(`glue-schema/ was not found above ${from}; it ships with the package and holds the views and queries`);
}

function parseSqlFile(kind: SqlDefinition['kind'], file: string): SqlDefinition {
  const text = readFileSync(file, 'utf8');
  const header = (key: string) => new RegExp(`^--\\s*${key}:\\s*(.+)$`, 'm').exec(text)?.[1].trim();
  const name = header('name');
  if (!name || !/^[a-z][a-z0-9_]*$/.test(name))
    throw new QueryError(`${file}: needs a "-- name: <lower_snake_case>" header; found ${JSON.stringify(name)}`);
  const sql = text
    .split('\n')
    .filter((line) => !/^--/.test(line))
    .join('\n')
    .trim()
    .replace(/;\s*$/, '');
  return { kind, name, description: header('description') ?? '', sql, file };
}

/** Views in dependency order (file name order; a view may use only views sorted before it) and named queries. */
export function loadSqlCatalog(directory: string = findGlueSchemaDirectory()): { views: SqlDefinition[]; queries: SqlDefinition[] } {
  const read = (kind: SqlDefinition['kind'], folder: string) => {
    const path = join(directory, folder);
    if (!existsSync(path)) return [];
    return readdirSync(path)
      .filter((file) => file.endsWith('.sql'))
      .sort()
      .map((file) => parseSqlFile(kind, join(path, file)));
  };
  return { views: read('view', 'views'), queries: read('query', 'queries') };
}

/**
 * The SQL to run for what a user typed: a shipped view's name reads the view, a named query's name
 * runs its (rendered) SQL, anything else is taken as SQL text. Local DuckDB and Athena share this.
 */
export function resolveSql(
  nameOrSql: string,
  catalog: { readonly views: readonly SqlDefinition[]; readonly queries: readonly SqlDefinition[] } = loadSqlCatalog(),
  settings: SqlSettings = {},
): string {
  const named = [...catalog.queries, ...catalog.views].find((d) => d.name === nameOrSql);
  if (!named) return nameOrSql;
  return named.kind === 'view' ? `SELECT * FROM ${named.name}` : renderSql(named, settings);
}
