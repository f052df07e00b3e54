import { partition } from '@aws-sdk/core/client';
import { ConfigError } from '../errors';
import type { RedactionSettings } from '../rows/redaction';
import {
  SETTINGS,
  type Setting,
  type ApiRateLimits,
  type EnvironmentVariable,
  type ParquetCompression,
  type TagStrategyOption,
} from '../settings/settings';
import { parseSetting } from '../settings/values';
import { checkVariableNames } from '../settings/variable-names';
import { parseWarehouseRoot, validateRegion, validateSnapshotDate, type WarehouseRoot } from '../publish/layout';

export { TAG_STRATEGIES, ROLE_NAME_PATTERN, type TagStrategyOption, type EnvironmentVariable } from '../settings/settings';

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
  /** Seconds one HTTP attempt may take in all, its answer's body included (S3: seconds without a byte). */
  readonly requestTimeoutSeconds: number;
  /** Throttled attempts one job's Describe gets, while Describe succeeds for other jobs, before the job is deferred. */
  readonly jobThrottleAttempts: number;
  /** Seconds an (account, region) may go without one successful call before it gives up. */
  readonly stallPeriodSeconds: number;
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
  /** The events function's dead-letter queue, where an event that can never be applied goes with its reason; unset elsewhere. */
  readonly deadLetterQueueUrl?: string;
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

/** When a target gives up short of its time budget: a job throttled on its own, and a target with no successful call. */
export const DEFAULT_GIVE_UP_LIMITS: Pick<InventoryConfig, 'jobThrottleAttempts' | 'stallPeriodSeconds'> = {
  jobThrottleAttempts: SETTINGS.jobThrottleAttempts.default,
  stallPeriodSeconds: SETTINGS.stallPeriod.default,
};

export const DEFAULT_SHRINK_GUARD: ShrinkGuardSettings = {
  allow: SETTINGS.allowShrink.default,
  share: SETTINGS.shrinkShare.default,
  jobs: SETTINGS.shrinkJobs.default,
};

/** Which organization accounts to snapshot, and the role to assume in each. */
export interface OrganizationTargetSettings {
  readonly roleName: string;
  /** Only these accounts; empty: every ACTIVE account. */
  readonly includeAccounts: readonly string[];
  readonly excludeAccounts: readonly string[];
}

export type ConfigInput = Partial<Record<EnvironmentVariable, string | undefined>> & { AWS_REGION?: string };

type CollectorConfig = Pick<
  InventoryConfig,
  | 'limits'
  | 'concurrency'
  | 'parallelTargets'
  | 'tagStrategy'
  | 'compression'
  | 'rowGroupRows'
  | 'maxAttempts'
  | 'requestTimeoutSeconds'
  | 'jobThrottleAttempts'
  | 'stallPeriodSeconds'
  | 'fullEveryDays'
  | 'redaction'
  | 'rateShare'
  | 'shrinkGuard'
>;

/**
 * How a message names a setting: its variable, or the flag it was given by (`--concurrency`), so the
 * person reads the name they typed.
 */
export type SettingNamer = (setting: Setting) => string;
const byVariable: SettingNamer = (setting) => setting.variable;

/** Parses settings from `input`, each error naming the setting as `nameOf` says. */
function settingReader(input: ConfigInput, nameOf: SettingNamer) {
  return <S extends Setting>(setting: S, text?: string) =>
    parseSetting(setting, text ?? (input as Record<string, string | undefined>)[setting.variable], nameOf(setting));
}

function wrap<T>(name: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof ConfigError) throw new ConfigError(`${name}: ${error.message}`);
    throw error;
  }
}

/**
 * Reads and checks every setting; the first bad value is a ConfigError naming the setting (its variable,
 * or as `nameOf` says), the value and what is allowed. An `SM_INVENTORY_*` variable no setting reads is one too.
 */
export function readConfig(input: ConfigInput, nameOf: SettingNamer = byVariable): InventoryConfig {
  checkVariableNames(input);
  const read = settingReader(input, nameOf);
  const regions = readRegions(input, nameOf);
  const roleArns = read(SETTINGS.roleArns);
  const includeCallerAccount =
    input.SM_INVENTORY_INCLUDE_CALLER_ACCOUNT?.trim() || roleArns.length === 0 ? read(SETTINGS.includeCallerAccount) : false;
  const organization = readOrganizationSettings(input, nameOf);
  if (!includeCallerAccount && roleArns.length === 0 && !organization) {
    throw new ConfigError(
      `${nameOf(SETTINGS.includeCallerAccount)} is false and ${nameOf(SETTINGS.roleArns)} is empty: there is no account to snapshot; allowed: set one of them, or ${SETTINGS.organization.variable}=true`,
    );
  }
  const firstSnapshotDate = read(SETTINGS.firstSnapshotDate);
  return {
    regions,
    roleArns,
    includeCallerAccount,
    organization,
    output: wrap(nameOf(SETTINGS.output), () => parseWarehouseRoot(read(SETTINGS.output)!)),
    ...readCollectorSettings(input, nameOf),
    kmsKeyArn: read(SETTINGS.kmsKeyArn),
    s3ForcePathStyle: read(SETTINGS.s3ForcePathStyle),
    timeBudgetSeconds: read(SETTINGS.timeBudget),
    deadLetterQueueUrl: read(SETTINGS.deadLetterQueueUrl),
    firstSnapshotDate: firstSnapshotDate && wrap(nameOf(SETTINGS.firstSnapshotDate), () => validateSnapshotDate(firstSnapshotDate)),
  };
}

/** SM_INVENTORY_REGIONS, else the function's own region: each a Region the SDK knows, each once. */
function readRegions(input: ConfigInput, nameOf: SettingNamer): string[] {
  const name = nameOf(SETTINGS.regions);
  const regions = settingReader(input, nameOf)(
    SETTINGS.regions,
    input.SM_INVENTORY_REGIONS?.trim() ? input.SM_INVENTORY_REGIONS : input.AWS_REGION,
  );
  if (regions.length === 0)
    throw new ConfigError(`${name} is empty and AWS_REGION is not set; allowed: one or more AWS Region codes such as us-east-1`);
  for (const region of regions) wrap(name, () => validateKnownRegion(region));
  if (new Set(regions).size !== regions.length)
    throw new ConfigError(`${name} lists a region twice: ${regions.join(',')}; allowed: each region once`);
  return regions;
}

/** The collector settings of a configuration, checked: how it paces its calls and writes. */
export function readCollectorSettings(input: ConfigInput, nameOf: SettingNamer = byVariable): CollectorConfig {
  const read = settingReader(input, nameOf);
  const rateShare = read(SETTINGS.rateShare);
  return {
    limits: shareOf(read(SETTINGS.limits) as ApiRateLimits, rateShare),
    rateShare,
    concurrency: read(SETTINGS.concurrency),
    parallelTargets: read(SETTINGS.parallelTargets),
    tagStrategy: read(SETTINGS.tagStrategy),
    compression: read(SETTINGS.compression),
    rowGroupRows: read(SETTINGS.rowGroupRows),
    maxAttempts: read(SETTINGS.maxAttempts),
    requestTimeoutSeconds: read(SETTINGS.requestTimeout),
    jobThrottleAttempts: read(SETTINGS.jobThrottleAttempts),
    stallPeriodSeconds: read(SETTINGS.stallPeriod),
    fullEveryDays: read(SETTINGS.fullEveryDays),
    redaction: {
      enabled: read(SETTINGS.redact),
      extraKeyPatterns: read(SETTINGS.redactKeys),
    },
    shrinkGuard: {
      allow: read(SETTINGS.allowShrink),
      share: read(SETTINGS.shrinkShare),
      jobs: read(SETTINGS.shrinkJobs),
    },
  };
}

/** The limits a collector keeps to when it may use only `share` of each. */
function shareOf(limits: ApiRateLimits, share: number): ApiRateLimits {
  return Object.fromEntries(Object.entries(limits).map(([operation, rate]) => [operation, rate * share])) as unknown as ApiRateLimits;
}

/** The organization settings, or undefined when SM_INVENTORY_ORGANIZATION is off (the other organization settings must then be unset). */
function readOrganizationSettings(input: ConfigInput, nameOf: SettingNamer): OrganizationTargetSettings | undefined {
  const read = settingReader(input, nameOf);
  const enabled = read(SETTINGS.organization);
  const roleName = read(SETTINGS.organizationRoleName) as string;
  const includeAccounts = read(SETTINGS.organizationAccounts);
  const excludeAccounts = read(SETTINGS.organizationExcludeAccounts);
  if (!enabled) {
    const stray = [SETTINGS.organizationRoleName, SETTINGS.organizationAccounts, SETTINGS.organizationExcludeAccounts].find((setting) =>
      input[setting.variable]?.trim(),
    );
    if (stray)
      throw new ConfigError(
        `${nameOf(stray)} is set but ${nameOf(SETTINGS.organization)} is not true; allowed: set ${SETTINGS.organization.variable}=true, or leave ${nameOf(stray)} unset`,
      );
    return undefined;
  }
  const both = includeAccounts.filter((id) => excludeAccounts.includes(id));
  if (both.length > 0) {
    throw new ConfigError(
      `${nameOf(SETTINGS.organizationAccounts)} and ${nameOf(SETTINGS.organizationExcludeAccounts)} both list ${both.join(',')}; allowed: each account in at most one of them`,
    );
  }
  return { roleName, includeAccounts, excludeAccounts };
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
