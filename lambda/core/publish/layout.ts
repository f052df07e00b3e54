import { resolve } from 'node:path';
import { ConfigError } from '../errors';
import { ACCOUNT_ID_PATTERN, REGION_PATTERN } from '../names';

/** Where snapshots go: a local folder or an S3 bucket with an optional prefix. */
export type WarehouseRoot =
  | { readonly kind: 'local'; readonly directory: string }
  | { readonly kind: 's3'; readonly bucket: string; readonly prefix: string };

/** One (account, region) object of one snapshot. */
export interface SnapshotObjectId {
  readonly table: string;
  readonly snapshotDate: string;
  readonly region: string;
  readonly accountId: string;
}

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const SNAPSHOT_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function parseWarehouseRoot(value: string): WarehouseRoot {
  if (value.trim() === '') throw new ConfigError('output root is empty; allowed: a local folder or s3://bucket[/prefix]');
  if (value.startsWith('s3://')) {
    const [bucket, ...rest] = value.slice('s3://'.length).split('/');
    if (!BUCKET_NAME.test(bucket)) {
      throw new ConfigError(`output root ${value} has bucket name ${JSON.stringify(bucket)}; allowed: 3-63 lower-case letters, digits, dots and hyphens`);
    }
    const prefix = rest.filter((part) => part !== '').join('/');
    return { kind: 's3', bucket, prefix };
  }
  if (/^[a-z0-9]+:\/\//i.test(value)) {
    throw new ConfigError(`output root ${value} uses an unsupported scheme; allowed: a local folder or s3://bucket[/prefix]`);
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

/** `<table>/snapshot_date=YYYY-MM-DD/region=<region>/<account_id>.parquet`, relative to the root. */
export function snapshotObjectPath(id: SnapshotObjectId): string {
  validateSnapshotDate(id.snapshotDate);
  validateRegion(id.region);
  if (!ACCOUNT_ID_PATTERN.test(id.accountId)) throw new ConfigError(`account id ${JSON.stringify(id.accountId)} is not allowed; allowed: 12 digits`);
  return `${id.table}/snapshot_date=${id.snapshotDate}/region=${id.region}/${id.accountId}.parquet`;
}
