import { Duration, Stack, Validations, type RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { EVENTS_SERVICE_NAME, METRIC, STATE_CHANGE_DETAIL_TYPE, STATE_CHANGE_SOURCE } from '../lambda/core/names';
import { TRAINING_JOB_CHANGE_SCHEMA } from '../lambda/core/schema/table-schema';
import { ALARM_PERIOD, deadLettersAlarm, functionErrorsAlarm, inventoryAlarm } from './alarms';
import { describeStatement } from './collector-permissions';
import { assumeStatements, sourceWildcardReasons } from './collector-policy';
import { bundledFunction, encryptedLogGroup, keyAndLogStatements } from './function-parts';
import { inventoryMetric } from './inventory-metrics';
import { bucketArnInNagFinding } from './nag-names';
import type { ResolvedLiveEvents } from './resolve-live-events';

/** The metrics the events function emits (lambda/functions/events/batch-metrics.ts). */
export type LiveEventsMetricName = Extract<
  keyof typeof METRIC,
  'EventsApplied' | 'EventsIgnored' | 'EventsDeadLettered' | 'EventsRefused' | 'EventsSkipped' | 'EventsRetried' | 'ChangeRowsWritten'
>;

export interface LiveEventsWiring {
  readonly settings: ResolvedLiveEvents;
  readonly bucket: s3.IBucket;
  readonly encryptionKey: kms.IKey;
  /** The warehouse prefix in the bucket. */
  readonly prefix: string;
  /** The events function's environment, but for the dead-letter queue's URL (known once the queue exists). */
  readonly environment: (deadLetterQueueUrl: string) => Record<string, string>;
  readonly memberRoleArns: readonly string[];
  readonly organizationRoleName?: string;
  readonly logRetention: logs.RetentionDays;
  readonly tracing: boolean;
  readonly removalPolicy: RemovalPolicy;
  readonly alarmTopic?: sns.ITopic;
}

/**
 * The live path of the inventory: SageMaker's training-job state changes on this account's default event bus
 * (its own, and those other accounts forward to it) → an encrypted queue → the events function, in batches,
 * into `sagemaker_training_job_change`. A message that can never be applied goes to the dead-letter queue with
 * its reason; one that may apply later is delivered again, up to `maxReceiveCount` times, then moved there too.
 */
export class LiveEvents extends Construct {
  /** Matches `source: aws.sagemaker`, `detail-type: SageMaker Training Job State Change` on the default bus. */
  readonly rule: events.Rule;
  /** The rule's target, which the function consumes (SSE-SQS, TLS only). */
  readonly queue: sqs.Queue;
  /** Events that cannot be applied, with their reason, and those that kept failing (SSE-SQS, TLS only, 14 days). */
  readonly deadLetterQueue: sqs.Queue;
  readonly function: lambda.Function;
  /** Describe and ListTags, AssumeRole on the member (and organization) roles, writes under the change table, the key, its logs. */
  readonly role: iam.Role;
  /** Dead letters, a message older than the visibility timeout, function errors, refused and dead-lettered events. */
  readonly alarms: readonly cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: LiveEventsWiring) {
    super(scope, id);
    const { settings } = props;
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const reason = "This queue is itself the events queue's dead-letter queue; it has nowhere further to redrive.";
    Validations.of(this.deadLetterQueue).acknowledge({ id: 'AwsSolutions-SQS3', reason }, { id: 'Serverless-SQSRedrivePolicy', reason });
    // Lambda's advice for an SQS event source: six times the function's timeout, plus the batching window.
    const visibilityTimeout = Duration.seconds(6 * settings.timeout.toSeconds() + settings.maxBatchingWindow.toSeconds());
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: settings.maxReceiveCount },
    });
    this.rule = new events.Rule(this, 'Rule', {
      description: 'SageMaker training-job state changes, for the inventory’s live view',
      eventPattern: { source: [STATE_CHANGE_SOURCE], detailType: [STATE_CHANGE_DETAIL_TYPE] },
      // An event EventBridge cannot deliver (the queue unreachable past its retries) lands beside those the function set aside.
      targets: [new eventTargets.SqsQueue(this.queue, { deadLetterQueue: this.deadLetterQueue })],
    });
    [this.role, this.function] = this.createFunction(props);
    this.alarms = this.createAlarms(visibilityTimeout, props.alarmTopic);
  }

  /** A metric the events function emits, with its `service` dimension; summed over five minutes unless `props` say otherwise. */
  metric(metricName: LiveEventsMetricName, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return inventoryMetric(metricName, { ...props, dimensionsMap: { service: EVENTS_SERVICE_NAME, ...props?.dimensionsMap } });
  }

  /** Events whose job was described and written into `sagemaker_training_job_change`. */
  metricEventsApplied(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('EventsApplied', props);
  }

  /** Events from an account or region the inventory is not configured for: refused. */
  metricEventsRefused(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('EventsRefused', props);
  }

  /** Events sent to the dead-letter queue with their reason (not JSON, malformed, no job ARN). */
  metricEventsDeadLettered(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('EventsDeadLettered', props);
  }

  /** Events whose job could not be described (deleted, access denied): logged with the ARN, dropped. */
  metricEventsSkipped(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('EventsSkipped', props);
  }

  /** Events handed back to the queue to be delivered again. */
  metricEventsRetried(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('EventsRetried', props);
  }

  /**
   * Lets `grantee` inspect the dead-letter queue and move its messages back to the events queue once their cause
   * is fixed (SQS's dead-letter redrive: StartMessageMoveTask), or delete them.
   */
  grantRedriveDeadLetters(grantee: iam.IGrantable): iam.Grant {
    return this.deadLetterQueue
      .grantConsumeMessages(grantee)
      .combine(this.deadLetterQueue.grant(grantee, 'sqs:StartMessageMoveTask', 'sqs:ListMessageMoveTasks', 'sqs:CancelMessageMoveTask'))
      .combine(this.queue.grantSendMessages(grantee));
  }

  private createFunction(props: LiveEventsWiring): [iam.Role, lambda.Function] {
    const { settings, encryptionKey, bucket, prefix } = props;
    const logGroup = encryptedLogGroup(this, 'Logs', { encryptionKey, retention: props.logRetention, removalPolicy: props.removalPolicy });
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'SageMaker job inventory events: describe the jobs of state changes, write change rows',
    });
    const changeObjects = `${prefix}/${TRAINING_JOB_CHANGE_SCHEMA.table}/*`;
    const stack = Stack.of(this);
    const policy = new iam.Policy(this, 'Policy', {
      statements: [
        describeStatement(stack.formatArn({ service: 'sagemaker', region: '*', resource: 'training-job', resourceName: '*' })),
        ...assumeStatements(this, { memberRoleArns: props.memberRoleArns, organizationRoleName: props.organizationRoleName }),
        new iam.PolicyStatement({
          sid: 'WriteChanges',
          actions: ['s3:PutObject', 's3:AbortMultipartUpload'],
          resources: [bucket.arnForObjects(changeObjects)],
        }),
        ...keyAndLogStatements('EncryptChanges', encryptionKey, logGroup),
      ],
    });
    policy.attachToRole(role);
    const reasons = sourceWildcardReasons(stack, props.organizationRoleName);
    const bucketInFinding = bucketArnInNagFinding(bucket);
    if (bucketInFinding)
      reasons[`${bucketInFinding}/${changeObjects}`] =
        "Each batch writes one object under the change table's prefix; its key carries the date and a fresh name.";
    for (const [resource, reason] of Object.entries(reasons))
      Validations.of(policy).acknowledge({ id: `AwsSolutions-IAM5[Resource::${resource}]`, reason });
    this.deadLetterQueue.grantSendMessages(role);
    const fn = bundledFunction(this, 'Function', {
      entry: 'events',
      description: 'Applies SageMaker training-job state changes into sagemaker_training_job_change',
      role,
      logGroup,
      memorySize: settings.memorySize,
      timeout: settings.timeout,
      tracing: props.tracing,
      writesParquet: true,
      failuresSurface:
        'Invoked by its SQS event source, whose queue redrives a record that keeps failing to the events dead-letter queue; a Lambda dead-letter queue receives only asynchronous invocations.',
      environment: props.environment(this.deadLetterQueue.queueUrl),
    });
    fn.node.addDependency(policy);
    const source = new SqsEventSource(this.queue, {
      batchSize: settings.batchSize,
      maxBatchingWindow: settings.maxBatchingWindow,
      maxConcurrency: settings.maxConcurrency,
      reportBatchItemFailures: true,
    });
    fn.addEventSource(source);
    Validations.of(fn).acknowledge({
      id: 'Serverless-LambdaEventSourceMappingDestination',
      reason:
        "An SQS event source takes no on-failure destination: the queue's redrive policy moves a message that keeps failing to the events dead-letter queue.",
    });
    return [role, fn];
  }

  private createAlarms(visibilityTimeout: Duration, topic?: sns.ITopic): cloudwatch.Alarm[] {
    const ageLimit = visibilityTimeout.toSeconds();
    const oldMessage = new cloudwatch.MathExpression({
      expression: `IF(age >= ${ageLimit}, 1, 0)`,
      usingMetrics: { age: this.queue.metricApproximateAgeOfOldestMessage({ period: ALARM_PERIOD, statistic: 'Maximum' }) },
      period: ALARM_PERIOD,
      label: `oldest message older than ${ageLimit} s`,
    });
    return [
      deadLettersAlarm(
        this,
        'DeadLetters',
        this.deadLetterQueue,
        "A state change was set aside: its reason is the dead letter's `reason` attribute (none: it kept failing; see the events function's log).",
        topic,
      ),
      inventoryAlarm(
        this,
        'OldestMessage',
        {
          description: `A state change has waited longer than the queue's visibility timeout (${ageLimit} s): a delivery failed, or the events function does not keep up.`,
          metric: oldMessage,
        },
        topic,
      ),
      functionErrorsAlarm(
        this,
        'FunctionErrors',
        this.function,
        'The events function failed a whole batch (its cold start, or its timeout); SQS delivers the batch again. See its logs.',
        topic,
      ),
      inventoryAlarm(
        this,
        'EventsRefused',
        {
          description:
            "State changes came from an account or region the inventory does not snapshot; the events function's log names each account.",
          metric: this.metricEventsRefused(),
        },
        topic,
      ),
      inventoryAlarm(
        this,
        'EventsDeadLettered',
        {
          description:
            'State changes could not be read (not JSON, malformed, no job ARN) and went to the dead-letter queue with their reason.',
          metric: this.metricEventsDeadLettered(),
        },
        topic,
      ),
    ];
  }
}
