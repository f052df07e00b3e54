import type { DescribeTrainingJobResponse } from '@aws-sdk/client-sagemaker';
import { InvalidRecordError } from '../errors';
import { TRAINING_JOB_ARN_PATTERN } from '../names';
import { TRAINING_JOB_SCHEMA, type ColumnDefinition, type TableSchema } from '../schema/table-schema';
import { checkReadFields } from './read-fields';
import { Redactor } from './redaction';

/** One cell: timestamps are epoch milliseconds (UTC), int64 values are bigint so nothing above 2^53 is rounded. */
export type CellValue = string | bigint | boolean | number | ReadonlyMap<string, string | null> | null;
export type TableRow = Record<string, CellValue>;

/** What the collector hands over for one job: the Describe response (its shape), the job's tags, where it lives. */
export interface TrainingJobRecord {
  readonly job: DescribeTrainingJobResponse;
  readonly tags: Readonly<Record<string, string>> | undefined;
  readonly region: string;
}

export interface MappedRow {
  readonly row: TableRow;
  /** API fields the schema has no column for: reported, never silently dropped (schema drift). */
  readonly unknownFields: readonly string[];
}

/** Columns filled by the mapper itself rather than copied from an API field of the same name. */
const DERIVED_COLUMNS = new Set(['_key', 'account_id', 'tags']);
/** Members DescribeTrainingJob always returns; a record without them cannot be a row. */
const REQUIRED_FIELDS = ['TrainingJobName', 'TrainingJobStatus', 'CreationTime'] as const;
/** SDK bookkeeping, not part of the resource. */
const IGNORED_API_FIELDS = new Set(['$metadata']);

/** `AutoMLJobArn` and `auto_ml_job_arn` both normalise to `automljobarn`: the column for a field derives from its name. */
function normalise(name: string): string {
  return name.replace(/_/g, '').toLowerCase();
}

export class TrainingJobRowMapper {
  private readonly columnByNormalisedName = new Map<string, ColumnDefinition>();
  /** API field name → its column (or null: not in the schema); fields repeat on every job, so resolve each once. */
  private readonly columnByField = new Map<string, ColumnDefinition | null>();
  /** Every column NULL, copied for each row: one shape for every row, made at once instead of member by member. */
  private readonly emptyRow: TableRow;

  constructor(
    schema: TableSchema = TRAINING_JOB_SCHEMA,
    private readonly redactor: Redactor = new Redactor(),
  ) {
    this.emptyRow = Object.fromEntries(schema.columns.map((column) => [column.name, null]));
    for (const column of schema.columns) {
      if (!DERIVED_COLUMNS.has(column.name)) this.columnByNormalisedName.set(normalise(column.name), column);
    }
  }

  map(record: TrainingJobRecord): MappedRow {
    const { job, tags, region } = record;
    const arn = job.TrainingJobArn;
    const arnMatch = typeof arn === 'string' ? TRAINING_JOB_ARN_PATTERN.exec(arn) : null;
    if (!arnMatch) {
      throw new InvalidRecordError(
        `TrainingJobArn is ${arn === undefined || arn === null ? 'missing' : 'not a training-job ARN'}; expected arn:<partition>:sagemaker:<region>:<12-digit account>:training-job/<name>`,
      );
    }
    const [, arnRegion, accountId] = arnMatch;
    if (arnRegion !== region) {
      throw new InvalidRecordError(`TrainingJobArn is in region ${arnRegion}, but the job was collected from region ${region}`);
    }
    for (const field of REQUIRED_FIELDS) {
      if (job[field] === undefined || job[field] === null)
        throw new InvalidRecordError(`${field} is missing; DescribeTrainingJob always returns it`);
    }

    const row: TableRow = { ...this.emptyRow };
    row._key = arn!;
    row.account_id = accountId;
    row.tags = toStringMap('Tags', tags ?? {}, this.redactor);

    const unknownFields: string[] = [];
    for (const field of Object.keys(job)) {
      if (IGNORED_API_FIELDS.has(field)) continue;
      const value: unknown = job[field as keyof typeof job];
      let column = this.columnByField.get(field);
      if (column === undefined) {
        column = this.columnByNormalisedName.get(normalise(field)) ?? null;
        this.columnByField.set(field, column);
      }
      if (!column) {
        unknownFields.push(field);
        continue;
      }
      row[column.name] = value === undefined || value === null ? null : toCell(column, field, value, this.redactor);
    }
    checkReadFields(job);
    return { row, unknownFields };
  }

  /** A job's tags as they may be written, for tags that join their rows later (the bulk tag scan). */
  redactTags(tags: Readonly<Record<string, string>>): Record<string, string> {
    return this.redactor.tags(tags);
  }
}

/**
 * A cell of `column` from an API value. Every free-text cell goes through the one redaction policy on
 * the way: maps by key and value, text part by part, nested API objects member by member before they
 * are written as JSON, each string tested once.
 */
function toCell(column: ColumnDefinition, field: string, value: unknown, redactor: Redactor): CellValue {
  switch (column.type) {
    case 'string':
      if (typeof value === 'string') return redactor.text(value);
      // Nested API objects land in string columns as JSON text with the API's own key names.
      if (typeof value === 'object' && value !== null) return redactor.apiJson(field, value);
      throw new InvalidRecordError(`${field} is a ${typeof value}; expected a string, an object or an array`);
    case 'bigint':
      return toInt64(field, value);
    case 'double':
      if (typeof value === 'number' && Number.isFinite(value)) return value;
      throw new InvalidRecordError(`${field} is ${describeKind(value)}; expected a finite number`);
    case 'boolean':
      if (typeof value === 'boolean') return value;
      throw new InvalidRecordError(`${field} is ${describeKind(value)}; expected true or false`);
    case 'timestamp':
      return toEpochMillis(field, value);
    case 'map<string,string>':
      return toStringMap(field, value, redactor);
  }
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * What kind of value a field held, for an error message: never the value itself, which may be a
 * secret (a hyperparameter, an environment variable) and would end up in the logs.
 */
function describeKind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Date) return 'an invalid date';
  if (typeof value === 'number')
    return Number.isInteger(value) ? 'a whole number' : Number.isFinite(value) ? 'a fraction' : 'not a finite number';
  return `a ${typeof value}`;
}

/**
 * JSON numbers above 2^53 have already lost digits by the time they are parsed, so only safe integers
 * are taken: a larger count of seconds is not real, and writing a rounded one would be a silent change.
 */
function toInt64(field: string, value: unknown): bigint {
  if (typeof value === 'bigint' && value >= INT64_MIN && value <= INT64_MAX) return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  if (typeof value === 'number' && Number.isInteger(value)) {
    throw new InvalidRecordError(
      `${field} is a whole number beyond ±2^53, which JSON cannot carry exactly; expected a whole number from -9007199254740991 to 9007199254740991`,
    );
  }
  throw new InvalidRecordError(`${field} is ${describeKind(value)}; expected a whole number`);
}

function toEpochMillis(field: string, value: unknown): number {
  const millis = value instanceof Date ? value.getTime() : Number.NaN;
  if (Number.isNaN(millis)) {
    throw new InvalidRecordError(`${field} is ${describeKind(value)}; expected a valid date (the SDK returns timestamps as Date)`);
  }
  return millis;
}

/** A map of strings; a null value is kept as a NULL entry (a key set without a value), as Glue's map<string,string> allows. */
function toStringMap(field: string, value: unknown, redactor: Redactor): ReadonlyMap<string, string | null> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidRecordError(`${field} is ${describeKind(value)}; expected an object of string values`);
  }
  const map = new Map<string, string | null>();
  for (const key of Object.keys(value)) {
    const entry: unknown = (value as Record<string, unknown>)[key];
    if (typeof entry !== 'string' && entry !== null)
      throw new InvalidRecordError(`${field}.${key} is ${describeKind(entry)}; expected a string`);
    map.set(key, redactor.mapValue(key, entry));
  }
  return map;
}
