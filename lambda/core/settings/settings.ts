/**
 * Every setting of the inventory, declared once. The Lambda's environment parser, the CLI's options and
 * help, the construct's prop validation and the configuration reference in the docs are all derived from
 * this table, and test/settings/settings-agreement.test.ts fails when one of them says otherwise.
 *
 * This module is data: it imports only names and patterns, so the CDK app can read it without loading
 * the runtime (Arrow, Parquet, the SDK). Adding a setting is one row here.
 */
import {
  ACCOUNT_ID_PATTERN,
  KMS_KEY_ARN_PATTERN,
  MEMBER_ROLE_NAME,
  REGION_PATTERN,
  ROLE_ARN_PATTERN,
  SOURCE_OPERATIONS,
  SQS_QUEUE_URL_PATTERN,
} from '../names';
import type { SourceOperation } from '../names';
import { DEFAULT_SECRET_KEY_PATTERNS, REDACTED } from '../rows/redaction';

/** What every setting declares, whatever its kind. */
interface SettingBase {
  /** The environment variable the function and the CLI read. */
  readonly variable: `SM_INVENTORY_${string}`;
  /** What it does, in one line; the docs, the CLI help and the construct's JSDoc show it. */
  readonly doc: string;
  /**
   * The construct prop whose value this setting is, as a path (`collector.concurrency`). A setting the
   * construct derives from another prop names that prop in `managedBy` instead.
   */
  readonly prop?: string;
  /** The prop the construct derives this setting from (the variable is then the construct's to set). */
  readonly managedBy?: string;
  /** The construct prop's default, when it differs from the function's (`@default` of the prop). */
  readonly propDefault?: string;
  /** The CLI flag of `sm-inventory snapshot`, with its argument (`--concurrency <n>`). */
  readonly flag?: string;
  /** Said instead of the default value when the default depends on other settings. */
  readonly defaultNote?: string;
}

export interface IntegerSetting extends SettingBase {
  readonly kind: 'integer';
  readonly min: number;
  readonly max: number;
  readonly default: number;
}

export interface NumberSetting extends SettingBase {
  readonly kind: 'number';
  readonly min: number;
  readonly max: number;
  readonly default: number;
}

export interface BooleanSetting extends SettingBase {
  readonly kind: 'boolean';
  readonly default: boolean;
  /** The CLI has `--no-<flag>` too (the default depends on other settings). */
  readonly negatable?: boolean;
}

export interface ChoiceSetting<T extends string = string> extends SettingBase {
  readonly kind: 'choice';
  readonly choices: readonly T[];
  readonly default: T;
}

/** A comma-separated list in the environment; an array as a prop. */
export interface ListSetting extends SettingBase {
  readonly kind: 'list';
  readonly item: RegExp;
  /** What an item may be, plural (`12-digit AWS account ids`). */
  readonly allowed: string;
  readonly default: readonly string[];
}

/** One string matching a pattern; undefined when unset and there is no default. */
export interface TextSetting extends SettingBase {
  readonly kind: 'text';
  readonly pattern: RegExp;
  readonly allowed: string;
  readonly default?: string;
}

/** Calls per second by operation: `op=rate,op=rate` in the environment, a record as a prop. */
export interface RatesSetting extends SettingBase {
  readonly kind: 'rates';
  readonly operations: readonly string[];
  readonly min: number;
  readonly max: number;
  readonly default: Readonly<Record<string, number>>;
}

export type Setting = IntegerSetting | NumberSetting | BooleanSetting | ChoiceSetting | ListSetting | TextSetting | RatesSetting;

/** The value a setting of kind `S` holds once read. */
export type SettingValue<S extends Setting> = S extends IntegerSetting | NumberSetting
  ? number
  : S extends BooleanSetting
    ? boolean
    : S extends ChoiceSetting<infer T>
      ? T
      : S extends ListSetting
        ? string[]
        : S extends RatesSetting
          ? Record<string, number>
          : string | undefined;

export const TAG_STRATEGIES = ['auto', 'bulk', 'per-job'] as const;
export type TagStrategyOption = (typeof TAG_STRATEGIES)[number];
export const PARQUET_COMPRESSIONS = ['zstd', 'snappy', 'gzip', 'uncompressed'] as const;
export type ParquetCompression = (typeof PARQUET_COMPRESSIONS)[number];

/** Calls per second each source operation is paced at, per (account, region). */
export type ApiRateLimits = Readonly<Record<SourceOperation, number>>;
export const DEFAULT_RATE_LIMITS: ApiRateLimits = { ListTrainingJobs: 2, DescribeTrainingJob: 10, ListTags: 10, GetResources: 5 };

/** IAM role names: 1-64 of letters, digits and +=,.@_- (no path). */
export const ROLE_NAME_PATTERN = /^[\w+=,.@-]{1,64}$/;
const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/** The settings, one row each. */
export const SETTINGS = {
  regions: {
    variable: 'SM_INVENTORY_REGIONS',
    kind: 'list',
    item: REGION_PATTERN,
    allowed: 'AWS Region codes such as us-east-1, each once',
    default: [],
    defaultNote: 'AWS_REGION',
    prop: 'regions',
    propDefault: "the stack's region",
    flag: '--regions <list>',
    doc: 'Regions to snapshot, in every account.',
  },
  output: {
    variable: 'SM_INVENTORY_OUTPUT',
    kind: 'text',
    pattern: /\S/,
    allowed: 's3://bucket[/prefix] or a local folder',
    default: './warehouse',
    managedBy: 'bucket and prefix',
    flag: '--out <dir|s3://bucket/prefix>',
    doc: 'Where snapshots go (the warehouse root).',
  },
  roleArns: {
    variable: 'SM_INVENTORY_ROLE_ARNS',
    kind: 'list',
    item: ROLE_ARN_PATTERN,
    allowed: `IAM role ARNs such as arn:aws:iam::123456789012:role/${MEMBER_ROLE_NAME}`,
    default: [],
    prop: 'memberAccountRoleArns',
    flag: '--role-arn <arn...>',
    doc: 'Roles in member accounts to assume (deployed from the member-account template).',
  },
  includeCallerAccount: {
    variable: 'SM_INVENTORY_INCLUDE_CALLER_ACCOUNT',
    kind: 'boolean',
    default: true,
    negatable: true,
    defaultNote: 'true without member roles, false with them',
    prop: 'includeOwnAccount',
    propDefault: 'true',
    flag: '--include-caller-account',
    doc: "Also snapshot the account of the caller's own credentials.",
  },
  limits: {
    variable: 'SM_INVENTORY_LIMITS',
    kind: 'rates',
    operations: SOURCE_OPERATIONS,
    min: 0.01,
    max: 10_000,
    default: DEFAULT_RATE_LIMITS,
    prop: 'collector.rateLimits',
    flag: '--limits <op=rate[,op=rate]>',
    doc: 'Calls per second per (account, region), by operation; an operation left out keeps its default.',
  },
  concurrency: {
    variable: 'SM_INVENTORY_CONCURRENCY',
    kind: 'integer',
    min: 1,
    max: 64,
    default: 8,
    prop: 'collector.concurrency',
    flag: '--concurrency <n>',
    doc: 'Describe calls in flight per (account, region).',
  },
  parallelTargets: {
    variable: 'SM_INVENTORY_PARALLEL_TARGETS',
    kind: 'integer',
    min: 1,
    max: 32,
    default: 4,
    prop: 'collector.parallelTargets',
    doc: '(account, region) pairs collected at once.',
  },
  tagStrategy: {
    variable: 'SM_INVENTORY_TAG_STRATEGY',
    kind: 'choice',
    choices: TAG_STRATEGIES,
    default: 'auto',
    prop: 'collector.tagStrategy',
    flag: '--tag-strategy <strategy>',
    doc: 'How tags are read: in bulk (Tagging API GetResources), per job (ListTags), or auto (bulk where it pays).',
  },
  compression: {
    variable: 'SM_INVENTORY_COMPRESSION',
    kind: 'choice',
    choices: PARQUET_COMPRESSIONS,
    default: 'zstd',
    prop: 'collector.compression',
    flag: '--compression <codec>',
    doc: 'Parquet codec of the snapshot files.',
  },
  rowGroupRows: {
    variable: 'SM_INVENTORY_ROW_GROUP_ROWS',
    kind: 'integer',
    min: 100,
    max: 1_000_000,
    default: 1000,
    prop: 'collector.rowGroupRows',
    doc: 'Rows per Parquet row group.',
  },
  kmsKeyArn: {
    variable: 'SM_INVENTORY_KMS_KEY_ARN',
    kind: 'text',
    pattern: KMS_KEY_ARN_PATTERN,
    allowed: 'a KMS key or alias ARN',
    defaultNote: 'the bucket default',
    managedBy: 'encryptionKey',
    doc: 'KMS key for SSE-KMS on the S3 objects.',
  },
  s3ForcePathStyle: {
    variable: 'SM_INVENTORY_S3_FORCE_PATH_STYLE',
    kind: 'boolean',
    default: false,
    flag: '--s3-force-path-style',
    doc: 'Path-style S3 URLs, for S3-compatible servers and emulators.',
  },
  fullEveryDays: {
    variable: 'SM_INVENTORY_FULL_EVERY_DAYS',
    kind: 'integer',
    min: 1,
    max: 365,
    default: 7,
    prop: 'collector.fullEveryDays',
    doc: 'Days after the last full describe of an (account, region) when a run describes every job again instead of only new, changed and unsettled ones; 1 describes everything every day.',
  },
  redact: {
    variable: 'SM_INVENTORY_REDACT',
    kind: 'boolean',
    default: true,
    prop: 'collector.redactSecrets',
    doc: `Before anything is written or logged, replace secrets in every free-text column (environment, hyper_parameters, tags, failure_reason and status messages, container entrypoint and arguments, every JSON column at any depth) with ${REDACTED}: a value whose key or flag names a secret (${DEFAULT_SECRET_KEY_PATTERNS.join(', ')}), and each part of any value that looks like a credential (AWS access keys, PEM private keys, sk-/hf_/ghp_/xox-/glpat- tokens, JWTs, URL passwords, Authorization and Bearer credentials, secret-named key=value); keys stay.`,
  },
  redactKeys: {
    variable: 'SM_INVENTORY_REDACT_KEYS',
    kind: 'list',
    item: /^[A-Za-z0-9_.:-]{2,64}$/,
    allowed: 'key fragments of 2-64 letters, digits, _ . : -',
    default: [],
    prop: 'collector.redactKeyPatterns',
    doc: 'Extra key fragments that name a secret (matched ignoring case and punctuation).',
  },
  allowShrink: {
    variable: 'SM_INVENTORY_ALLOW_SHRINK',
    kind: 'boolean',
    default: false,
    prop: 'collector.allowShrink',
    flag: '--allow-shrink',
    doc: 'Publish an (account, region) even when its job count dropped past SM_INVENTORY_SHRINK_SHARE and SM_INVENTORY_SHRINK_JOBS, or to 0, since its previous snapshot (jobs really deleted); otherwise nothing is published for it and the run exits 2 naming the counts.',
  },
  shrinkShare: {
    variable: 'SM_INVENTORY_SHRINK_SHARE',
    kind: 'number',
    min: 0,
    max: 1,
    default: 0.1,
    prop: 'collector.shrinkShare',
    doc: 'Share of the previous job count an (account, region) may lose before its snapshot is refused (both this and SM_INVENTORY_SHRINK_JOBS must be passed; a drop to 0 always is).',
  },
  shrinkJobs: {
    variable: 'SM_INVENTORY_SHRINK_JOBS',
    kind: 'integer',
    min: 0,
    max: 1_000_000,
    default: 20,
    prop: 'collector.shrinkJobs',
    doc: 'Jobs an (account, region) may lose before its snapshot is refused (both this and SM_INVENTORY_SHRINK_SHARE must be passed).',
  },
  firstSnapshotDate: {
    variable: 'SM_INVENTORY_FIRST_SNAPSHOT_DATE',
    kind: 'text',
    pattern: DATE_PATTERN,
    allowed: 'a calendar date as YYYY-MM-DD',
    managedBy: 'projectionStartDate',
    doc: "The earliest snapshot date Athena's partition projection covers; an earlier --date or snapshotDate is refused, since Athena would never see it.",
  },
  maxAttempts: {
    variable: 'SM_INVENTORY_MAX_ATTEMPTS',
    kind: 'integer',
    min: 1,
    max: 20,
    default: 6,
    prop: 'collector.maxAttempts',
    doc: 'Attempts per call when the endpoint cannot be reached or does not answer in time; throttling and 5xx answers are retried until the time budget ends.',
  },
  requestTimeout: {
    variable: 'SM_INVENTORY_REQUEST_TIMEOUT',
    kind: 'integer',
    min: 1,
    max: 300,
    default: 10,
    prop: 'collector.requestTimeout',
    flag: '--request-timeout <seconds>',
    doc: 'Seconds one HTTP attempt may take in all, from the request to the last byte of the answer, before it counts as failed and is reported (S3: seconds without a byte, since a transfer grows with its object). SageMaker, Tagging and STS answer in well under a second, so 10 s is a hung or trickling endpoint, and with SM_INVENTORY_MAX_ATTEMPTS an endpoint that never answers fails in about a minute.',
  },
  jobThrottleAttempts: {
    variable: 'SM_INVENTORY_JOB_THROTTLE_ATTEMPTS',
    kind: 'integer',
    min: 1,
    max: 100,
    default: 10,
    prop: 'collector.jobThrottleAttempts',
    flag: '--job-throttle-attempts <n>',
    doc: "Throttled attempts one job's DescribeTrainingJob gets, while the same operation succeeds for other jobs, before the job is deferred (then retried once at the end of the run and, still throttled, set aside with the rest of its region published); 10 rides out about a minute of backoff. While no Describe succeeds, throttling is the account's and is retried until the time budget or SM_INVENTORY_STALL_PERIOD ends.",
  },
  stallPeriod: {
    variable: 'SM_INVENTORY_STALL_PERIOD',
    kind: 'integer',
    min: 1,
    max: 86_400,
    default: 300,
    prop: 'collector.stallPeriod',
    flag: '--stall-period <seconds>',
    doc: 'Seconds an (account, region) may go without one successful call before it gives up, naming the last failure, instead of waiting for the time budget; 300 outlasts the throttling storms the retries ride out (waits of up to 20 s) and ends a dead endpoint long before the one-hour budget.',
  },
  timeBudget: {
    variable: 'SM_INVENTORY_TIME_BUDGET',
    kind: 'integer',
    min: 1,
    max: 604_800,
    default: 3600,
    managedBy: 'timeout',
    flag: '--time-budget <seconds>',
    doc: 'Seconds a run may take: then calls in flight are cancelled and each unfinished (account, region) is reported with how far it got; the Lambda uses its remaining time less 30 s when that is shorter.',
  },
  organization: {
    variable: 'SM_INVENTORY_ORGANIZATION',
    kind: 'boolean',
    default: false,
    managedBy: 'organization',
    doc: 'Also snapshot every ACTIVE account of the AWS Organization, listed with organizations:ListAccounts (from the management account or a delegated administrator), assuming SM_INVENTORY_ORGANIZATION_ROLE_NAME in each; an account whose role cannot be assumed is reported and skipped.',
  },
  organizationRoleName: {
    variable: 'SM_INVENTORY_ORGANIZATION_ROLE_NAME',
    kind: 'text',
    pattern: ROLE_NAME_PATTERN,
    allowed: `an IAM role name of 1-64 letters, digits and +=,.@_- (no path, no ARN), such as ${MEMBER_ROLE_NAME}`,
    default: MEMBER_ROLE_NAME,
    prop: 'organization.roleName',
    doc: 'Name of the role assumed in each organization account (the member-account template creates it).',
  },
  organizationAccounts: {
    variable: 'SM_INVENTORY_ORGANIZATION_ACCOUNTS',
    kind: 'list',
    item: ACCOUNT_ID_PATTERN,
    allowed: '12-digit AWS account ids',
    default: [],
    defaultNote: 'every ACTIVE account',
    prop: 'organization.includeAccounts',
    doc: 'Only these organization accounts (those that are ACTIVE).',
  },
  organizationExcludeAccounts: {
    variable: 'SM_INVENTORY_ORGANIZATION_EXCLUDE_ACCOUNTS',
    kind: 'list',
    item: ACCOUNT_ID_PATTERN,
    allowed: '12-digit AWS account ids',
    default: [],
    prop: 'organization.excludeAccounts',
    doc: "Accounts to leave out of the organization's accounts.",
  },
  rateShare: {
    variable: 'SM_INVENTORY_RATE_SHARE',
    kind: 'number',
    min: 0.001,
    max: 1,
    default: 1,
    prop: 'collector.rateShare',
    doc: "Share of each operation's rate limit the collector uses, so the account's own clients keep the rest; throttles caused by other clients slow the run down and never fail it.",
  },
  deadLetterQueueUrl: {
    variable: 'SM_INVENTORY_DEAD_LETTER_QUEUE_URL',
    kind: 'text',
    pattern: SQS_QUEUE_URL_PATTERN,
    allowed: 'an SQS queue URL such as https://sqs.us-east-1.amazonaws.com/123456789012/events-dlq',
    managedBy: 'liveEvents',
    doc: 'Events function only: the queue an event that can never be applied (not JSON, malformed, no job ARN) is sent to, with its reason as a message attribute; the function refuses to start without it.',
  },
} as const satisfies Record<string, Setting>;

export type SettingName = keyof typeof SETTINGS;
export type EnvironmentVariable = (typeof SETTINGS)[SettingName]['variable'];
export const SETTING_NAMES = Object.keys(SETTINGS) as SettingName[];
