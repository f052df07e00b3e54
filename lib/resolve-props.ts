import { Duration, RemovalPolicy, Size, SizeRoundingBehavior, Token } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { ConfigError } from '../lambda/core/errors';
import { EVENTS_SERVICE_NAME, GLUE_NAME_PATTERN, METRICS_NAMESPACE, ORGANIZATION_ID_PATTERN, SERVICE_NAME } from '../lambda/core/names';
import { DEFAULT_COST_TAG_KEYS, DEFAULT_STALE_AFTER_DAYS, STALE_AFTER_DAYS_RANGE } from '../lambda/core/query/sql-catalog';
import { TRAINING_JOB_SCHEMA } from '../lambda/core/schema/table-schema';
import { SETTINGS, type Setting } from '../lambda/core/settings/settings';
import { checkSetting, formatSetting } from '../lambda/core/settings/values';
import type { SageMakerTrainingJobInventoryProps } from './inventory-props';
import { resolveLiveEvents, type ResolvedLiveEvents } from './resolve-live-events';
import { schedulePeriodOf } from './schedule-period';

/** The props with every default applied and every value checked: what the construct wires. */
export interface ResolvedInventoryProps {
  readonly regions: readonly string[];
  readonly memberAccountRoleArns: readonly string[];
  readonly includeOwnAccount: boolean;
  /** The organization's role name and account filters; undefined when the organization is not snapshotted. */
  readonly organization?: {
    readonly roleName: string;
    readonly includeAccounts: readonly string[];
    readonly excludeAccounts: readonly string[];
  };
  readonly prefix: string;
  readonly databaseName: string;
  readonly tableName: string;
  readonly memorySize: number;
  readonly ephemeralStorageSize: Size;
  readonly timeout: Duration;
  readonly schedule: scheduler.ScheduleExpression;
  readonly schedulePeriod: Duration;
  readonly maxRunDuration: Duration;
  readonly projectionStartDate: string;
  readonly athenaBytesScannedCutoff: number;
  /** Days without a run after which `current` leaves an (account, region) out. */
  readonly staleAfterDays: number;
  readonly costAllocationTagKeys: readonly string[];
  readonly logRetention: logs.RetentionDays;
  readonly tracing: boolean;
  readonly removalPolicy: RemovalPolicy;
  /** (account, region) pairs collected at once: the state machine's map concurrency and the function's reserved concurrency. */
  readonly parallelTargets: number;
  /**
   * Live events, when `liveEvents` is given: the queue and function settings, the rate share each function gets, and
   * the organization whose accounts the bus policy admits.
   */
  readonly liveEvents?: ResolvedLiveEvents & { readonly organizationId?: string };
  /** The variables that carry the collector props the user set; the function's defaults apply to the rest. */
  readonly collectorEnvironment: Readonly<Record<string, string>>;
  readonly functionEnvironment: Readonly<Record<string, string>>;
}

/** Where the construct is and what its stack says, for defaults and errors. */
export interface ResolveContext {
  /** The construct's path, which every error starts with. */
  readonly path: string;
  /** The stack's region: the default of `regions`. */
  readonly stackRegion: string;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const PREFIX = /^[A-Za-z0-9!_.*'()-]+(\/[A-Za-z0-9!_.*'()-]+)*$/;
const HOUR = 3600;
const DAY = 86_400;

/**
 * Applies the defaults of `props` and checks every value, without creating anything: the first bad
 * value is a ConfigError naming the construct, the prop, the value (numbers as numbers) and what is
 * allowed. Values still unresolved at synth time (tokens) are passed through unchecked.
 */
export function resolveProps(props: SageMakerTrainingJobInventoryProps, context: ResolveContext): ResolvedInventoryProps {
  return atPath(context.path, () => ({
    ...resolveSettingProps(props, context.stackRegion),
    ...resolveTimes(props),
    ...resolveNames(props),
    costAllocationTagKeys: props.costAllocationTagKeys ?? DEFAULT_COST_TAG_KEYS,
    logRetention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
    tracing: props.tracing ?? false,
    removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    functionEnvironment: checkFunctionEnvironment(props.functionEnvironment ?? {}),
  }));
}

/** Runs `check`, starting the message of any ConfigError it throws with the construct's path. */
export function atPath<T>(path: string, check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof ConfigError) throw new ConfigError(`${path}: ${error.message}`, { cause: error });
    throw error;
  }
}

/** The `regions` prop: one or more AWS Region codes, each once (tokens pass unchecked). */
export function checkRegions(regions: readonly string[]): string[] {
  const checked = checkList(SETTINGS.regions, regions);
  if (checked.length === 0) throw refuse('regions', checked, 'one or more AWS Region codes');
  if (new Set(checked).size !== checked.length) throw refuse('regions', checked, 'each region once');
  return checked;
}

/** A prop rejected: `name is value; allowed: ...`, the value as JSON so numbers stay numbers. */
function refuse(name: string, value: unknown, allowed: string): ConfigError {
  return new ConfigError(`${name} is ${JSON.stringify(value)}; allowed: ${allowed}`);
}

/** A list prop checked against its row of the settings table; tokens pass unchecked. */
function checkList(setting: Setting & { kind: 'list'; prop: string }, value: readonly string[] | undefined): string[] {
  const list = value ?? [...setting.default];
  checkSetting(
    setting.prop,
    setting,
    list.filter((item) => !Token.isUnresolved(item)),
  );
  return [...list];
}

/** The props that are rows of the settings table: accounts, regions, the organization and the collector. */
function resolveSettingProps(props: SageMakerTrainingJobInventoryProps, stackRegion: string) {
  const regions = checkRegions(props.regions ?? [stackRegion]);
  const memberAccountRoleArns = checkList(SETTINGS.roleArns, props.memberAccountRoleArns);
  const includeOwnAccount = checkSetting(SETTINGS.includeCallerAccount.prop, SETTINGS.includeCallerAccount, props.includeOwnAccount);
  if (!includeOwnAccount && memberAccountRoleArns.length === 0 && !props.organization)
    throw refuse('includeOwnAccount', false, 'false only together with memberAccountRoleArns or organization');
  const organization = props.organization && {
    roleName: checkSetting(SETTINGS.organizationRoleName.prop, SETTINGS.organizationRoleName, props.organization.roleName) as string,
    includeAccounts: checkList(SETTINGS.organizationAccounts, props.organization.includeAccounts),
    excludeAccounts: checkList(SETTINGS.organizationExcludeAccounts, props.organization.excludeAccounts),
  };
  const { rateShare, ...collector } = resolveCollector(props);
  const queueSettings = resolveLiveEvents(props.liveEvents, rateShare);
  const liveEvents = queueSettings && {
    ...queueSettings,
    ...resolveOrganizationId(props.liveEvents?.organizationId, organization?.includeAccounts),
  };
  return { regions, memberAccountRoleArns, includeOwnAccount, organization, liveEvents, ...collector };
}

/**
 * `liveEvents.organizationId`: needed exactly when the bus policy must admit an organization, i.e. the organization
 * is snapshotted without an account list (listed accounts are admitted by id). `includeAccounts` is undefined when
 * the organization is not snapshotted.
 */
function resolveOrganizationId(organizationId: string | undefined, includeAccounts: readonly string[] | undefined) {
  const name = 'liveEvents.organizationId';
  const byOrganization = includeAccounts !== undefined && includeAccounts.length === 0;
  if (organizationId === undefined) {
    if (byOrganization)
      throw new ConfigError(
        `${name} is not set; allowed: the organization's id (o-…, from aws organizations describe-organization) when organization is set without includeAccounts, so the event bus policy admits its accounts`,
      );
    return {};
  }
  if (!byOrganization)
    throw refuse(
      name,
      organizationId,
      includeAccounts
        ? 'unset when organization.includeAccounts lists the accounts (the bus policy admits those by id)'
        : 'unset unless organization is set (only the accounts the inventory reads are admitted)',
    );
  if (!Token.isUnresolved(organizationId) && !ORGANIZATION_ID_PATTERN.test(organizationId))
    throw refuse(name, organizationId, 'o- and 10 to 32 lower-case letters or digits, such as o-a1b2c3d4e5');
  return { organizationId };
}

/** Every `collector.*` row of the settings table, checked as typed values; the given ones become the function's variables. */
function resolveCollector(props: SageMakerTrainingJobInventoryProps) {
  const collectorEnvironment: Record<string, string> = {};
  const given = (props.collector ?? {}) as Record<string, unknown>;
  let parallelTargets = SETTINGS.parallelTargets.default as number;
  let rateShare = SETTINGS.rateShare.default as number;
  for (const setting of Object.values(SETTINGS) as Setting[]) {
    if (!setting.prop?.startsWith('collector.')) continue;
    const value = given[setting.prop.slice('collector.'.length)];
    const checked = checkSetting(setting.prop, setting, value);
    if (setting === SETTINGS.parallelTargets) parallelTargets = checked as number;
    if (setting === SETTINGS.rateShare) rateShare = checked as number;
    if (value !== undefined) collectorEnvironment[setting.variable] = formatSetting(setting, value);
  }
  return { parallelTargets, rateShare, collectorEnvironment };
}

/** The schedule, its period, the function timeout and the longest run: each in range, and fitting each other. */
function resolveTimes(props: SageMakerTrainingJobInventoryProps) {
  const schedule = props.schedule ?? scheduler.ScheduleExpression.cron({ minute: '0', hour: '2' });
  const expression = schedule.expressionString;
  if (!Token.isUnresolved(expression) && expression.startsWith('at('))
    throw refuse('schedule', expression, 'a recurring rate() or cron() expression (an at() schedule runs once)');
  const firing = Token.isUnresolved(expression) ? undefined : schedulePeriodOf(expression);
  const schedulePeriod = props.schedulePeriod ?? firing ?? Duration.days(1);
  inRange('schedulePeriod', schedulePeriod, HOUR, 3.5 * DAY, 'from 1 hour to 3.5 days');
  if (firing && firing.toSeconds() !== schedulePeriod.toSeconds())
    throw new ConfigError(
      `schedulePeriod is "${schedulePeriod.toHumanString()}" but schedule ${expression} fires every ${firing.toHumanString()}; allowed: schedulePeriod equal to the schedule's period, or unset`,
    );
  const maxRunDuration = props.maxRunDuration ?? Duration.seconds(Math.min(23 * HOUR, schedulePeriod.toSeconds()));
  inRange('maxRunDuration', maxRunDuration, HOUR, 7 * DAY, 'from 1 hour to 7 days');
  if (maxRunDuration.toSeconds() > schedulePeriod.toSeconds())
    throw new ConfigError(
      `maxRunDuration is "${maxRunDuration.toHumanString()}", longer than schedulePeriod "${schedulePeriod.toHumanString()}"; allowed: at most schedulePeriod, so a run ends before the next one starts`,
    );
  const timeout = props.timeout ?? Duration.minutes(15);
  inRange('timeout', timeout, 60, 900, '1 to 15 minutes');
  return { schedule, schedulePeriod, maxRunDuration, timeout };
}

function inRange(name: string, duration: Duration, minSeconds: number, maxSeconds: number, allowed: string): void {
  const seconds = duration.toSeconds();
  if (seconds < minSeconds || seconds > maxSeconds) throw refuse(name, duration.toHumanString(), allowed);
}

/** Names, sizes and dates of the warehouse. */
function resolveNames(props: SageMakerTrainingJobInventoryProps) {
  const prefix = props.prefix ?? 'inventory';
  if (!Token.isUnresolved(prefix) && !PREFIX.test(prefix))
    throw refuse('prefix', prefix, 'an S3 key prefix without leading or trailing slashes');
  const databaseName = props.databaseName ?? TRAINING_JOB_SCHEMA.database;
  const tableName = props.tableName ?? TRAINING_JOB_SCHEMA.table;
  for (const [name, value] of [
    ['databaseName', databaseName],
    ['tableName', tableName],
  ] as const) {
    if (!Token.isUnresolved(value) && !GLUE_NAME_PATTERN.test(value))
      throw refuse(name, value, 'lower-case letters, digits and underscores (Athena-compatible)');
  }
  const memorySize = props.memorySize ?? 1024;
  if (!Token.isUnresolved(memorySize) && !(Number.isInteger(memorySize) && memorySize >= 256 && memorySize <= 10240))
    throw refuse('memorySize', memorySize, 'a whole number of MiB from 256 to 10240');
  const ephemeralStorageSize = props.ephemeralStorageSize ?? Size.mebibytes(512);
  if (!ephemeralStorageSize.isUnresolved()) {
    const mebibytes = ephemeralStorageSize.toMebibytes({ rounding: SizeRoundingBehavior.NONE });
    if (!(Number.isInteger(mebibytes) && mebibytes >= 512 && mebibytes <= 10240))
      throw refuse('ephemeralStorageSize', `${mebibytes} MiB`, 'a whole number of MiB from 512 to 10240');
  }
  const projectionStartDate = props.projectionStartDate ?? '2024-01-01';
  if (!DATE.test(projectionStartDate) || Number.isNaN(Date.parse(projectionStartDate)))
    throw refuse('projectionStartDate', projectionStartDate, 'a date as YYYY-MM-DD');
  const athenaBytesScannedCutoff = props.athenaBytesScannedCutoff ?? 10 * 1024 ** 3;
  if (!Number.isInteger(athenaBytesScannedCutoff) || athenaBytesScannedCutoff < 10_000_000)
    throw refuse('athenaBytesScannedCutoff', athenaBytesScannedCutoff, 'a whole number of bytes, at least 10000000');
  const staleAfterDays = props.staleAfterDays ?? DEFAULT_STALE_AFTER_DAYS;
  const { min, max } = STALE_AFTER_DAYS_RANGE;
  if (!Number.isInteger(staleAfterDays) || staleAfterDays < min || staleAfterDays > max)
    throw refuse('staleAfterDays', staleAfterDays, `a whole number of days from ${min} to ${max}`);
  return {
    prefix,
    databaseName,
    tableName,
    memorySize,
    ephemeralStorageSize,
    projectionStartDate,
    athenaBytesScannedCutoff,
    staleAfterDays,
  };
}

/** The prop that sets each variable the construct manages, from the settings table. */
const MANAGED_VARIABLES: Readonly<Record<string, string>> = {
  ...Object.fromEntries(
    (Object.values(SETTINGS) as Setting[]).map((s) => [s.variable, s.prop ?? s.managedBy ?? 'no prop: the construct keeps its default']),
  ),
  POWERTOOLS_SERVICE_NAME: 'none: the alarms depend on it',
  POWERTOOLS_METRICS_NAMESPACE: 'none: the alarms depend on it',
};

function checkFunctionEnvironment(environment: Readonly<Record<string, string>>): Record<string, string> {
  for (const name of Object.keys(environment)) {
    const prop = MANAGED_VARIABLES[name] ?? (name.startsWith('SM_INVENTORY_') ? 'its prop' : undefined);
    if (prop !== undefined)
      throw refuse('functionEnvironment', name, `variables the construct does not manage; set ${name} through ${prop}`);
  }
  return { ...environment };
}

/**
 * The events function's environment: the snapshot function's (the same targets, limits, redaction and
 * warehouse), its own rate share and service name, and its dead-letter queue.
 */
export function eventsEnvironment(
  resolved: ResolvedInventoryProps & { readonly liveEvents: ResolvedLiveEvents },
  destination: SnapshotDestination,
  deadLetterQueueUrl: string,
): Record<string, string> {
  return {
    ...snapshotEnvironment(resolved, destination),
    SM_INVENTORY_RATE_SHARE: String(resolved.liveEvents.eventsRateShare),
    SM_INVENTORY_DEAD_LETTER_QUEUE_URL: deadLetterQueueUrl,
    POWERTOOLS_SERVICE_NAME: EVENTS_SERVICE_NAME,
    ...resolved.functionEnvironment,
  };
}

/** Where the snapshot function writes, and with which key: known only once the bucket and key exist. */
export interface SnapshotDestination {
  readonly outputRoot: string;
  readonly kmsKeyArn: string;
}

/** The snapshot function's environment: every variable its cold start reads, from the resolved props. */
export function snapshotEnvironment(resolved: ResolvedInventoryProps, destination: SnapshotDestination): Record<string, string> {
  const organization = resolved.organization;
  const variables: Partial<Record<(typeof SETTINGS)[keyof typeof SETTINGS]['variable'], string>> = {
    SM_INVENTORY_REGIONS: resolved.regions.join(','),
    SM_INVENTORY_OUTPUT: destination.outputRoot,
    SM_INVENTORY_ROLE_ARNS: resolved.memberAccountRoleArns.join(','),
    SM_INVENTORY_INCLUDE_CALLER_ACCOUNT: String(resolved.includeOwnAccount),
    SM_INVENTORY_KMS_KEY_ARN: destination.kmsKeyArn,
    ...(organization && {
      SM_INVENTORY_ORGANIZATION: 'true',
      SM_INVENTORY_ORGANIZATION_ROLE_NAME: organization.roleName,
      SM_INVENTORY_ORGANIZATION_ACCOUNTS: organization.includeAccounts.join(','),
      SM_INVENTORY_ORGANIZATION_EXCLUDE_ACCOUNTS: organization.excludeAccounts.join(','),
    }),
    SM_INVENTORY_FIRST_SNAPSHOT_DATE: resolved.projectionStartDate,
  };
  return {
    ...variables,
    ...resolved.collectorEnvironment,
    // With the live path, the snapshot keeps its part of the collector's rate share; the events function gets the rest.
    ...(resolved.liveEvents && { SM_INVENTORY_RATE_SHARE: String(resolved.liveEvents.snapshotRateShare) }),
    POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
    POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
    ...resolved.functionEnvironment,
  } as Record<string, string>;
}
