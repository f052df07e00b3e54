import { Duration, Stack, Validations, type RemovalPolicy } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { PRICE_LIST_ACTION, PRICES_SERVICE_NAME } from '../lambda/core/names';
import { INSTANCE_PRICE_SCHEMA } from '../lambda/core/schema/table-schema';
import { atPath, checkRegions } from './resolve-props';
import { deadLettersAlarm, functionErrorsAlarm } from './alarms';
import { bundledFunction, encryptedLogGroup, scheduleDeadLetterQueue, schedulerRole, keyAndLogStatements } from './function-parts';
import { bucketArnInNagFinding } from './nag-names';

export interface PriceRefreshProps {
  /** The inventory's bucket: price snapshots go under `<prefix>/sagemaker_instance_price/`. */
  readonly bucket: s3.IBucket;
  /** The warehouse prefix in the bucket, without slashes at either end (the training-job snapshots' prefix). */
  readonly prefix: string;
  /** Encrypts the price objects and the dead-letter queue. */
  readonly encryptionKey: kms.IKey;
  /** Regions whose prices are read. */
  readonly regions: readonly string[];
  /**
   * When prices are read. AWS changes SageMaker prices rarely and announces them; weekly keeps the
   * price of any job within a week of the price it was billed at.
   * @default weekly, Mondays at 01:00 UTC
   */
  readonly schedule?: scheduler.ScheduleExpression;
  /**
   * Retention of the function's logs.
   * @default one year
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Active X-Ray tracing of the function.
   * @default false
   */
  readonly tracing?: boolean;
  /**
   * Topic notified when the refresh fails or its invocation is dead-lettered (and when that clears).
   * @default alarms without actions
   */
  readonly alarmTopic?: sns.ITopic;
  /**
   * What happens to the function's log group when it leaves the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The weekly price refresh: a function reads the on-demand training price of every SageMaker instance
 * type in the regions from the AWS Price List API and publishes one `sagemaker_instance_price` snapshot
 * (all regions, or nothing if any row is ambiguous), on its own EventBridge Scheduler schedule with
 * retries and a dead-letter queue. Its role may call GetProducts and write under the price table only.
 */
export class PriceRefresh extends Construct {
  readonly function: lambda.Function;
  readonly role: iam.Role;
  readonly schedule: scheduler.Schedule;
  readonly deadLetterQueue: sqs.Queue;
  /** Function errors and dead-lettered invocations. */
  readonly alarms: readonly cloudwatch.Alarm[];
  /** `prefix/sagemaker_instance_price`: the price table's key prefix in the bucket. */
  readonly tablePrefix: string;

  constructor(scope: Construct, id: string, props: PriceRefreshProps) {
    super(scope, id);
    atPath(this.node.path, () => checkRegions(props.regions));
    this.tablePrefix = `${props.prefix}/${INSTANCE_PRICE_SCHEMA.table}`;

    const logGroup = encryptedLogGroup(this, 'Logs', {
      encryptionKey: props.encryptionKey,
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: props.removalPolicy,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'SageMaker job inventory price refresh: read the Price List API, write price snapshots',
    });
    const policy = this.createPolicy(props, logGroup);

    this.function = bundledFunction(this, 'Function', {
      entry: 'prices',
      description: 'Reads SageMaker training prices from the AWS Price List API into the price table',
      role: this.role,
      logGroup,
      memorySize: 512,
      timeout: Duration.minutes(5),
      reservedConcurrentExecutions: 1,
      tracing: props.tracing ?? false,
      writesParquet: true,
      failuresSurface:
        "Invoked by EventBridge Scheduler with an empty event: a failed run alarms (Errors) and the next run, or an operator's re-invocation, writes the snapshot; the event carries nothing to redrive.",
      environment: {
        SM_INVENTORY_REGIONS: props.regions.join(','),
        SM_INVENTORY_OUTPUT: `s3://${props.bucket.bucketName}/${props.prefix}`,
        SM_INVENTORY_KMS_KEY_ARN: props.encryptionKey.keyArn,
        POWERTOOLS_SERVICE_NAME: PRICES_SERVICE_NAME,
      },
    });
    this.function.node.addDependency(policy);

    this.deadLetterQueue = scheduleDeadLetterQueue(this, 'DeadLetterQueue', props.encryptionKey, 'price refresh');
    this.schedule = this.createSchedule(props);

    this.alarms = [
      functionErrorsAlarm(
        this,
        'Errors',
        this.function,
        'The price refresh failed: no price snapshot was written (an ambiguous or unreadable price list names the SKU in its log).',
        props.alarmTopic,
      ),
      deadLettersAlarm(
        this,
        'DeadLetters',
        this.deadLetterQueue,
        'A scheduled price refresh could not be delivered to its function after its retries.',
        props.alarmTopic,
      ),
    ];
  }

  /** GetProducts, writes under the price table only, the key and its own logs; each wildcard acknowledged with its reason. */
  private createPolicy(props: PriceRefreshProps, logGroup: logs.ILogGroup): iam.Policy {
    const policy = new iam.Policy(this, 'Policy', {
      statements: [
        new iam.PolicyStatement({ sid: 'ReadPriceList', actions: [PRICE_LIST_ACTION], resources: ['*'] }),
        new iam.PolicyStatement({
          sid: 'WritePriceSnapshots',
          actions: ['s3:PutObject', 's3:AbortMultipartUpload'],
          resources: [props.bucket.arnForObjects(`${this.tablePrefix}/*`)],
        }),
        ...keyAndLogStatements('EncryptPriceSnapshots', props.encryptionKey, logGroup),
      ],
    });
    policy.attachToRole(this.role);
    Validations.of(policy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'pricing:GetProducts supports no resource-level permissions; it reads public prices only.',
    });
    const bucketInFinding = bucketArnInNagFinding(props.bucket);
    if (bucketInFinding) {
      Validations.of(policy).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${bucketInFinding}/${this.tablePrefix}/*]`,
        reason: 'Price snapshots are written under the price table prefix only; their keys carry the snapshot date.',
      });
    }

    return policy;
  }

  private createSchedule(props: PriceRefreshProps): scheduler.Schedule {
    const stack = Stack.of(this);
    const refreshSchedulerRole = schedulerRole(
      this,
      'SchedulerRole',
      props.encryptionKey,
      'EventBridge Scheduler: invoke the price refresh, dead-letter to its queue',
    );
    const schedule = new scheduler.Schedule(this, 'Schedule', {
      schedule: props.schedule ?? scheduler.ScheduleExpression.cron({ minute: '0', hour: '1', weekDay: 'MON' }),
      description: 'Weekly SageMaker training price snapshot',
      target: new targets.LambdaInvoke(this.function, {
        role: refreshSchedulerRole,
        input: scheduler.ScheduleTargetInput.fromObject({}),
        deadLetterQueue: this.deadLetterQueue,
        retryAttempts: 2,
        maxEventAge: Duration.hours(6),
      }),
    });
    Validations.of(refreshSchedulerRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(this.function.node.defaultChild as lambda.CfnFunction)}.Arn>:*]`,
      reason: "EventBridge Scheduler's role may invoke this one function, including its versions and aliases; no other function.",
    });

    return schedule;
  }
}
