import { parseOperationRates } from '../collect/token-bucket';
import { DEFAULT_RATE_LIMITS, type ApiRateLimits } from '../collect/rate-limited-sender';
import { partition } from '@aws-sdk/core/client';
import { ConfigError } from '../errors';
import { ACCOUNT_ID_PATTERN, KMS_KEY_ARN_PATTERN, MEMBER_ROLE_NAME, ROLE_ARN_PATTERN } from '../names';
import { DEFAULT_SECRET_KEY_PATTERNS, REDACTED, type RedactionSettings } from '../rows/redaction';
import { PARQUET_COMPRESSIONS, type ParquetCompression } from '../parquet/parquet-encoder';
import { parseWarehouseRoot, validateRegion, validateSnapshotDate, type WarehouseRoot } from '../publish/layout';

export const TAG_STRATEGIES = ['auto', 'bulk', 'per-job'] as const;
/** Calls per second a rate limit may be set to. */
const MIN_RATE = 0.01;
const MAX_RATE = 10_000;
export type TagStrategyOption = (typeof TAG_STRATEGIES)[number];

/** Everything a snapshot run needs, validated before the first API call. */
export interface InventoryConfig {
  readonly regions: readonly string[];
  /** Member-account roles to assume; each account is snapshotted in every region. */
  readonly roleArns: readonly string[];
  /** Snapshot the account of the caller's own credentials too. Defaults to true when no roles are given. */
  readonly includeCallerAccount: boolean;
  readonly output: WarehouseRoot;
  readonly limits: ApiRateLimits;
  /** Describe calls in flight per (account, region). */
  readonly concurrency: number;
  /** (account, region) pairs collected at once. */
  readonly parallelTargets: number;
  readonly tagStrategy: TagStrategyOption;
  readonly compression: ParquetCompression;
  readonly rowGroupRows: number;
  /** SSE-KMS key for S3 objects; the bucket default applies when unset. */
  readonly kmsKeyArn?: string;
  /** Path-style S3 addressing (S3-compatible servers and emulators). */
  readonly s3ForcePathStyle: boolean;
  /** Attempts per call for an endpoint that cannot be reached or does not answer; throttling and 5xx retry until the budget ends. */
  readonly maxAttempts: number;
  /** Seconds a run may take before it stops and reports how far it got. */
  readonly timeBudgetSeconds: number;
  /** Seconds one HTTP attempt may wait for its answer. */
  readonly requestTimeoutSeconds: number;
  /** Days after the last full describe of an (account, region) when the next run describes every job again. */
  readonly fullEveryDays: number;
  /** Secrets in environment and hyper_parameters are replaced with a marker before anything is written or logged. */
  readonly redaction: RedactionSettings;
  /** How far a target's job count may drop from its previous snapshot before nothing is published for it. */
  readonly shrinkGuard: ShrinkGuardSettings;
  /** The earliest snapshot date Athena's partition projection covers; a backfill before it would be invisible. */
  readonly firstSnapshotDate?: string;
  /** The share of each operation's limit the collector uses; `limits` already has it applied. */
  readonly rateShare: number;
  /** Accounts of the AWS Organization to snapshot too; undefined when the organization is not asked for. */
  readonly organization?: OrganizationTargetSettings;
}

/**
 * A listing that comes back short, or describes that all answer "not found", would publish a snapshot
 * without most jobs and every report would follow it. A drop of more than `share` and more than `jobs`
 * of the previous count, or to none at all, is refused unless `allow` says the deletions are real.
 */
export interface ShrinkGuardSettings {
  /** Publish whatever the drop. @default false */
  readonly allow: boolean;
  /** Share of the previous count that may go, 0-1. @default 0.1 */
  readonly share: number;
  /** Jobs that may go whatever the share. @default 20 */
  readonly jobs: number;
}

export const DEFAULT_SHRINK_GUARD: ShrinkGuardSettings = { allow: false, share: 0.1, jobs: 20 };

/** Which organization accounts to snapshot, and the role to assume in each. */
export interface OrganizationTargetSettings {
  readonly roleName: string;
  /** Only these accounts; empty: every ACTIVE account. */
  readonly includeAccounts: readonly string[];
  readonly excludeAccounts: readonly string[];
}

/** The configuration surface, one entry per setting: the same names serve the Lambda's environment and the README. */
export const ENVIRONMENT_VARIABLES = {
  SM_INVENTORY_REGIONS: 'Comma-separated regions to snapshot. Default: AWS_REGION.',
  SM_INVENTORY_OUTPUT: 'Where snapshots go: s3://bucket[/prefix] or a local folder. Default: ./warehouse.',
  SM_INVENTORY_ROLE_ARNS: 'Comma-separated member-account role ARNs to assume. Default: none.',
  SM_INVENTORY_INCLUDE_CALLER_ACCOUNT:
    "true/false: also snapshot the account of the function's own credentials. Default: true without roles, false with roles.",
  SM_INVENTORY_LIMITS: `Calls per second per (account, region), ${MIN_RATE}-${MAX_RATE} each, e.g. DescribeTrainingJob=10,ListTags=10. Default: ${formatLimits(DEFAULT_RATE_LIMITS)}.`,
  SM_INVENTORY_CONCURRENCY: 'Describe calls in flight per account and region, 1-64. Default: 8.',
  SM_INVENTORY_PARALLEL_TARGETS: '(account, region) pairs collected at once, 1-32. Default: 4.',
  SM_INVENTORY_TAG_STRATEGY: 'auto, bulk (Tagging API GetResources) or per-job (ListTags). Default: auto.',
  SM_INVENTORY_COMPRESSION: `Parquet codec: ${PARQUET_COMPRESSIONS.join(', ')}. Default: zstd.`,
  SM_INVENTORY_ROW_GROUP_ROWS: 'Rows per Parquet row group, 100-1000000. Default: 1000.',
  SM_INVENTORY_KMS_KEY_ARN: 'KMS key ARN for SSE-KMS on the S3 objects. Default: the bucket default.',
  SM_INVENTORY_S3_FORCE_PATH_STYLE: 'true/false: path-style S3 URLs, for S3-compatible servers. Default: false.',
  SM_INVENTORY_FULL_EVERY_DAYS:
    'Days after the last full describe of an (account, region) when a run describes every job again instead of only new, changed and unsettled ones, 1-365; 1 describes everything every day. Default: 7.',
  SM_INVENTORY_REDACT: `true/false: before anything is written or logged, replace secrets in every free-text column (environment, hyper_parameters, tags, failure_reason and status messages, container entrypoint and arguments, every JSON column at any depth) with ${REDACTED}: a value whose key or flag names a secret (${DEFAULT_SECRET_KEY_PATTERNS.join(', ')}), and each part of any value that looks like a credential (AWS access keys, PEM private keys, sk-/hf_/ghp_/xox-/glpat- tokens, JWTs, URL passwords, Authorization and Bearer credentials, secret-named key=value); keys stay. Default: true.`,
  SM_INVENTORY_REDACT_KEYS:
    'Comma-separated extra key fragments that name a secret (matched ignoring case and punctuation). Default: none.',
  SM_INVENTORY_ALLOW_SHRINK:
    'true/false: publish an (account, region) even when its job count dropped past SM_INVENTORY_SHRINK_SHARE and SM_INVENTORY_SHRINK_JOBS, or to 0, since its previous snapshot (jobs really deleted); otherwise nothing is published for it and the run exits 2 naming the counts. Default: false.',
  SM_INVENTORY_SHRINK_SHARE:
    'Share of the previous job count, 0-1, an (account, region) may lose before its snapshot is refused (both this and SM_INVENTORY_SHRINK_JOBS must be passed; a drop to 0 always is). Default: 0.1.',
  SM_INVENTORY_SHRINK_JOBS:
    'Jobs, 0-1000000, an (account, region) may lose before its snapshot is refused (both this and SM_INVENTORY_SHRINK_SHARE must be passed). Default: 20.',
  SM_INVENTORY_FIRST_SNAPSHOT_DATE:
    "YYYY-MM-DD: the earliest snapshot date Athena's partition projection covers (the construct sets it from projectionStartDate); an earlier --date or snapshotDate is refused, since Athena would never see it. Default: none.",
  SM_INVENTORY_MAX_ATTEMPTS:
    'Attempts per call when the endpoint cannot be reached or does not answer in time, 1-20; throttling and 5xx answers are retried until the time budget ends. Default: 6.',
  SM_INVENTORY_REQUEST_TIMEOUT:
    'Seconds one HTTP attempt may wait for an answer before it counts as failed (an endpoint that accepts a connection and never answers), 1-300. Default: 30.',
  SM_INVENTORY_TIME_BUDGET:
    'Seconds a run may take, 1-604800: then calls in flight are cancelled and each unfinished (account, region) is reported with how far it got. Default: 3600; the Lambda uses its remaining time less 30 s when that is shorter.',

  // Scale: targets from AWS Organizations, and how much of each API limit the inventory may use.
  SM_INVENTORY_ORGANIZATION:
    'true/false: also snapshot every ACTIVE account of the AWS Organization, listed with organizations:ListAccounts (from the management account or a delegated administrator), assuming SM_INVENTORY_ORGANIZATION_ROLE_NAME in each; an account whose role cannot be assumed is reported and skipped. Default: false.',
  SM_INVENTORY_ORGANIZATION_ROLE_NAME: `Name of the role assumed in each organization account (arn:<partition>:iam::<account>:role/<name>): 1-64 letters, digits and +=,.@_-. Default: ${MEMBER_ROLE_NAME}.`,
  SM_INVENTORY_ORGANIZATION_ACCOUNTS:
    'Comma-separated 12-digit account ids: only these organization accounts (those that are ACTIVE). Default: every ACTIVE account.',
  SM_INVENTORY_ORGANIZATION_EXCLUDE_ACCOUNTS:
    "Comma-separated 12-digit account ids to leave out of the organization's accounts. Default: none.",
  SM_INVENTORY_RATE_SHARE:
    "Share of each operation's limit (SM_INVENTORY_LIMITS) the inventory uses, 0.05-1, so the account's own pipelines keep the rest; throttles caused by other clients slow the run down and never fail it. Default: 1.",
} as const;

export type EnvironmentVariable = keyof typeof ENVIRONMENT_VARIABLES;
export type ConfigInput = Partial<Record<EnvironmentVariable, string | undefined>> & { AWS_REGION?: string };

/**
 * How the collector paces itself and writes: the settings a CDK user gives as typed construct props.
 * They reach the function as environment variables, and both sides parse them with `readCollectorSettings`.
 */
export interface CollectorSettings {
  /** Calls per second per (account, region), by operation. */
  readonly rateLimits?: Partial<ApiRateLimits>;
  /** Describe calls in flight per (account, region), 1-64. */
  readonly concurrency?: number;
  /** (account, region) pairs collected at once, 1-32. */
  readonly parallelTargets?: number;
  readonly tagStrategy?: TagStrategyOption;
  readonly compression?: ParquetCompression;
  /** Rows per Parquet row group, 100-1000000. */
  readonly rowGroupRows?: number;
  /** Attempts per call when the endpoint cannot be reached or does not answer, 1-20. */
  readonly maxAttempts?: number;
  /** Days after the last full describe when a run describes every job again, 1-365. */
  readonly fullEveryDays?: number;
  /** Share of each operation's rate limit the collector uses, 0.05-1, leaving the rest to the account's own clients. */
  readonly rateShare?: number;
  /** Replace secret-looking values in environment and hyper_parameters with a marker. */
  readonly redactSecrets?: boolean;
  /** Extra key fragments that name a secret. */
  readonly redactKeyPatterns?: string[];
  /** Publish a target whose job count dropped past the shrink thresholds (real mass deletions). @default false */
  readonly allowShrink?: boolean;
  /** Share of the previous job count a target may lose before its snapshot is refused, 0-1. @default 0.1 */
  readonly shrinkShare?: number;
  /** Jobs a target may lose before its snapshot is refused, 0-1000000. @default 20 */
  readonly shrinkJobs?: number;
}

/** The environment variable that carries each collector setting. */
export const COLLECTOR_SETTING_VARIABLES = {
  rateLimits: 'SM_INVENTORY_LIMITS',
  concurrency: 'SM_INVENTORY_CONCURRENCY',
  parallelTargets: 'SM_INVENTORY_PARALLEL_TARGETS',
  tagStrategy: 'SM_INVENTORY_TAG_STRATEGY',
  compression: 'SM_INVENTORY_COMPRESSION',
  rowGroupRows: 'SM_INVENTORY_ROW_GROUP_ROWS',
  maxAttempts: 'SM_INVENTORY_MAX_ATTEMPTS',
  fullEveryDays: 'SM_INVENTORY_FULL_EVERY_DAYS',
  rateShare: 'SM_INVENTORY_RATE_SHARE',
  redactSecrets: 'SM_INVENTORY_REDACT',
  redactKeyPatterns: 'SM_INVENTORY_REDACT_KEYS',
  allowShrink: 'SM_INVENTORY_ALLOW_SHRINK',
  shrinkShare: 'SM_INVENTORY_SHRINK_SHARE',
  shrinkJobs: 'SM_INVENTORY_SHRINK_JOBS',
} as const satisfies Record<keyof CollectorSettings, EnvironmentVariable>;

/** The environment that carries `settings` to the function; unset settings are left out (the default applies). */
export function collectorEnvironment(settings: CollectorSettings): Partial<Record<EnvironmentVariable, string>> {
  const environment: Partial<Record<EnvironmentVariable, string>> = {};
  for (const [setting, variable] of Object.entries(COLLECTOR_SETTING_VARIABLES) as [keyof CollectorSettings, EnvironmentVariable][]) {
    const value = settings[setting];
    if (value === undefined) continue;
    environment[variable] = Array.isArray(value) ? value.join(',') : typeof value === 'object' ? formatLimits(value) : String(value);
  }
  return environment;
}

function formatLimits(limits: Partial<ApiRateLimits>): string {
  return Object.entries(limits)
    .map(([operation, rate]) => `${operation}=${rate}`)
    .join(',');
}

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function integer(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined || value.trim() === '') return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
    throw new ConfigError(`${name} is ${JSON.stringify(value)}; allowed: a whole number from ${min} to ${max}`);
  }
  return parsed;
}

function boolean(name: string, value: string | undefined, fallback: boolean): boolean {
  if (value === undefined || value.trim() === '') return fallback;
  if (/^(true|1|yes)$/i.test(value)) return true;
  if (/^(false|0|no)$/i.test(value)) return false;
  throw new ConfigError(`${name} is ${JSON.stringify(value)}; allowed: true or false`);
}

function fraction(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined || value.trim() === '') return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < min || parsed > max) {
    throw new ConfigError(`${name} is ${JSON.stringify(value)}; allowed: a number from ${min} to ${max}`);
  }
  return parsed;
}

function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined || value.trim() === '') return fallback;
  if (!(allowed as readonly string[]).includes(value))
    throw new ConfigError(`${name} is ${JSON.stringify(value)}; allowed: ${allowed.join(', ')}`);
  return value as T;
}

function parseLimits(name: string, value: string | undefined): ApiRateLimits {
  const operations = Object.keys(DEFAULT_RATE_LIMITS);
  const reject = (part: string) =>
    new ConfigError(
      `${name} has ${JSON.stringify(part)}; allowed: <operation>=<calls per second from ${MIN_RATE} to ${MAX_RATE}> with operation one of ${operations.join(', ')}`,
    );
  const given = parseOperationRates(value ?? '', operations, reject);
  for (const [operation, rate] of Object.entries(given)) {
    // Slower than one call in 100 s would stall a run for good; faster than 10,000/s is no real limit.
    if (rate < MIN_RATE || rate > MAX_RATE) throw reject(`${operation}=${rate}`);
  }
  return { ...DEFAULT_RATE_LIMITS, ...given };
}

function wrap<T>(name: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof ConfigError) throw new ConfigError(`${name}: ${error.message}`);
    throw error;
  }
}

/** Reads and checks every setting; the first bad value is a ConfigError naming the variable, the value and what is allowed. */
export function readConfig(input: ConfigInput): InventoryConfig {
  const regions = list(input.SM_INVENTORY_REGIONS ?? input.AWS_REGION);
  if (regions.length === 0)
    throw new ConfigError(
      'SM_INVENTORY_REGIONS is empty and AWS_REGION is not set; allowed: one or more AWS Region codes such as us-east-1',
    );
  for (const region of regions) wrap('SM_INVENTORY_REGIONS', () => validateKnownRegion(region));
  if (new Set(regions).size !== regions.length)
    throw new ConfigError(`SM_INVENTORY_REGIONS lists a region twice: ${regions.join(',')}; allowed: each region once`);

  const roleArns = list(input.SM_INVENTORY_ROLE_ARNS);
  for (const arn of roleArns) {
    if (!ROLE_ARN_PATTERN.test(arn))
      throw new ConfigError(
        `SM_INVENTORY_ROLE_ARNS has ${JSON.stringify(arn)}; allowed: IAM role ARNs such as arn:aws:iam::123456789012:role/name`,
      );
  }
  const includeCallerAccount = boolean(
    'SM_INVENTORY_INCLUDE_CALLER_ACCOUNT',
    input.SM_INVENTORY_INCLUDE_CALLER_ACCOUNT,
    roleArns.length === 0,
  );
  const organization = readOrganizationSettings(input);
  if (!includeCallerAccount && roleArns.length === 0 && !organization) {
    throw new ConfigError(
      'SM_INVENTORY_INCLUDE_CALLER_ACCOUNT is false and SM_INVENTORY_ROLE_ARNS is empty: there is no account to snapshot; allowed: set one of them, or SM_INVENTORY_ORGANIZATION=true',
    );
  }

  const kmsKeyArn = input.SM_INVENTORY_KMS_KEY_ARN?.trim() || undefined;
  if (kmsKeyArn && !KMS_KEY_ARN_PATTERN.test(kmsKeyArn)) {
    throw new ConfigError(`SM_INVENTORY_KMS_KEY_ARN is ${JSON.stringify(kmsKeyArn)}; allowed: a KMS key or alias ARN`);
  }

  return {
    regions,
    roleArns,
    includeCallerAccount,
    organization,
    output: wrap('SM_INVENTORY_OUTPUT', () => parseWarehouseRoot(input.SM_INVENTORY_OUTPUT ?? './warehouse')),
    ...readCollectorSettings(input),
    kmsKeyArn,
    s3ForcePathStyle: boolean('SM_INVENTORY_S3_FORCE_PATH_STYLE', input.SM_INVENTORY_S3_FORCE_PATH_STYLE, false),
    timeBudgetSeconds: integer('SM_INVENTORY_TIME_BUDGET', input.SM_INVENTORY_TIME_BUDGET, 3600, 1, 604_800),
    requestTimeoutSeconds: integer('SM_INVENTORY_REQUEST_TIMEOUT', input.SM_INVENTORY_REQUEST_TIMEOUT, 30, 1, 300),
    firstSnapshotDate: input.SM_INVENTORY_FIRST_SNAPSHOT_DATE?.trim()
      ? wrap('SM_INVENTORY_FIRST_SNAPSHOT_DATE', () => validateSnapshotDate(input.SM_INVENTORY_FIRST_SNAPSHOT_DATE!.trim()))
      : undefined,
  };
}

/** The collector settings of a configuration, checked; the construct validates its props with this at synth time. */
export function readCollectorSettings(
  input: ConfigInput,
): Pick<
  InventoryConfig,
  | 'limits'
  | 'concurrency'
  | 'parallelTargets'
  | 'tagStrategy'
  | 'compression'
  | 'rowGroupRows'
  | 'maxAttempts'
  | 'fullEveryDays'
  | 'redaction'
  | 'rateShare'
  | 'shrinkGuard'
> {
  const rateShare = fraction('SM_INVENTORY_RATE_SHARE', input.SM_INVENTORY_RATE_SHARE, 1, 0.05, 1);
  return {
    limits: shareOf(parseLimits('SM_INVENTORY_LIMITS', input.SM_INVENTORY_LIMITS), rateShare),
    rateShare,
    concurrency: integer('SM_INVENTORY_CONCURRENCY', input.SM_INVENTORY_CONCURRENCY, 8, 1, 64),
    parallelTargets: integer('SM_INVENTORY_PARALLEL_TARGETS', input.SM_INVENTORY_PARALLEL_TARGETS, 4, 1, 32),
    tagStrategy: oneOf('SM_INVENTORY_TAG_STRATEGY', input.SM_INVENTORY_TAG_STRATEGY, TAG_STRATEGIES, 'auto'),
    compression: oneOf('SM_INVENTORY_COMPRESSION', input.SM_INVENTORY_COMPRESSION, PARQUET_COMPRESSIONS, 'zstd'),
    rowGroupRows: integer('SM_INVENTORY_ROW_GROUP_ROWS', input.SM_INVENTORY_ROW_GROUP_ROWS, 1000, 100, 1_000_000),
    maxAttempts: integer('SM_INVENTORY_MAX_ATTEMPTS', input.SM_INVENTORY_MAX_ATTEMPTS, 6, 1, 20),
    fullEveryDays: integer('SM_INVENTORY_FULL_EVERY_DAYS', input.SM_INVENTORY_FULL_EVERY_DAYS, 7, 1, 365),
    redaction: {
      enabled: boolean('SM_INVENTORY_REDACT', input.SM_INVENTORY_REDACT, true),
      extraKeyPatterns: keyPatterns('SM_INVENTORY_REDACT_KEYS', input.SM_INVENTORY_REDACT_KEYS),
    },
    shrinkGuard: {
      allow: boolean('SM_INVENTORY_ALLOW_SHRINK', input.SM_INVENTORY_ALLOW_SHRINK, DEFAULT_SHRINK_GUARD.allow),
      share: fraction('SM_INVENTORY_SHRINK_SHARE', input.SM_INVENTORY_SHRINK_SHARE, DEFAULT_SHRINK_GUARD.share, 0, 1),
      jobs: integer('SM_INVENTORY_SHRINK_JOBS', input.SM_INVENTORY_SHRINK_JOBS, DEFAULT_SHRINK_GUARD.jobs, 0, 1_000_000),
    },
  };
}

/** The limits a collector keeps to when it may use only `share` of each. */
function shareOf(limits: ApiRateLimits, share: number): ApiRateLimits {
  return Object.fromEntries(Object.entries(limits).map(([operation, rate]) => [operation, rate * share])) as unknown as ApiRateLimits;
}

/** IAM role names: 1-64 of letters, digits and +=,.@_- (no path). */
export const ROLE_NAME_PATTERN = /^[\w+=,.@-]{1,64}$/;

export function validateRoleName(name: string, setting: string): string {
  if (!ROLE_NAME_PATTERN.test(name)) {
    throw new ConfigError(
      `${setting} is ${JSON.stringify(name)}; allowed: an IAM role name of 1-64 letters, digits and +=,.@_- (no path, no ARN), such as ${MEMBER_ROLE_NAME}`,
    );
  }
  return name;
}

function accountIds(name: string, value: string | undefined): string[] {
  const ids = list(value);
  for (const id of ids) {
    if (!ACCOUNT_ID_PATTERN.test(id))
      throw new ConfigError(`${name} has ${JSON.stringify(id)}; allowed: 12-digit AWS account ids, comma-separated`);
  }
  return ids;
}

/** The organization settings, or undefined when SM_INVENTORY_ORGANIZATION is off (the other organization settings must then be unset). */
function readOrganizationSettings(input: ConfigInput): OrganizationTargetSettings | undefined {
  const enabled = boolean('SM_INVENTORY_ORGANIZATION', input.SM_INVENTORY_ORGANIZATION, false);
  const roleName = input.SM_INVENTORY_ORGANIZATION_ROLE_NAME?.trim() || undefined;
  const includeAccounts = accountIds('SM_INVENTORY_ORGANIZATION_ACCOUNTS', input.SM_INVENTORY_ORGANIZATION_ACCOUNTS);
  const excludeAccounts = accountIds('SM_INVENTORY_ORGANIZATION_EXCLUDE_ACCOUNTS', input.SM_INVENTORY_ORGANIZATION_EXCLUDE_ACCOUNTS);
  if (!enabled) {
    const stray = (
      [
        ['SM_INVENTORY_ORGANIZATION_ROLE_NAME', roleName],
        ['SM_INVENTORY_ORGANIZATION_ACCOUNTS', includeAccounts.length ? includeAccounts : undefined],
        ['SM_INVENTORY_ORGANIZATION_EXCLUDE_ACCOUNTS', excludeAccounts.length ? excludeAccounts : undefined],
      ] as const
    ).find(([, value]) => value !== undefined);
    if (stray)
      throw new ConfigError(
        `${stray[0]} is set but SM_INVENTORY_ORGANIZATION is not true; allowed: set SM_INVENTORY_ORGANIZATION=true, or leave ${stray[0]} unset`,
      );
    return undefined;
  }
  const both = includeAccounts.filter((id) => excludeAccounts.includes(id));
  if (both.length > 0) {
    throw new ConfigError(
      `SM_INVENTORY_ORGANIZATION_ACCOUNTS and SM_INVENTORY_ORGANIZATION_EXCLUDE_ACCOUNTS both list ${both.join(',')}; allowed: each account in at most one of them`,
    );
  }
  return {
    roleName: validateRoleName(roleName ?? MEMBER_ROLE_NAME, 'SM_INVENTORY_ORGANIZATION_ROLE_NAME'),
    includeAccounts,
    excludeAccounts,
  };
}

function keyPatterns(name: string, value: string | undefined): string[] {
  const patterns = list(value);
  for (const pattern of patterns) {
    if (!/^[A-Za-z0-9_.:-]{2,64}$/.test(pattern))
      throw new ConfigError(`${name} has ${JSON.stringify(pattern)}; allowed: key fragments of 2-64 letters, digits, _ . : -`);
  }
  return patterns;
}

/**
 * A backfill or re-run date given by an event or flag; absent means today (UTC). An empty one is an
 * error, not today: a script that meant to pass a date and passed nothing should hear about it.
 */
export function readSnapshotDate(value: unknown, today: string, firstSnapshotDate?: string): string {
  if (value === undefined || value === null) return today;
  if (typeof value !== 'string') throw new ConfigError(`snapshotDate is ${describeValue(value)}; allowed: a calendar date as YYYY-MM-DD`);
  if (value.trim() === '')
    throw new ConfigError('snapshot date is empty; allowed: a calendar date as YYYY-MM-DD, or no date at all for today (UTC)');
  const date = validateSnapshotDate(value);
  if (date > today) throw new ConfigError(`snapshot date ${date} is in the future; allowed: today (${today}, UTC) or an earlier date`);
  if (firstSnapshotDate && date < firstSnapshotDate) {
    throw new ConfigError(
      `snapshot date ${date} is before ${firstSnapshotDate}, the first date Athena's partition projection covers, so Athena would never see it; allowed: ${firstSnapshotDate} or later (or lower projectionStartDate)`,
    );
  }
  return date;
}

function describeValue(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** A region code the SDK knows; an unknown one would only show up as an empty snapshot or a DNS failure. */
export function validateKnownRegion(region: string): string {
  validateRegion(region);
  if ((partition(region) as { description?: string }).description === undefined) {
    throw new ConfigError(
      `region ${JSON.stringify(region)} is not an AWS Region this SDK knows; allowed: a Region code such as us-east-1 (a Region launched after this SDK release needs an update of @aws-sdk/*)`,
    );
  }
  return region;
}
