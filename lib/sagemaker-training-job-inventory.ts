import { Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { join } from 'node:path';
import { TRAINING_JOB_SCHEMA } from '../lambda/schema/table-schema';
import { DEFAULT_COST_TAG_KEYS } from '../lambda/query/sql-catalog';
import { AthenaViews } from './athena-views';
import { bucketArnInNagFinding } from './nag-names';
import { TrainingJobGlueTable } from './glue-table';

/** The read-only SageMaker and tagging actions the collector calls, in the inventory account and in member accounts. */
export const SAGEMAKER_READ_ACTIONS = ['sagemaker:ListTrainingJobs', 'sagemaker:DescribeTrainingJob', 'sagemaker:ListTags', 'sagemaker:Search'];
export const TAGGING_READ_ACTIONS = ['tag:GetResources'];
/** Name of the role member accounts deploy (see MemberAccountRoleStack); role ARNs are built from it. */
export const MEMBER_ROLE_NAME = 'SageMakerJobInventoryRead';
/** The metric namespace the Lambda's EMF metrics go to. */
export const METRICS_NAMESPACE = 'SageMakerJobInventory';
const SERVICE = 'sagemaker-job-inventory';
const ATHENA_RESULTS_PREFIX = 'athena-results/';

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
   * Where snapshots and Athena results go.
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
   * Key for the bucket, the dead-letter queue and Athena results.
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
   * Extra environment for the function (e.g. SM_INVENTORY_LIMITS, SM_INVENTORY_TAG_STRATEGY).
   * @default none
   */
  readonly functionEnvironment?: Record<string, string>;
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;
const GLUE_NAME = /^[a-z0-9_]{1,255}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const PREFIX = /^[A-Za-z0-9!_.*'()-]+(\/[A-Za-z0-9!_.*'()-]+)*$/;

/** Throws with a message naming the prop, what it received and what is allowed. Tokens are checked at deploy time instead. */
function check(ok: boolean, prop: string, received: unknown, allowed: string): void {
  if (!ok) throw new Error(`${prop} is ${JSON.stringify(received)}; allowed: ${allowed}`);
}

/**
 * A scheduled SageMaker training-job inventory: a Lambda snapshots every training job of the given
 * regions and accounts into date-partitioned Parquet on S3, a Glue table (partition projection) and
 * an Athena workgroup make it queryable, and alarms report failed or missing snapshots.
 */
export class SageMakerTrainingJobInventory extends Construct {
  readonly bucket: s3.IBucket;
  readonly encryptionKey: kms.IKey;
  readonly function: nodejs.NodejsFunction;
  readonly role: iam.Role;
  readonly deadLetterQueue: sqs.Queue;
  readonly schedule: scheduler.Schedule;
  readonly glueTable: TrainingJobGlueTable;
  readonly workgroup: athena.CfnWorkGroup;
  readonly alarms: readonly cloudwatch.Alarm[];
  readonly views: AthenaViews;
  /** s3://bucket/prefix: what the function's SM_INVENTORY_OUTPUT holds. */
  readonly outputRoot: string;

  constructor(scope: Construct, id: string, props: SageMakerTrainingJobInventoryProps = {}) {
    super(scope, id);
    const stack = Stack.of(this);
    const regions = props.regions ?? [stack.region];
    const memberRoles = props.memberAccountRoleArns ?? [];
    const prefix = props.prefix ?? 'inventory';
    const databaseName = props.databaseName ?? 'sagemaker_inventory';
    const tableName = props.tableName ?? TRAINING_JOB_SCHEMA.table;
    const memorySize = props.memorySize ?? 1024;
    const timeout = props.timeout ?? Duration.minutes(15);
    const schedulePeriod = props.schedulePeriod ?? Duration.days(1);
    const projectionStartDate = props.projectionStartDate ?? '2024-01-01';
    const bytesCutoff = props.athenaBytesScannedCutoff ?? 10 * 1024 ** 3;

    check(regions.length > 0, 'regions', regions, 'one or more AWS Region codes');
    for (const region of regions) {
      if (!Token.isUnresolved(region)) check(REGION.test(region), 'regions', region, 'AWS Region codes such as us-east-1');
    }
    for (const arn of memberRoles) {
      if (!Token.isUnresolved(arn)) check(ROLE_ARN.test(arn), 'memberAccountRoleArns', arn, `IAM role ARNs such as arn:aws:iam::123456789012:role/${MEMBER_ROLE_NAME}`);
    }
    check(props.includeOwnAccount !== false || memberRoles.length > 0, 'includeOwnAccount', false, 'false only together with memberAccountRoleArns');
    if (!Token.isUnresolved(prefix)) check(PREFIX.test(prefix), 'prefix', prefix, 'an S3 key prefix without leading or trailing slashes');
    for (const [name, value] of [['databaseName', databaseName], ['tableName', tableName]] as const) {
      if (!Token.isUnresolved(value)) check(GLUE_NAME.test(value), name, value, 'lower-case letters, digits and underscores (Athena-compatible)');
    }
    if (!Token.isUnresolved(memorySize)) check(Number.isInteger(memorySize) && memorySize >= 256 && memorySize <= 10240, 'memorySize', memorySize, 'a whole number of MiB from 256 to 10240');
    check(timeout.toSeconds() >= 60 && timeout.toSeconds() <= 900, 'timeout', timeout.toHumanString(), '1 to 15 minutes');
    check(
      schedulePeriod.toSeconds() >= 3600 && schedulePeriod.toSeconds() * 2 <= 7 * 86400,
      'schedulePeriod',
      schedulePeriod.toHumanString(),
      'from 1 hour to 3.5 days',
    );
    check(DATE.test(projectionStartDate) && !Number.isNaN(Date.parse(projectionStartDate)), 'projectionStartDate', projectionStartDate, 'a date as YYYY-MM-DD');
    check(Number.isInteger(bytesCutoff) && bytesCutoff >= 10_000_000, 'athenaBytesScannedCutoff', bytesCutoff, 'a whole number of bytes, at least 10000000');

    this.encryptionKey =
      props.encryptionKey ??
      new kms.Key(this, 'Key', {
        description: 'SageMaker job inventory: snapshots, dead-letter queue, Athena results',
        enableKeyRotation: true,
        removalPolicy: RemovalPolicy.RETAIN,
      });

    this.bucket = props.bucket ?? this.createBucket();
    this.outputRoot = `s3://${this.bucket.bucketName}/${prefix}`;
    const tablePrefix = `${prefix}/${TRAINING_JOB_SCHEMA.table}`;

    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'SageMaker job inventory collector: read training jobs, write snapshots',
    });
    this.grantCollectorPermissions(memberRoles, tablePrefix, logGroup);

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: join(__dirname, '..', 'lambda', 'handler.ts'),
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize,
      timeout,
      // One run at a time: a retry or manual invocation must not compete with a running one for the API limits.
      reservedConcurrentExecutions: 1,
      role: this.role,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      description: 'Snapshots every SageMaker training job into partitioned Parquet',
      projectRoot: join(__dirname, '..'),
      depsLockFilePath: join(__dirname, '..', 'package-lock.json'),
      environment: {
        SM_INVENTORY_REGIONS: regions.join(','),
        SM_INVENTORY_OUTPUT: this.outputRoot,
        SM_INVENTORY_ROLE_ARNS: memberRoles.join(','),
        SM_INVENTORY_INCLUDE_CALLER_ACCOUNT: String(props.includeOwnAccount ?? true),
        SM_INVENTORY_KMS_KEY_ARN: this.encryptionKey.keyArn,
        POWERTOOLS_SERVICE_NAME: SERVICE,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        NODE_OPTIONS: '--enable-source-maps',
        ...props.functionEnvironment,
      },
      bundling: {
        // What is tested is what is deployed: the SDK is bundled, not taken from the runtime.
        externalModules: [],
        format: nodejs.OutputFormat.CJS,
        target: 'node22',
        minify: true,
        sourceMap: true,
        // parquet-wasm's Node build reads its .wasm from beside its own file, i.e. beside the bundle.
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (inputDir: string, outputDir: string) => [
            `cp "${inputDir}/node_modules/parquet-wasm/node/parquet_wasm_bg.wasm" "${outputDir}/parquet_wasm_bg.wasm"`,
          ],
        },
      },
    });

    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason: 'Pinned to nodejs22.x, the runtime the bundle is built and tested for; moving to a newer runtime is a deliberate, tested change.',
    });

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: this.encryptionKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter queue of the EventBridge Scheduler target; it has nowhere further to redrive.',
    });

    const schedulerRole = new iam.Role(this, 'SchedulerRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': stack.account } } }),
      description: 'EventBridge Scheduler: invoke the inventory function, dead-letter to its queue',
    });
    // The dead-letter queue is KMS-encrypted: sending to it needs the key too.
    this.encryptionKey.grant(schedulerRole, 'kms:GenerateDataKey', 'kms:Decrypt');
    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      schedule: props.schedule ?? scheduler.ScheduleExpression.cron({ minute: '0', hour: '2' }),
      description: 'Daily SageMaker training-job snapshot',
      target: new targets.LambdaInvoke(this.function, {
        role: schedulerRole,
        input: scheduler.ScheduleTargetInput.fromObject({}),
        deadLetterQueue: this.deadLetterQueue,
        retryAttempts: 2,
        maxEventAge: Duration.hours(6),
      }),
    });

    Validations.of(schedulerRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(this.function.node.defaultChild as lambda.CfnFunction)}.Arn>:*]`,
      reason: 'EventBridge Scheduler\'s role may invoke this one function, including its versions and aliases; no other function.',
    });

    this.glueTable = new TrainingJobGlueTable(this, 'Catalog', {
      schema: TRAINING_JOB_SCHEMA,
      databaseName,
      tableName,
      location: `s3://${this.bucket.bucketName}/${tablePrefix}/`,
      regions,
      projectionStartDate,
    });

    this.workgroup = new athena.CfnWorkGroup(this, 'Workgroup', {
      name: `${databaseName}-${stack.stackName}`.toLowerCase().replace(/[^a-z0-9._-]/g, '-').slice(0, 128),
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
      resultsBucket: this.bucket,
      resultsPrefix: ATHENA_RESULTS_PREFIX,
      encryptionKey: this.encryptionKey,
      tagKeys: props.costAllocationTagKeys ?? DEFAULT_COST_TAG_KEYS,
      logRetention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
    });
    this.views.node.addDependency(this.glueTable);

    this.alarms = this.createAlarms(schedulePeriod, props.alarmTopic);
  }

  private createBucket(): s3.Bucket {
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
      reason: 'This bucket receives the data bucket\'s server access logs; logging it too would only log the logging.',
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
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  private grantCollectorPermissions(memberRoles: readonly string[], tablePrefix: string, logGroup: logs.LogGroup): void {
    const stack = Stack.of(this);
    const policy = new iam.Policy(this, 'CollectorPolicy', {
      statements: [
        new iam.PolicyStatement({
          sid: 'ListAndSearchTrainingJobs',
          actions: ['sagemaker:ListTrainingJobs', 'sagemaker:Search', 'tag:GetResources'],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          sid: 'DescribeTrainingJobs',
          actions: ['sagemaker:DescribeTrainingJob', 'sagemaker:ListTags'],
          resources: [stack.formatArn({ service: 'sagemaker', region: '*', resource: 'training-job', resourceName: '*' })],
        }),
        new iam.PolicyStatement({
          sid: 'WriteSnapshots',
          actions: ['s3:PutObject', 's3:GetObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
          resources: [this.bucket.arnForObjects(`${tablePrefix}/*`)],
        }),
        new iam.PolicyStatement({
          sid: 'ListSnapshots',
          actions: ['s3:ListBucket'],
          resources: [this.bucket.bucketArn],
          conditions: { StringLike: { 's3:prefix': [`${tablePrefix}/*`] } },
        }),
        new iam.PolicyStatement({
          sid: 'EncryptSnapshots',
          actions: ['kms:GenerateDataKey', 'kms:Decrypt', 'kms:Encrypt'],
          resources: [this.encryptionKey.keyArn],
        }),
        new iam.PolicyStatement({
          sid: 'WriteOwnLogs',
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [logGroup.logGroupArn],
        }),
        ...(memberRoles.length > 0 ? [new iam.PolicyStatement({ sid: 'AssumeMemberAccountRoles', actions: ['sts:AssumeRole'], resources: [...memberRoles] })] : []),
      ],
    });
    policy.attachToRole(this.role);
    const reasons: Record<string, string> = {
      '*': 'sagemaker:ListTrainingJobs, sagemaker:Search and tag:GetResources do not support resource-level permissions.',
      'arn:<AWS::Partition>:sagemaker:*:<AWS::AccountId>:training-job/*':
        'The collector describes every training job of the account in each configured region; their names are not known in advance.',
    };
    const bucketInFinding = bucketArnInNagFinding(this.bucket);
    if (bucketInFinding) {
      reasons[`${bucketInFinding}/${tablePrefix}/*`] = 'Snapshot objects are written under the table prefix only; their keys carry the date, region and account.';
    }
    for (const [resource, reason] of Object.entries(reasons)) {
      Validations.of(policy).acknowledge({ id: `AwsSolutions-IAM5[Resource::${resource}]`, reason });
    }
  }

  private createAlarms(schedulePeriod: Duration, topic?: sns.ITopic): cloudwatch.Alarm[] {
    const errors = new cloudwatch.Alarm(this, 'FunctionErrors', {
      alarmDescription: 'The inventory function failed: a snapshot of at least one (account, region) was not written. See its logs.',
      metric: this.function.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const deadLetters = new cloudwatch.Alarm(this, 'DeadLetters', {
      alarmDescription: 'A scheduled invocation could not be delivered to the inventory function after its retries.',
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
        metricName: 'SnapshotsWritten',
        dimensionsMap: { service: SERVICE },
        statistic: 'Sum',
        period: schedulePeriod,
      }),
      threshold: 1,
      evaluationPeriods: 2,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    const alarms = [errors, deadLetters, missing];
    if (topic) {
      for (const alarm of alarms) {
        alarm.addAlarmAction(new cloudwatchActions.SnsAction(topic));
        alarm.addOkAction(new cloudwatchActions.SnsAction(topic));
      }
    }
    return alarms;
  }
}
