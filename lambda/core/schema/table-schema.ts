import { readFileSync } from 'node:fs';
import { SchemaError } from '../errors';
import instancePriceSchemaJson from '../../../glue-schema/sagemaker_instance_price.json';
import inventoryRunSchemaJson from '../../../glue-schema/sagemaker_inventory_run.json';
import trainingJobSchemaJson from '../../../glue-schema/sagemaker_training_job.json';
import trainingJobChangeSchemaJson from '../../../glue-schema/sagemaker_training_job_change.json';
import trainingJobLedgerSchemaJson from '../../../glue-schema/sagemaker_training_job_ledger.json';
import costAndUsageReportSchemaJson from '../../../glue-schema/cost_and_usage_report.json';

/** Glue types a table may use; each has one Arrow/Parquet encoding (see parquet/arrow-schema.ts). */
export const GLUE_TYPES = ['string', 'bigint', 'double', 'boolean', 'timestamp', 'map<string,string>'] as const;
export type GlueType = (typeof GLUE_TYPES)[number];

/** Glue rejects column comments longer than this. */
export const GLUE_COMMENT_LIMIT = 255;

export interface ColumnDefinition {
  readonly name: string;
  readonly type: GlueType;
  readonly comment: string;
}

export interface TableSchema {
  readonly database: string;
  readonly table: string;
  readonly columns: readonly ColumnDefinition[];
  readonly partitionKeys: readonly ColumnDefinition[];
}

const NAME_PATTERN = /^[a-z_][a-z0-9_]*$/;

function fail(source: string, message: string): never {
  throw new SchemaError(`${source}: ${message}`);
}

function parseColumn(raw: unknown, where: string, source: string): ColumnDefinition {
  if (typeof raw !== 'object' || raw === null)
    fail(source, `${where} must be an object with name, type and comment; received ${JSON.stringify(raw)}`);
  const { name, type, comment } = raw as Record<string, unknown>;
  if (typeof name !== 'string' || !NAME_PATTERN.test(name)) {
    fail(
      source,
      `${where} has name ${JSON.stringify(name)}; allowed: lower-case letters, digits and underscores, not starting with a digit`,
    );
  }
  if (typeof type !== 'string' || !(GLUE_TYPES as readonly string[]).includes(type)) {
    fail(source, `column ${name} has type ${JSON.stringify(type)}; allowed: ${GLUE_TYPES.join(', ')}`);
  }
  if (typeof comment !== 'string') fail(source, `column ${name} has comment ${JSON.stringify(comment)}; allowed: a string`);
  if (comment.length > GLUE_COMMENT_LIMIT) {
    fail(source, `column ${name} has a ${comment.length}-character comment; allowed: at most ${GLUE_COMMENT_LIMIT} (Glue's limit)`);
  }
  return { name, type: type as GlueType, comment };
}

/** Validates a parsed schema document; every consumer goes through here, so they all see the same checked schema. */
export function parseTableSchema(raw: unknown, source = 'table schema'): TableSchema {
  if (typeof raw !== 'object' || raw === null) fail(source, 'must be a JSON object with database, table, columns and partitionKeys');
  const doc = raw as Record<string, unknown>;
  for (const key of ['database', 'table'] as const) {
    if (typeof doc[key] !== 'string' || !NAME_PATTERN.test(doc[key] as string)) {
      fail(source, `${key} is ${JSON.stringify(doc[key])}; allowed: lower-case letters, digits and underscores`);
    }
  }
  for (const key of ['columns', 'partitionKeys'] as const) {
    if (!Array.isArray(doc[key]) || (doc[key] as unknown[]).length === 0) fail(source, `${key} must be a non-empty array`);
  }
  const columns = (doc.columns as unknown[]).map((c, i) => parseColumn(c, `columns[${i}]`, source));
  const partitionKeys = (doc.partitionKeys as unknown[]).map((c, i) => parseColumn(c, `partitionKeys[${i}]`, source));
  for (const key of partitionKeys) {
    if (key.type !== 'string') fail(source, `partition key ${key.name} has type ${key.type}; allowed: string`);
  }
  const seen = new Set<string>();
  for (const { name } of [...columns, ...partitionKeys]) {
    if (seen.has(name)) fail(source, `duplicate column name ${name}; names must be unique across columns and partition keys`);
    seen.add(name);
  }
  return { database: doc.database as string, table: doc.table as string, columns, partitionKeys };
}

export function loadTableSchema(path: string): TableSchema {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new SchemaError(`${path}: cannot be read as JSON`, { cause: error });
  }
  return parseTableSchema(raw, path);
}

/** The shipped `sagemaker_training_job` schema, validated once at module load. */
export const TRAINING_JOB_SCHEMA: TableSchema = parseTableSchema(trainingJobSchemaJson, 'glue-schema/sagemaker_training_job.json');
/** One row per published (account, region, snapshot date) run: what `current` and the freshness view read. */
export const INVENTORY_RUN_SCHEMA: TableSchema = parseTableSchema(inventoryRunSchemaJson, 'glue-schema/sagemaker_inventory_run.json');
/** On-demand training prices per (region, instance type), one object per weekly price snapshot: what the cost view joins. */
export const INSTANCE_PRICE_SCHEMA: TableSchema = parseTableSchema(instancePriceSchemaJson, 'glue-schema/sagemaker_instance_price.json');

/**
 * A schema whose document names another table in `columnsOf` has that table's columns first, then its own:
 * the columns are declared once, in the other table's file.
 */
function withColumnsOf(raw: Record<string, unknown>, tables: readonly TableSchema[], source: string): TableSchema {
  const own = parseTableSchema(raw, source);
  const base = tables.find((table) => table.table === raw.columnsOf);
  if (!base) fail(source, `columnsOf is ${JSON.stringify(raw.columnsOf)}; allowed: ${tables.map((table) => table.table).join(', ')}`);
  return parseTableSchema({ ...raw, columns: [...base.columns, ...own.columns] }, source);
}

/**
 * Events in a job's life, recorded once each: its first snapshot (`first_seen`) and its last row when it
 * leaves its target's snapshot (`deleted`). The historical views read it instead of every daily partition.
 */
export const TRAINING_JOB_LEDGER_SCHEMA: TableSchema = withColumnsOf(
  trainingJobLedgerSchemaJson,
  [TRAINING_JOB_SCHEMA],
  'glue-schema/sagemaker_training_job_ledger.json',
);

/**
 * Jobs described because EventBridge said their state changed, one object per applied batch of events,
 * between snapshots: what `sagemaker_training_job_live` lays over `current`.
 */
export const TRAINING_JOB_CHANGE_SCHEMA: TableSchema = withColumnsOf(
  trainingJobChangeSchemaJson,
  [TRAINING_JOB_SCHEMA],
  'glue-schema/sagemaker_training_job_change.json',
);

/**
 * Days a change object is kept, and the recorded dates Athena's partition projection offers: a daily
 * snapshot supersedes a change within a day, so this covers a week and more of failed runs. Older
 * changes are superseded or belong to a target that stopped running; `live` shows its last snapshot.
 */
export const CHANGE_RETENTION_DAYS = 14;

/** Every table the inventory writes, in one Glue database. */
export const TABLE_SCHEMAS: readonly TableSchema[] = [
  TRAINING_JOB_SCHEMA,
  INVENTORY_RUN_SCHEMA,
  INSTANCE_PRICE_SCHEMA,
  TRAINING_JOB_LEDGER_SCHEMA,
  TRAINING_JOB_CHANGE_SCHEMA,
];
for (const schema of TABLE_SCHEMAS) {
  if (schema.database !== TRAINING_JOB_SCHEMA.database) {
    throw new SchemaError(
      `glue-schema/${schema.table}.json: database is ${JSON.stringify(schema.database)}; allowed: ${TRAINING_JOB_SCHEMA.database}, the database every table shares`,
    );
  }
}

/**
 * The columns of an AWS Data Exports CUR 2.0 table that the billed-cost views read, with the Glue types
 * AWS gives them. The inventory does not write this table: the account's export does, and a deployment
 * names its Glue database and table (the names here are what the shipped SQL calls it). Legacy CUR has
 * another, variable schema and is not read.
 */
export const COST_AND_USAGE_REPORT_SCHEMA: TableSchema = parseTableSchema(
  costAndUsageReportSchemaJson,
  'glue-schema/cost_and_usage_report.json',
);
