import { Duration, Stack } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ATHENA_RESULTS_PREFIX, type SourceOperation } from '../lambda/core/names';
import {
  INSTANCE_PRICE_SCHEMA,
  INVENTORY_RUN_SCHEMA,
  TABLE_SCHEMAS,
  TRAINING_JOB_LEDGER_SCHEMA,
  TRAINING_JOB_SCHEMA,
} from '../lambda/core/schema/table-schema';
import { loadSqlCatalog, qualifyViews } from '../lambda/core/query/sql-catalog';
import { ALARM_PERIOD, deadLettersAlarm, functionErrorsAlarm, inventoryAlarm } from './alarms';
import { AthenaViews } from './athena-views';
import { collectorPolicy } from './collector-policy';
import { acknowledgeCostAndUsageReportRead, costAndUsageReportReadStatements, validateCostAndUsageReport } from './cost-and-usage-report';
import { ForwardedEventsBusPolicy, forwardedEventSenders } from './forwarded-events-policy';
import { bundledFunction, encryptedLogGroup, scheduleDeadLetterQueue, schedulerRole } from './function-parts';
import { InventoryGlueTables } from './glue-table';
import { inventoryBucket } from './inventory-bucket';
import { inventoryMetric, type InventoryMetricName } from './inventory-metrics';
import type { CostAndUsageReportProps, QuickSightProps, SageMakerTrainingJobInventoryProps } from './inventory-props';
import { PriceRefresh } from './price-refresh';
import { QuickSightCostDashboard } from './quicksight';
import { LiveEvents } from './live-events';
import type { ResolvedLiveEvents } from './resolve-live-events';
import { eventsEnvironment, resolveProps, snapshotEnvironment, type ResolvedInventoryProps } from './resolve-props';
import { SnapshotStateMachine } from './snapshot-state-machine';

export type {
  CollectorSettings,
  CostAndUsageReportProps,
  LiveEventsProps,
  OrganizationTargets,
  QuickSightProps,
  SageMakerTrainingJobInventoryProps,
} from './inventory-props';
export { resolveProps, type ResolvedInventoryProps, type ResolveContext } from './resolve-props';
export type { InventoryMetricName } from './inventory-metrics';
export { LiveEvents, type LiveEventsMetricName } from './live-events';

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
  /** The Cost and Usage Report the billed-cost views read; undefined without the `costAndUsageReport` prop. */
  readonly costAndUsageReport?: CostAndUsageReportProps;
  /** The QuickSight data source, datasets and dashboard; undefined without the `quickSight` prop. */
  readonly quickSight?: QuickSightCostDashboard;
  /**
   * This account's default event bus in the stack's region and its policy admitting the other accounts' forwarded
   * state changes (`eventBus.eventBusArn` is the forwarding template's parameter); undefined without `liveEvents`.
   */
  readonly forwardedEvents?: ForwardedEventsBusPolicy;
  /** The live path (rule, queue, dead-letter queue, events function, alarms); undefined without the `liveEvents` prop. */
  readonly liveEvents?: LiveEvents;

  constructor(scope: Construct, id: string, props: SageMakerTrainingJobInventoryProps = {}) {
    super(scope, id);
    const resolved = resolveProps(props, { path: this.node.path, stackRegion: Stack.of(this).region });
    const { prefix, removalPolicy, logRetention, tracing } = resolved;

    this.encryptionKey =
      props.encryptionKey ??
      new kms.Key(this, 'Key', {
        description: 'SageMaker job inventory: snapshots, dead-letter queue, Athena results',
        enableKeyRotation: true,
        removalPolicy,
      });
    this.bucket = props.bucket ?? inventoryBucket(this, { encryptionKey: this.encryptionKey, prefix, removalPolicy });
    this.outputRoot = `s3://${this.bucket.bucketName}/${prefix}`;
    this.tablePrefixes = TABLE_SCHEMAS.map((schema) => `${prefix}/${schema.table}`);
    this.tablePrefix = `${prefix}/${TRAINING_JOB_SCHEMA.table}`;
    this.priceTablePrefix = `${prefix}/${INSTANCE_PRICE_SCHEMA.table}`;

    [this.role, this.function] = this.createCollector(resolved);
    this.stateMachine = new SnapshotStateMachine(this, 'StateMachine', {
      function: this.function,
      functionTimeout: resolved.timeout,
      maxConcurrency: resolved.parallelTargets,
      encryptionKey: this.encryptionKey,
      logRetention,
      tracing,
      timeout: resolved.maxRunDuration,
      removalPolicy,
    }).stateMachine;
    this.deadLetterQueue = scheduleDeadLetterQueue(this, 'DeadLetterQueue', this.encryptionKey, 'daily snapshot');
    this.schedule = this.createSchedule(resolved.schedule);

    this.glueTable = new InventoryGlueTables(this, 'Catalog', {
      schemas: TABLE_SCHEMAS,
      databaseName: resolved.databaseName,
      tableNames: { [TRAINING_JOB_SCHEMA.table]: resolved.tableName },
      locationRoot: `s3://${this.bucket.bucketName}/${prefix}/`,
      regions: resolved.regions,
      projectionStartDate: resolved.projectionStartDate,
    });
    this.workgroup = this.createWorkgroup(resolved);
    this.costAndUsageReport = props.costAndUsageReport && validateCostAndUsageReport(props.costAndUsageReport, this.node.path);
    this.views = new AthenaViews(this, 'Views', {
      costAndUsageReport: this.costAndUsageReport,
      workgroup: this.workgroup,
      databaseName: resolved.databaseName,
      tableName: resolved.tableName,
      tables: TABLE_SCHEMAS,
      resultsBucket: this.bucket,
      resultsPrefix: ATHENA_RESULTS_PREFIX,
      encryptionKey: this.encryptionKey,
      tagKeys: resolved.costAllocationTagKeys,
      staleAfterDays: resolved.staleAfterDays,
      logRetention,
      tracing,
      removalPolicy,
    });
    this.views.node.addDependency(this.glueTable);
    this.alarms = this.createAlarms(resolved.schedulePeriod, props.alarmTopic);

    if (props.priceRefreshSchedule !== false) this.priceRefresh = this.createPriceRefresh(resolved, props);
    if (props.quickSight) this.quickSight = this.createQuickSight(resolved, props.quickSight);
    if (resolved.liveEvents) {
      const senders = forwardedEventSenders(
        {
          memberAccountRoleArns: resolved.memberAccountRoleArns,
          listedAccounts: resolved.organization?.includeAccounts ?? [],
          organizationId: resolved.liveEvents.organizationId,
        },
        Stack.of(this).account,
      );
      this.forwardedEvents = new ForwardedEventsBusPolicy(this, 'ForwardedEvents', senders);
      this.liveEvents = this.createLiveEvents({ ...resolved, liveEvents: resolved.liveEvents }, props.alarmTopic);
    }
  }

  /**
   * A metric the snapshot function emits, in its namespace with the `service` dimension of the run
   * totals; summed over five minutes unless `props` say otherwise. For alarms and dashboards of your own.
   */
  metric(metricName: InventoryMetricName, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return inventoryMetric(metricName, props);
  }

  /** (account, region) snapshots published by a run, whole or incomplete. */
  metricSnapshotsWritten(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('SnapshotsWritten', props);
  }

  /** (account, region) snapshots a run could not publish. */
  metricSnapshotsFailed(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('SnapshotsFailed', props);
  }

  /** (account, region) snapshots published without some jobs (set aside; the next run describes them again). */
  metricSnapshotsIncomplete(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('SnapshotsIncomplete', props);
  }

  /** Training jobs written into snapshots by a run. */
  metricJobsWritten(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('JobsWritten', props);
  }

  /** Milliseconds a run took, from its start to its summary; the maximum unless `props` say otherwise. */
  metricRunDuration(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('RunDuration', { statistic: 'Maximum', ...props });
  }

  /** Calls made to one source API operation (each attempt counts). */
  metricApiCalls(operation: SourceOperation, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return inventoryMetric('ApiCalls', props, operation);
  }

  /** Calls to one source API operation the service throttled. */
  metricThrottles(operation: SourceOperation, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return inventoryMetric('Throttles', props, operation);
  }

  /** Calls to one source API operation retried after a throttle, a 5xx or a network failure. */
  metricRetries(operation: SourceOperation, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return inventoryMetric('Retries', props, operation);
  }

  /**
   * Lets `grantee` query the inventory in Athena (QuickSight's service role, an analyst's role): run
   * queries in the workgroup, read the Glue database, its tables and views, read every table's objects,
   * write and read its own results, and use the key for both; with `costAndUsageReport`, read the CUR table
   * and the export's data objects too.
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
      ...(this.costAndUsageReport ? costAndUsageReportReadStatements(stack, this.costAndUsageReport) : []),
    ];
    if (this.costAndUsageReport) acknowledgeCostAndUsageReportRead(grantee, this.costAndUsageReport);
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

  /** The snapshot function, its log group, and its role with the collector's policy. */
  private createCollector(resolved: ResolvedInventoryProps): [iam.Role, lambda.Function] {
    const { prefix, removalPolicy, logRetention, tracing } = resolved;
    const logGroup = encryptedLogGroup(this, 'Logs', { encryptionKey: this.encryptionKey, retention: logRetention, removalPolicy });
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'SageMaker job inventory collector: read training jobs, write snapshots',
    });
    collectorPolicy(this, 'CollectorPolicy', {
      role,
      bucket: this.bucket,
      encryptionKey: this.encryptionKey,
      logGroup,
      prefix,
      snapshotTablePrefixes: [TRAINING_JOB_SCHEMA, INVENTORY_RUN_SCHEMA, TRAINING_JOB_LEDGER_SCHEMA].map(
        (schema) => `${prefix}/${schema.table}`,
      ),
      memberRoleArns: resolved.memberAccountRoleArns,
      organizationRoleName: resolved.organization?.roleName,
    });
    const fn = bundledFunction(this, 'Function', {
      entry: 'snapshot',
      description: 'Snapshots every SageMaker training job into partitioned Parquet',
      role,
      logGroup,
      memorySize: resolved.memorySize,
      ephemeralStorageSize: resolved.ephemeralStorageSize,
      timeout: resolved.timeout,
      // The state machine collects `parallelTargets` targets at once; more invocations would only compete for the API limits.
      reservedConcurrentExecutions: resolved.parallelTargets,
      tracing,
      writesParquet: true,
      failuresSurface:
        'Invoked synchronously by the state machine, which retries and catches each step and alarms on a failed execution, or directly by an operator; a Lambda dead-letter queue receives only asynchronous invocations.',
      environment: snapshotEnvironment(resolved, { outputRoot: this.outputRoot, kmsKeyArn: this.encryptionKey.keyArn }),
    });
    return [role, fn];
  }

  private createLiveEvents(resolved: ResolvedInventoryProps & { liveEvents: ResolvedLiveEvents }, alarmTopic?: sns.ITopic): LiveEvents {
    const destination = { outputRoot: this.outputRoot, kmsKeyArn: this.encryptionKey.keyArn };
    return new LiveEvents(this, 'LiveEvents', {
      settings: resolved.liveEvents,
      bucket: this.bucket,
      encryptionKey: this.encryptionKey,
      prefix: resolved.prefix,
      environment: (deadLetterQueueUrl) => eventsEnvironment(resolved, destination, deadLetterQueueUrl),
      memberRoleArns: resolved.memberAccountRoleArns,
      organizationRoleName: resolved.organization?.roleName,
      logRetention: resolved.logRetention,
      tracing: resolved.tracing,
      removalPolicy: resolved.removalPolicy,
      alarmTopic,
    });
  }

  private createPriceRefresh(resolved: ResolvedInventoryProps, props: SageMakerTrainingJobInventoryProps): PriceRefresh {
    return new PriceRefresh(this, 'Prices', {
      bucket: this.bucket,
      prefix: resolved.prefix,
      encryptionKey: this.encryptionKey,
      regions: resolved.regions,
      schedule: props.priceRefreshSchedule || undefined,
      logRetention: resolved.logRetention,
      tracing: resolved.tracing,
      alarmTopic: props.alarmTopic,
      removalPolicy: resolved.removalPolicy,
    });
  }

  /** The named query `unattributed_training_spend` as a QuickSight dataset runs it: its views named with their database. */
  private unattributedSpendSql(databaseName: string): string | undefined {
    const query = this.views.namedQueries.find((q) => q.name === 'unattributed_training_spend')?.queryString;
    return typeof query === 'string' ? qualifyViews(query, databaseName, loadSqlCatalog().views) : undefined;
  }

  private createQuickSight(resolved: ResolvedInventoryProps, quickSight: QuickSightProps): QuickSightCostDashboard {
    const dashboard = new QuickSightCostDashboard(this, 'QuickSight', {
      ...quickSight,
      workgroup: this.workgroup,
      databaseName: resolved.databaseName,
      tagKeys: resolved.costAllocationTagKeys,
      grantQuery: (grantee) => this.grantQuery(grantee),
      database: this.glueTable.database,
      bucket: this.bucket,
      grantedPrefixes: [...this.tablePrefixes.map((p) => `${p}/`), ATHENA_RESULTS_PREFIX],
      unattributedSpendSql: this.unattributedSpendSql(resolved.databaseName),
    });
    dashboard.node.addDependency(this.views);
    return dashboard;
  }

  private createSchedule(expression: scheduler.ScheduleExpression): scheduler.Schedule {
    const role = schedulerRole(
      this,
      'SchedulerRole',
      this.encryptionKey,
      'EventBridge Scheduler: start the inventory state machine, dead-letter to its queue',
    );
    return new scheduler.Schedule(this, 'Schedule', {
      schedule: expression,
      description: 'Daily SageMaker training-job snapshot',
      // `{}`: today's date, incremental where a previous snapshot allows. An operator starts it with
      // {"snapshotDate": "YYYY-MM-DD", "full": true} to re-run a date or force a full describe.
      target: new targets.StepFunctionsStartExecution(this.stateMachine, {
        role,
        input: scheduler.ScheduleTargetInput.fromObject({}),
        deadLetterQueue: this.deadLetterQueue,
        retryAttempts: 2,
        maxEventAge: Duration.hours(6),
      }),
    });
  }

  private createWorkgroup(resolved: ResolvedInventoryProps): athena.CfnWorkGroup {
    return new athena.CfnWorkGroup(this, 'Workgroup', {
      name: `${resolved.databaseName}-${Stack.of(this).stackName}`
        .toLowerCase()
        .replace(/[^a-z0-9._-]/g, '-')
        .slice(0, 128),
      description: 'Queries over the SageMaker training-job inventory',
      recursiveDeleteOption: true,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: resolved.athenaBytesScannedCutoff,
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        resultConfiguration: {
          outputLocation: `s3://${this.bucket.bucketName}/${ATHENA_RESULTS_PREFIX}`,
          encryptionConfiguration: { encryptionOption: 'SSE_KMS', kmsKey: this.encryptionKey.keyArn },
        },
      },
    });
  }

  private createAlarms(schedulePeriod: Duration, topic?: sns.ITopic): cloudwatch.Alarm[] {
    const executionsNotSucceeded = new cloudwatch.MathExpression({
      expression: 'failed + timedOut + aborted',
      usingMetrics: {
        failed: this.stateMachine.metricFailed({ statistic: 'Sum' }),
        timedOut: this.stateMachine.metricTimedOut({ statistic: 'Sum' }),
        aborted: this.stateMachine.metricAborted({ statistic: 'Sum' }),
      },
      period: ALARM_PERIOD,
      label: 'executions not succeeded',
    });
    return [
      functionErrorsAlarm(
        this,
        'FunctionErrors',
        this.function,
        'The inventory function failed: a direct run left at least one (account, region) unwritten, or a state machine step failed (it is retried; see the execution). See its logs.',
        topic,
      ),
      inventoryAlarm(
        this,
        'ExecutionsFailed',
        {
          description:
            "A snapshot execution failed, timed out or was aborted: at least one (account, region) was not written (the Failed state's cause names each), or the run could not start. See the execution.",
          metric: executionsNotSucceeded,
        },
        topic,
      ),
      deadLettersAlarm(this, 'DeadLetters', this.deadLetterQueue, 'A scheduled execution could not be started after its retries.', topic),
      inventoryAlarm(
        this,
        'NoSnapshotWritten',
        {
          description: `No snapshot object was written in two schedule periods (${schedulePeriod.toHumanString()} each).`,
          metric: this.metricSnapshotsWritten({ period: schedulePeriod }),
          when: 'noneInTwoPeriods',
        },
        topic,
      ),
      inventoryAlarm(
        this,
        'SnapshotsIncomplete',
        {
          description:
            "A snapshot was published without some jobs: their Describe kept failing or their data could not be mapped. The run table (sagemaker_inventory_run) counts them, the function's log names each ARN with its reason; the next run describes them again.",
          metric: this.metricSnapshotsIncomplete(),
        },
        topic,
      ),
    ];
  }
}
