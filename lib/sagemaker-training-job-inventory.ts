import { Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ConfigError } from '../lambda/core/errors';
import {
  ATHENA_RESULTS_PREFIX,
  ACCOUNT_ID_PATTERN,
  GLUE_NAME_PATTERN,
  MEMBER_ROLE_NAME,
  METRIC,
  METRICS_NAMESPACE,
  REGION_PATTERN,
  ROLE_ARN_PATTERN,
  SERVICE_NAME,
} from '../lambda/core/names';
import {
  COLLECTOR_SETTING_VARIABLES,
  collectorEnvironment,
  ENVIRONMENT_VARIABLES,
  readCollectorSettings,
  validateRoleName,
  type CollectorSettings,
  type EnvironmentVariable,
} from '../lambda/core/pipeline/config';
import { WORK_PREFIX, STATE_PREFIX } from '../lambda/core/pipeline/work-area';
import { DEFAULT_COST_TAG_KEYS } from '../lambda/core/query/sql-catalog';
import { INSTANCE_PRICE_SCHEMA, INVENTORY_RUN_SCHEMA, TABLE_SCHEMAS, TRAINING_JOB_SCHEMA } from '../lambda/core/schema/table-schema';
import { AthenaViews } from './athena-views';
import { collectorStatements, memberRoleArnsStatement } from './collector-permissions';
import { InventoryGlueTables } from './glue-table';
import { bundledFunction, encryptedLogGroup, scheduleDeadLetterQueue, schedulerRole } from './function-parts';
import { bucketArnInNagFinding } from './nag-names';
import { SnapshotStateMachine } from './snapshot-state-machine';
import { PriceRefresh } from './price-refresh';
import { QuickSightCostDashboard } from './quicksight';

export type { CollectorSettings } from '../lambda/core/pipeline/config';

export interface SageMakerTrainingJobInventoryProps {
  /**
   * When the snapshot runs.
   * @default daily at 02:00 UTC
   */
  readonly schedule?: scheduler.ScheduleExpression;
  /**
   * How often `schedule` fires. The "no snapshot written" alarm fires after two periods without one.
   * Between 1 hour and 3.5 days (CloudWatch evaluates at most 7 days).
   * @default 1 day, matching the default schedule
   */
  readonly schedulePeriod?: Duration;
  /**
   * Regions to snapshot, in every account.
   * @default the stack's region
   */
  readonly regions?: string[];
  /**
   * Roles in member accounts to assume (deployed from the member-account template).
   * @default none: only this account
   */
  readonly memberAccountRoleArns?: string[];
  /**
   * Snapshot this account too when member roles are given.
   * @default true
   */
  readonly includeOwnAccount?: boolean;
  /**
   * Also snapshot the accounts of the AWS Organization: every ACTIVE account that
   * `organizations:ListAccounts` returns (deploy in the management account or a delegated
   * administrator), through a role of the same name in each. An account whose role cannot be assumed
   * is reported and skipped.
   * @default none: only this account and `memberAccountRoleArns`
   */
  readonly organization?: OrganizationTargets;
  /**
   * Where snapshots and Athena results go. For a bucket of your own, add a lifecycle rule expiring
   * `<prefix>/_work/` (the progress of abandoned runs) after a few days; `<prefix>/_state/` must not expire.
   * @default a new bucket: KMS-encrypted, versioned, TLS-only, with access logs and lifecycle rules
   */
  readonly bucket?: s3.IBucket;
  /**
   * Key prefix in the bucket, without slashes at either end.
   * @default 'inventory'
   */
  readonly prefix?: string;
  /**
   * Glue database name.
   * @default 'sagemaker_inventory'
   */
  readonly databaseName?: string;
  /**
   * Glue table name.
   * @default 'sagemaker_training_job'
   */
  readonly tableName?: string;
  /**
   * Key for the bucket, the dead-letter queue, Athena results and the state machine's log group. An
   * imported key's policy must let CloudWatch Logs (`logs.<region>.amazonaws.com`) use it for that group.
   * @default a new customer-managed key with yearly rotation
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Retention of the function's logs.
   * @default one year
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Topic notified when an alarm fires (and when it clears).
   * @default alarms without actions
   */
  readonly alarmTopic?: sns.ITopic;
  /**
   * Function memory in MiB, 256 to 10240.
   * @default 1024
   */
  readonly memorySize?: number;
  /**
   * Function timeout, 1 to 15 minutes. Throttled calls stop retrying 30 s before it.
   * @default 15 minutes
   */
  readonly timeout?: Duration;
  /**
   * First snapshot date Athena's partition projection covers, YYYY-MM-DD.
   * @default '2024-01-01'
   */
  readonly projectionStartDate?: string;
  /**
   * Largest amount of data one Athena query in the workgroup may scan, in bytes (at least 10 MB).
   * @default 10 GiB
   */
  readonly athenaBytesScannedCutoff?: number;
  /**
   * Cost-allocation tag keys that become `tag_<key>` columns of the flat view.
   * @default team, project, cost-center, sagemaker:domain-arn, sagemaker:user-profile-arn
   */
  readonly costAllocationTagKeys?: string[];
  /**
   * How the collector paces its API calls and writes Parquet. Checked at synth time by the same
   * parser the function runs at cold start, so a bad value fails `cdk synth`, not the first run.
   * @default rate limits ListTrainingJobs 2/s, DescribeTrainingJob 10/s, ListTags 10/s, GetResources 5/s;
   * 8 Describe calls in flight; 4 (account, region) pairs at once; tags in bulk; ZSTD; 1,000-row row groups
   */
  readonly collector?: CollectorSettings;
  /**
   * Trace with AWS X-Ray: the state machine's executions and every function (active tracing).
   * @default false: no traces; every function and the state machine log JSON and emit metrics
   */
  readonly tracing?: boolean;
  /**
   * Longest a state machine execution may run (a first snapshot of a large account takes several
   * invocations); past it the execution stops, counts as timed out and alarms. 1 hour to 7 days.
   * @default 23 hours, so a daily run ends before the next one starts
   */
  readonly maxRunDuration?: Duration;
  /**
   * Extra environment for the function, e.g. `POWERTOOLS_LOG_LEVEL`. Settings the construct manages
   * (every `SM_INVENTORY_*` variable, the Powertools service name and metric namespace) are rejected:
   * set them through their props.
   * @default none
   */
  readonly functionEnvironment?: Record<string, string>;
  /**
   * When the on-demand training prices of the `regions` are read from the AWS Price List API into the
   * `sagemaker_instance_price` table the cost view joins (a second schedule); `false` deploys no price refresh.
   * @default weekly, Mondays at 01:00 UTC
   */
  readonly priceRefreshSchedule?: scheduler.ScheduleExpression | false;
  /**
   * Deploys QuickSight over the inventory: an Athena data source on the workgroup, datasets over the flat
   * and cost views and the cost dashboard, owned by `principalArn` (a QuickSight user or group ARN), and
   * `grantQuery` for QuickSight's service role. The account must already subscribe to QuickSight.
   * @default no QuickSight resources
   */
  readonly quickSight?: {
    readonly principalArn: string;
    /** @default 'aws-quicksight-service-role-v0' */
    readonly serviceRoleName?: string;
    /** @default 'team' */
    readonly teamTagKey?: string;
  };
}

/** Which organization accounts to snapshot, and the role assumed in each. */
export interface OrganizationTargets {
  /**
   * Name of the role in each account (the member-account template creates it), without path or ARN.
   * @default 'SageMakerJobInventoryRead'
   */
  readonly roleName?: string;
  /**
   * Only these accounts (12-digit ids), of those that are ACTIVE.
   * @default every ACTIVE account
   */
  readonly includeAccounts?: string[];
  /**
   * Accounts to leave out.
   * @default none
   */
  readonly excludeAccounts?: string[];
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const PREFIX = /^[A-Za-z0-9!_.*'()-]+(\/[A-Za-z0-9!_.*'()-]+)*$/;

/** The prop that sets each managed variable, for the error that rejects it in `functionEnvironment`. */
const MANAGED_VARIABLES: Partial<Record<EnvironmentVariable | 'POWERTOOLS_SERVICE_NAME' | 'POWERTOOLS_METRICS_NAMESPACE', string>> = {
  SM_INVENTORY_REGIONS: 'regions',
  SM_INVENTORY_OUTPUT: 'bucket and prefix',
  SM_INVENTORY_ROLE_ARNS: 'memberAccountRoleArns',
  SM_INVENTORY_INCLUDE_CALLER_ACCOUNT: 'includeOwnAccount',
  SM_INVENTORY_KMS_KEY_ARN: 'encryptionKey',
  SM_INVENTORY_TIME_BUDGET: 'timeout',
  SM_INVENTORY_ORGANIZATION: 'organization',
  SM_INVENTORY_ORGANIZATION_ROLE_NAME: 'organization.roleName',
  SM_INVENTORY_ORGANIZATION_ACCOUNTS: 'organization.includeAccounts',
  SM_INVENTORY_ORGANIZATION_EXCLUDE_ACCOUNTS: 'organization.excludeAccounts',
  SM_INVENTORY_FIRST_SNAPSHOT_DATE: 'projectionStartDate',
  POWERTOOLS_SERVICE_NAME: 'none: the alarms depend on it',
  POWERTOOLS_METRICS_NAMESPACE: 'none: the alarms depend on it',
  ...Object.fromEntries(Object.entries(COLLECTOR_SETTING_VARIABLES).map(([setting, variable]) => [variable, `collector.${setting}`])),
};

/**
 * A scheduled SageMaker training-job inventory: a Lambda snapshots every training job of the given
 * regions and accounts into date-partitioned Parquet on S3, a Glue table (partition projection) and
 * an Athena workgroup make it queryable, and alarms report failed or missing snapshots.
 */
export class SageMakerTrainingJobInventory extends Construct {
  /** Holds the snapshots (under `prefix`) and the Athena query results. */
  readonly bucket: s3.IBucket;
  /** Encrypts the bucket, the dead-letter queue and the Athena results. */
  readonly encryptionKey: kms.IKey;
  /** The snapshot function the schedule invokes. */
  readonly function: lambda.Function;
  /** The snapshot function's role: SageMaker and tag reads, AssumeRole on member roles, writes under the table prefix. */
  readonly role: iam.Role;
  /** Receives scheduled executions that could not be started after their retries. */
  readonly deadLetterQueue: sqs.Queue;
  /** Resolves the targets, collects each (one invocation after another until published), summarizes; the schedule starts it. */
  readonly stateMachine: sfn.StateMachine;
  readonly schedule: scheduler.Schedule;
  /** The Glue database and one table per schema in glue-schema/ (`table`: `sagemaker_training_job`). */
  readonly glueTable: InventoryGlueTables;
  /** Athena engine v3 workgroup with enforced, encrypted results and the scan cutoff. */
  readonly workgroup: athena.CfnWorkGroup;
  /** Function errors, failed or timed-out executions, dead letters, no snapshot written in two schedule periods, and snapshots published without some jobs. */
  readonly alarms: readonly cloudwatch.Alarm[];
  /** The shipped views (custom resource) and named queries. */
  readonly views: AthenaViews;
  /** s3://bucket/prefix: what the function's SM_INVENTORY_OUTPUT holds. */
  readonly outputRoot: string;
  /** `prefix/sagemaker_training_job`: the table's key prefix in the bucket. */
  readonly tablePrefix: string;
  /** The key prefix of every table in the bucket (`prefix/<table>`): where queries read. */
  readonly tablePrefixes: readonly string[];
  /** `prefix/sagemaker_instance_price`: the price table's key prefix in the bucket. */
  readonly priceTablePrefix: string;
  /** The weekly price refresh; undefined when `priceRefreshSchedule` is false. */
  readonly priceRefresh?: PriceRefresh;
  /** The QuickSight data source, datasets and dashboard; undefined without the `quickSight` prop. */
  readonly quickSight?: QuickSightCostDashboard;

  constructor(scope: Construct, id: string, props: SageMakerTrainingJobInventoryProps = {}) {
    super(scope, id);
    const stack = Stack.of(this);
    const regions = props.regions ?? [stack.region];
    const memberRoles = props.memberAccountRoleArns ?? [];
    const prefix = props.prefix ?? 'inventory';
    const databaseName = props.databaseName ?? TRAINING_JOB_SCHEMA.database;
    const tableName = props.tableName ?? TRAINING_JOB_SCHEMA.table;
    const memorySize = props.memorySize ?? 1024;
    const timeout = props.timeout ?? Duration.minutes(15);
    const schedulePeriod = props.schedulePeriod ?? Duration.days(1);
    const projectionStartDate = props.projectionStartDate ?? '2024-01-01';
    const bytesCutoff = props.athenaBytesScannedCutoff ?? 10 * 1024 ** 3;

    const check = (ok: boolean, prop: string, received: unknown, allowed: string) => {
      if (!ok) throw new ConfigError(`${this.node.path}: ${prop} is ${JSON.stringify(received)}; allowed: ${allowed}`);
    };
    check(regions.length > 0, 'regions', regions, 'one or more AWS Region codes');
    for (const region of regions) {
      if (!Token.isUnresolved(region)) check(REGION_PATTERN.test(region), 'regions', region, 'AWS Region codes such as us-east-1');
    }
    check(new Set(regions).size === regions.length, 'regions', regions, 'each region once');
    for (const arn of memberRoles) {
      if (!Token.isUnresolved(arn))
        check(
          ROLE_ARN_PATTERN.test(arn),
          'memberAccountRoleArns',
          arn,
          `IAM role ARNs such as arn:aws:iam::123456789012:role/${MEMBER_ROLE_NAME}`,
        );
    }
    check(
      props.includeOwnAccount !== false || memberRoles.length > 0 || props.organization !== undefined,
      'includeOwnAccount',
      false,
      'false only together with memberAccountRoleArns or organization',
    );
    const organization = props.organization;
    const organizationRoleName = organization?.roleName ?? MEMBER_ROLE_NAME;
    if (organization) {
      try {
        validateRoleName(organizationRoleName, 'organization.roleName');
      } catch (error) {
        throw new ConfigError(`${this.node.path}: ${(error as Error).message}`, { cause: error });
      }
      for (const [name, ids] of [
        ['organization.includeAccounts', organization.includeAccounts],
        ['organization.excludeAccounts', organization.excludeAccounts],
      ] as const) {
        for (const id of ids ?? []) check(ACCOUNT_ID_PATTERN.test(id), name, id, '12-digit AWS account ids');
      }
    }
    const maxRunDuration = props.maxRunDuration ?? Duration.hours(23);
    check(
      maxRunDuration.toSeconds() >= 3600 && maxRunDuration.toSeconds() <= 7 * 86400,
      'maxRunDuration',
      maxRunDuration.toHumanString(),
      'from 1 hour to 7 days',
    );
    if (!Token.isUnresolved(prefix)) check(PREFIX.test(prefix), 'prefix', prefix, 'an S3 key prefix without leading or trailing slashes');
    for (const [name, value] of [
      ['databaseName', databaseName],
      ['tableName', tableName],
    ] as const) {
      if (!Token.isUnresolved(value))
        check(GLUE_NAME_PATTERN.test(value), name, value, 'lower-case letters, digits and underscores (Athena-compatible)');
    }
    if (!Token.isUnresolved(memorySize))
      check(
        Number.isInteger(memorySize) && memorySize >= 256 && memorySize <= 10240,
        'memorySize',
        memorySize,
        'a whole number of MiB from 256 to 10240',
      );
    check(timeout.toSeconds() >= 60 && timeout.toSeconds() <= 900, 'timeout', timeout.toHumanString(), '1 to 15 minutes');
    check(
      schedulePeriod.toSeconds() >= 3600 && schedulePeriod.toSeconds() * 2 <= 7 * 86400,
      'schedulePeriod',
      schedulePeriod.toHumanString(),
      'from 1 hour to 3.5 days',
    );
    check(
      DATE.test(projectionStartDate) && !Number.isNaN(Date.parse(projectionStartDate)),
      'projectionStartDate',
      projectionStartDate,
      'a date as YYYY-MM-DD',
    );
    check(
      Number.isInteger(bytesCutoff) && bytesCutoff >= 10_000_000,
      'athenaBytesScannedCutoff',
      bytesCutoff,
      'a whole number of bytes, at least 10000000',
    );
    for (const name of Object.keys(props.functionEnvironment ?? {})) {
      const prop = MANAGED_VARIABLES[name as keyof typeof MANAGED_VARIABLES];
      if (prop !== undefined || name in ENVIRONMENT_VARIABLES) {
        check(false, 'functionEnvironment', name, `variables the construct does not manage; set ${name} through ${prop ?? 'its prop'}`);
      }
    }
    const collectorVariables = collectorEnvironment(props.collector ?? {});
    let collector;
    try {
      collector = readCollectorSettings(collectorVariables);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      // Name the prop the user wrote, not the variable that carries it.
      let message = error.message;
      for (const [setting, variable] of Object.entries(COLLECTOR_SETTING_VARIABLES))
        message = message.replace(variable, `collector.${setting}`);
      throw new ConfigError(`${this.node.path}: ${message}`, { cause: error });
    }

    this.encryptionKey =
      props.encryptionKey ??
      new kms.Key(this, 'Key', {
        description: 'SageMaker job inventory: snapshots, dead-letter queue, Athena results',
        enableKeyRotation: true,
        removalPolicy: RemovalPolicy.RETAIN,
      });

    this.bucket = props.bucket ?? this.createBucket(prefix);
    this.outputRoot = `s3://${this.bucket.bucketName}/${prefix}`;
    const tablePrefix = `${prefix}/${TRAINING_JOB_SCHEMA.table}`;
    this.tablePrefix = tablePrefix;
    this.tablePrefixes = TABLE_SCHEMAS.map((schema) => `${prefix}/${schema.table}`);
    this.priceTablePrefix = `${prefix}/${INSTANCE_PRICE_SCHEMA.table}`;

    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_YEAR;
    const tracing = props.tracing ?? false;
    const logGroup = encryptedLogGroup(this, 'Logs', { encryptionKey: this.encryptionKey, retention: logRetention });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'SageMaker job inventory collector: read training jobs, write snapshots',
    });
    this.grantCollectorPermissions(memberRoles, logGroup, prefix, organization ? organizationRoleName : undefined);

    this.function = bundledFunction(this, 'Function', {
      entry: 'snapshot',
      description: 'Snapshots every SageMaker training job into partitioned Parquet',
      role: this.role,
      logGroup,
      memorySize,
      timeout,
      // The state machine collects `parallelTargets` targets at once; more invocations would only compete for the API limits.
      reservedConcurrentExecutions: collector.parallelTargets,
      tracing,
      writesParquet: true,
      failuresSurface:
        'Invoked synchronously by the state machine, which retries and catches each step and alarms on a failed execution, or directly by an operator; a Lambda dead-letter queue receives only asynchronous invocations.',
      environment: {
        SM_INVENTORY_REGIONS: regions.join(','),
        SM_INVENTORY_OUTPUT: this.outputRoot,
        SM_INVENTORY_ROLE_ARNS: memberRoles.join(','),
        SM_INVENTORY_INCLUDE_CALLER_ACCOUNT: String(props.includeOwnAccount ?? true),
        SM_INVENTORY_KMS_KEY_ARN: this.encryptionKey.keyArn,
        ...(organization
          ? {
              SM_INVENTORY_ORGANIZATION: 'true',
              SM_INVENTORY_ORGANIZATION_ROLE_NAME: organizationRoleName,
              SM_INVENTORY_ORGANIZATION_ACCOUNTS: (organization.includeAccounts ?? []).join(','),
              SM_INVENTORY_ORGANIZATION_EXCLUDE_ACCOUNTS: (organization.excludeAccounts ?? []).join(','),
            }
          : {}),
        SM_INVENTORY_FIRST_SNAPSHOT_DATE: projectionStartDate,
        ...collectorVariables,
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        ...props.functionEnvironment,
      },
    });

    this.deadLetterQueue = scheduleDeadLetterQueue(this, 'DeadLetterQueue', this.encryptionKey, 'daily snapshot');

    this.stateMachine = new SnapshotStateMachine(this, 'StateMachine', {
      function: this.function,
      functionTimeout: timeout,
      maxConcurrency: collector.parallelTargets,
      encryptionKey: this.encryptionKey,
      logRetention,
      tracing,
      timeout: maxRunDuration,
    }).stateMachine;

    const snapshotSchedulerRole = schedulerRole(
      this,
      'SchedulerRole',
      this.encryptionKey,
      'EventBridge Scheduler: start the inventory state machine, dead-letter to its queue',
    );
    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      schedule: props.schedule ?? scheduler.ScheduleExpression.cron({ minute: '0', hour: '2' }),
      description: 'Daily SageMaker training-job snapshot',
      // `{}`: today's date, incremental where a previous snapshot allows. An operator starts it with
      // {"snapshotDate": "YYYY-MM-DD", "full": true} to re-run a date or force a full describe.
      target: new targets.StepFunctionsStartExecution(this.stateMachine, {
        role: snapshotSchedulerRole,
        input: scheduler.ScheduleTargetInput.fromObject({}),
        deadLetterQueue: this.deadLetterQueue,
        retryAttempts: 2,
        maxEventAge: Duration.hours(6),
      }),
    });

    this.glueTable = new InventoryGlueTables(this, 'Catalog', {
      schemas: TABLE_SCHEMAS,
      databaseName,
      tableNames: { [TRAINING_JOB_SCHEMA.table]: tableName },
      locationRoot: `s3://${this.bucket.bucketName}/${prefix}/`,
      regions,
      projectionStartDate,
    });

    this.workgroup = new athena.CfnWorkGroup(this, 'Workgroup', {
      name: `${databaseName}-${stack.stackName}`
        .toLowerCase()
        .replace(/[^a-z0-9._-]/g, '-')
        .slice(0, 128),
      description: 'Queries over the SageMaker training-job inventory',
      recursiveDeleteOption: true,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: bytesCutoff,
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        resultConfiguration: {
          outputLocation: `s3://${this.bucket.bucketName}/${ATHENA_RESULTS_PREFIX}`,
          encryptionConfiguration: { encryptionOption: 'SSE_KMS', kmsKey: this.encryptionKey.keyArn },
        },
      },
    });

    this.views = new AthenaViews(this, 'Views', {
      workgroup: this.workgroup,
      databaseName,
      tableName,
      tables: TABLE_SCHEMAS,
      resultsBucket: this.bucket,
      resultsPrefix: ATHENA_RESULTS_PREFIX,
      encryptionKey: this.encryptionKey,
      tagKeys: props.costAllocationTagKeys ?? DEFAULT_COST_TAG_KEYS,
      logRetention,
      tracing,
    });
    this.views.node.addDependency(this.glueTable);

    this.alarms = this.createAlarms(schedulePeriod, props.alarmTopic);

    if (props.priceRefreshSchedule !== false) {
      this.priceRefresh = new PriceRefresh(this, 'Prices', {
        bucket: this.bucket,
        prefix,
        encryptionKey: this.encryptionKey,
        regions,
        schedule: props.priceRefreshSchedule,
        logRetention,
        tracing,
        alarmTopic: props.alarmTopic,
      });
    }
    if (props.quickSight) {
      this.quickSight = new QuickSightCostDashboard(this, 'QuickSight', {
        ...props.quickSight,
        workgroup: this.workgroup,
        databaseName,
        tagKeys: props.costAllocationTagKeys ?? DEFAULT_COST_TAG_KEYS,
        grantQuery: (grantee) => this.grantQuery(grantee),
        database: this.glueTable.database,
        bucket: this.bucket,
        grantedPrefixes: [...this.tablePrefixes.map((p) => `${p}/`), ATHENA_RESULTS_PREFIX],
      });
      this.quickSight.node.addDependency(this.views);
    }
  }

  private createBucket(prefix: string): s3.Bucket {
    const accessLogs = new s3.Bucket(this, 'AccessLogs', {
      // Server access logging delivers only to buckets with S3-managed encryption.
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: Duration.days(365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: "This bucket receives the data bucket's server access logs; logging it too would only log the logging.",
    });
    return new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.encryptionKey,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'data-bucket/',
      lifecycleRules: [
        { id: 'noncurrent-versions', noncurrentVersionExpiration: Duration.days(30) },
        { id: 'incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
        { id: 'athena-results', prefix: ATHENA_RESULTS_PREFIX, expiration: Duration.days(30) },
        // Checkpoints and parts of runs that were abandoned; a finished run deletes its own. `_state/` never expires:
        // it tells the next run which snapshot to start from.
        { id: 'abandoned-work', prefix: `${prefix}/${WORK_PREFIX}/`, expiration: Duration.days(7) },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /**
   * Lets `grantee` query the inventory in Athena (QuickSight's service role, an analyst's role): run
   * queries in the workgroup, read the Glue database, its tables and views, read every table's objects,
   * write and read its own results, and use the key for both.
   */
  grantQuery(grantee: iam.IGrantable): iam.Grant {
    const stack = Stack.of(this);
    const database = this.glueTable.database.ref;
    const statements = [
      new iam.PolicyStatement({
        actions: [
          'athena:StartQueryExecution',
          'athena:GetQueryExecution',
          'athena:GetQueryResults',
          'athena:StopQueryExecution',
          'athena:GetWorkGroup',
        ],
        resources: [stack.formatArn({ service: 'athena', resource: 'workgroup', resourceName: this.workgroup.ref })],
      }),
      new iam.PolicyStatement({
        actions: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetTables', 'glue:GetPartition', 'glue:GetPartitions'],
        resources: [
          stack.formatArn({ service: 'glue', resource: 'catalog' }),
          stack.formatArn({ service: 'glue', resource: 'database', resourceName: database }),
          stack.formatArn({ service: 'glue', resource: 'table', resourceName: `${database}/*` }),
        ],
      }),
      new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: this.tablePrefixes.map((p) => this.bucket.arnForObjects(`${p}/*`)) }),
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [this.bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [...this.tablePrefixes.map((p) => `${p}/*`), `${ATHENA_RESULTS_PREFIX}*`] } },
      }),
      // Athena checks the results bucket's region before every query; that request carries no s3:prefix.
      new iam.PolicyStatement({ actions: ['s3:GetBucketLocation'], resources: [this.bucket.bucketArn] }),
      new iam.PolicyStatement({
        actions: ['s3:PutObject', 's3:GetObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
        resources: [this.bucket.arnForObjects(`${ATHENA_RESULTS_PREFIX}*`)],
      }),
      new iam.PolicyStatement({ actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: [this.encryptionKey.keyArn] }),
    ];
    let grant: iam.Grant | undefined;
    for (const statement of statements) {
      const next = iam.Grant.addToPrincipal({
        grantee,
        actions: statement.actions,
        resourceArns: statement.resources,
        conditions: statement.conditions,
      });
      grant = grant ? grant.combine(next) : next;
    }
    return grant!;
  }

  /** The tables the snapshot function writes: the training jobs and the record of each run. */
  private snapshotTablePrefixes(): string[] {
    return [TRAINING_JOB_SCHEMA, INVENTORY_RUN_SCHEMA].map((schema) => `${this.tablePrefixes[TABLE_SCHEMAS.indexOf(schema)]}`);
  }

  private grantCollectorPermissions(
    memberRoles: readonly string[],
    logGroup: logs.LogGroup,
    prefix: string,
    organizationRoleName: string | undefined,
  ): void {
    const stack = Stack.of(this);
    const workArea = this.bucket.arnForObjects(`${prefix}/${WORK_PREFIX}/*`);
    const runState = this.bucket.arnForObjects(`${prefix}/${STATE_PREFIX}/*`);
    const trainingJobObjects = this.bucket.arnForObjects(`${prefix}/${TRAINING_JOB_SCHEMA.table}/*`);
    const policy = new iam.Policy(this, 'CollectorPolicy', {
      statements: [
        ...collectorStatements(stack.formatArn({ service: 'sagemaker', region: '*', resource: 'training-job', resourceName: '*' })),
        new iam.PolicyStatement({
          sid: 'WriteSnapshots',
          actions: ['s3:PutObject', 's3:AbortMultipartUpload'],
          // The snapshot objects and, after each, its run record; prices are the price function's to write.
          resources: this.snapshotTablePrefixes().map((p) => this.bucket.arnForObjects(`${p}/*`)),
        }),
        new iam.PolicyStatement({
          sid: 'WorkArea',
          // Leases (conditional writes), checkpoints, progress and parts of resumable runs, deleted after the publish.
          actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:DeleteObject'],
          resources: [workArea],
        }),
        // Which object the latest snapshot of each (account, region) is: read and replaced, never deleted.
        new iam.PolicyStatement({
          sid: 'RunState',
          actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'],
          resources: [runState],
        }),
        // An incremental run reads the previous snapshot to carry its unchanged rows.
        new iam.PolicyStatement({ sid: 'ReadPreviousSnapshots', actions: ['s3:GetObject'], resources: [trainingJobObjects] }),
        new iam.PolicyStatement({
          sid: 'MissingObjectsAreNotFound',
          // Without ListBucket, S3 answers a missing key (no state, no checkpoint, no lease yet) with 403, not 404.
          actions: ['s3:ListBucket'],
          resources: [this.bucket.bucketArn],
        }),
        new iam.PolicyStatement({
          sid: 'EncryptSnapshots',
          actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
          resources: [this.encryptionKey.keyArn],
        }),
        new iam.PolicyStatement({
          sid: 'WriteOwnLogs',
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [logGroup.logGroupArn],
        }),
        ...(memberRoles.length > 0 ? [memberRoleArnsStatement(memberRoles)] : []),
        ...(organizationRoleName
          ? [
              new iam.PolicyStatement({ sid: 'ListOrganizationAccounts', actions: ['organizations:ListAccounts'], resources: ['*'] }),
              new iam.PolicyStatement({
                sid: 'AssumeOrganizationRoles',
                actions: ['sts:AssumeRole'],
                resources: [
                  stack.formatArn({ service: 'iam', region: '', account: '*', resource: 'role', resourceName: organizationRoleName }),
                ],
                // Only roles in accounts of this organization.
                conditions: { StringEquals: { 'aws:ResourceOrgID': '${aws:PrincipalOrgID}' } },
              }),
            ]
          : []),
      ],
    });
    policy.attachToRole(this.role);
    const reasons: Record<string, string> = {
      '*': `sagemaker:ListTrainingJobs and tag:GetResources${organizationRoleName ? ' (and organizations:ListAccounts)' : ''} do not support resource-level permissions.`,
      // cdk-nag names the account as the stack's env gives it: a token, or the account id itself.
      [`arn:<AWS::Partition>:sagemaker:*:${Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account}:training-job/*`]:
        'The collector describes every training job of the account in each configured region; their names are not known in advance.',
    };
    if (organizationRoleName) {
      reasons[`arn:<AWS::Partition>:iam::*:role/${organizationRoleName}`] =
        "The organization's accounts are listed at run time; the role of this one name is assumable only in accounts of this organization (aws:ResourceOrgID).";
    }
    const bucketInFinding = bucketArnInNagFinding(this.bucket);
    if (bucketInFinding) {
      for (const tablePrefix of this.snapshotTablePrefixes()) {
        reasons[`${bucketInFinding}/${tablePrefix}/*`] =
          "Objects are written under each table's prefix only; their keys carry the date, region and account. The training-job table's previous snapshots are read back by incremental runs.";
      }
      reasons[`${bucketInFinding}/${prefix}/${WORK_PREFIX}/*`] =
        'The work area of resumable runs: one folder per (table, date, region, account), with a lease, a checkpoint, progress and parts.';
      reasons[`${bucketInFinding}/${prefix}/${STATE_PREFIX}/*`] =
        'One small object per (table, region, account) naming its latest snapshot, read by the next run.';
    }
    for (const [resource, reason] of Object.entries(reasons)) {
      Validations.of(policy).acknowledge({ id: `AwsSolutions-IAM5[Resource::${resource}]`, reason });
    }
  }

  private createAlarms(schedulePeriod: Duration, topic?: sns.ITopic): cloudwatch.Alarm[] {
    const errors = new cloudwatch.Alarm(this, 'FunctionErrors', {
      alarmDescription:
        'The inventory function failed: a direct run left at least one (account, region) unwritten, or a state machine step failed (it is retried; see the execution). See its logs.',
      metric: this.function.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const executions = new cloudwatch.Alarm(this, 'ExecutionsFailed', {
      alarmDescription:
        "A snapshot execution failed, timed out or was aborted: at least one (account, region) was not written (the Failed state's cause names each), or the run could not start. See the execution.",
      metric: new cloudwatch.MathExpression({
        expression: 'failed + timedOut + aborted',
        usingMetrics: {
          failed: this.stateMachine.metricFailed({ statistic: 'Sum' }),
          timedOut: this.stateMachine.metricTimedOut({ statistic: 'Sum' }),
          aborted: this.stateMachine.metricAborted({ statistic: 'Sum' }),
        },
        period: Duration.minutes(5),
        label: 'executions not succeeded',
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const deadLetters = new cloudwatch.Alarm(this, 'DeadLetters', {
      alarmDescription: 'A scheduled execution could not be started after its retries.',
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const missing = new cloudwatch.Alarm(this, 'NoSnapshotWritten', {
      alarmDescription: `No snapshot object was written in two schedule periods (${schedulePeriod.toHumanString()} each).`,
      metric: new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName: METRIC.SnapshotsWritten,
        dimensionsMap: { service: SERVICE_NAME },
        statistic: 'Sum',
        period: schedulePeriod,
      }),
      threshold: 1,
      evaluationPeriods: 2,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    const incomplete = new cloudwatch.Alarm(this, 'SnapshotsIncomplete', {
      alarmDescription:
        "A snapshot was published without some jobs: their Describe kept failing or their data could not be mapped. The run table (sagemaker_inventory_run) counts them, the function's log names each ARN with its reason; the next run describes them again.",
      metric: new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName: METRIC.SnapshotsIncomplete,
        dimensionsMap: { service: SERVICE_NAME },
        statistic: 'Sum',
        period: Duration.minutes(5),
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const alarms = [errors, executions, deadLetters, missing, incomplete];
    if (topic) {
      for (const alarm of alarms) {
        alarm.addAlarmAction(new cloudwatchActions.SnsAction(topic));
        alarm.addOkAction(new cloudwatchActions.SnsAction(topic));
      }
    }
    return alarms;
  }
}
