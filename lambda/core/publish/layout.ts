import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { ConfigError } from '../errors';
import { ACCOUNT_ID_PATTERN, REGION_PATTERN } from '../names';
import type { TableSchema } from '../schema/table-schema';

/** Where snapshots go: a local folder or an S3 bucket with an optional prefix. */
export type WarehouseRoot =
  { readonly kind: 'local'; readonly directory: string } | { readonly kind: 's3'; readonly bucket: string; readonly prefix: string };

/**
 * One object of a table: its partition values (one per partition key of the table's schema, in the
 * schema's order) and its file name. For `sagemaker_training_job` that is one (account, region) of one
 * snapshot date: `{ snapshot_date, region }` and the account id.
 */
export interface SnapshotObjectId {
  readonly table: Pick<TableSchema, 'table' | 'partitionKeys'>;
  readonly partitions: Readonly<Record<string, string>>;
  /** File name without `.parquet`. */
  readonly name: string;
}

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const SNAPSHOT_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function parseWarehouseRoot(value: string): WarehouseRoot {
  if (value.trim() === '') throw new ConfigError('output root is empty; allowed: a local folder or s3://bucket[/prefix]');
  if (value.startsWith('s3://')) {
    const [bucket, ...rest] = value.slice('s3://'.length).split('/');
    if (!BUCKET_NAME.test(bucket)) {
      throw new ConfigError(
        `output root ${value} has bucket name ${JSON.stringify(bucket)}; allowed: 3-63 lower-case letters, digits, dots and hyphens`,
      );
    }
    const prefix = rest.filter((part) => part !== '').join('/');
    return { kind: 's3', bucket, prefix };
  }
  // A scheme of two or more letters (a drive letter is one) that is not s3://: a typo such as s3:/bucket
  // or S3://bucket would otherwise become a local folder named "s3:".
  if (/^[a-z][a-z0-9+.-]+:/i.test(value)) {
    throw new ConfigError(
      `output root ${value} is not a folder and not s3://bucket[/prefix]; allowed: a local folder or s3://bucket[/prefix] (lower-case s3, two slashes)`,
    );
  }
  return { kind: 'local', directory: resolve(value) };
}

export function formatWarehouseRoot(root: WarehouseRoot): string {
  return root.kind === 'local' ? root.directory : `s3://${root.bucket}${root.prefix ? `/${root.prefix}` : ''}`;
}

/** Checks a YYYY-MM-DD string is a real calendar date (2024-02-30 is not). */
export function validateSnapshotDate(value: string): string {
  const match = SNAPSHOT_DATE.exec(value);
  const date = match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : undefined;
  if (!date || date.toISOString().slice(0, 10) !== value) {
    throw new ConfigError(`snapshot date ${JSON.stringify(value)} is not allowed; allowed: a calendar date as YYYY-MM-DD`);
  }
  return value;
}

export function validateRegion(value: string): string {
  if (!REGION_PATTERN.test(value)) {
    throw new ConfigError(`region ${JSON.stringify(value)} is not allowed; allowed: an AWS Region code such as us-east-1`);
  }
  return value;
}

export function utcDate(at: Date): string {
  return at.toISOString().slice(0, 10);
}

const PARTITION_VALUE = /^[A-Za-z0-9._-]{1,128}$/;
const OBJECT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Checks one partition value: dates and regions by their own rules, anything else as a safe path segment. */
function validatePartitionValue(key: string, value: string | undefined): string {
  if (value === undefined) throw new ConfigError(`partition ${key} has no value; every partition key of the table needs one`);
  if (key === 'snapshot_date') return validateSnapshotDate(value);
  if (key === 'region') return validateRegion(value);
  if (!PARTITION_VALUE.test(value))
    throw new ConfigError(`partition ${key}=${JSON.stringify(value)} is not allowed; allowed: 1-128 letters, digits, . _ -`);
  return value;
}

/** `<table>/<key>=<value>/…/<name>.parquet`, relative to the root, in the Hive layout Glue's projection and DuckDB read. */
export function snapshotObjectPath(id: SnapshotObjectId): string {
  const extra = Object.keys(id.partitions).filter((key) => !id.table.partitionKeys.some((k) => k.name === key));
  if (extra.length > 0)
    throw new ConfigError(
      `${id.table.table} has no partition key ${extra.join(', ')}; allowed: ${id.table.partitionKeys.map((k) => k.name).join(', ')}`,
    );
  const folders = id.table.partitionKeys.map((key) => `${key.name}=${validatePartitionValue(key.name, id.partitions[key.name])}`);
  if (!OBJECT_NAME.test(id.name))
    throw new ConfigError(
      `object name ${JSON.stringify(id.name)} is not allowed; allowed: 1-128 letters, digits, . _ - not starting with . _ -`,
    );
  return [id.table.table, ...folders, `${id.name}.parquet`].join('/');
}

/**
 * The object of one (account, region) in a table partitioned by snapshot date and region: `<account>.parquet`
 * (the run record's own name, replaced in place) or, with a generation, `<account>.<generation>.parquet` (a
 * table object, written beside the committed one under a name no earlier run used).
 */
export function accountRegionObject(
  table: Pick<TableSchema, 'table' | 'partitionKeys'>,
  snapshotDate: string,
  region: string,
  accountId: string,
  generation?: string,
): SnapshotObjectId {
  if (!ACCOUNT_ID_PATTERN.test(accountId))
    throw new ConfigError(`account id ${JSON.stringify(accountId)} is not allowed; allowed: 12 digits`);
  return { table, partitions: { snapshot_date: snapshotDate, region }, name: generation ? `${accountId}.${generation}` : accountId };
}

/** What `newGeneration` makes. */
export const GENERATION_PATTERN = /\d{8}T\d{6}Z-[0-9a-f]{8}/;

/** A generation no earlier run used: the UTC time to the second and 8 random hex digits (`20261102T031500Z-1a2b3c4d`). */
export function newGeneration(at: Date = new Date()): string {
  const time = at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  return `${time}-${randomBytes(4).toString('hex')}`;
}
