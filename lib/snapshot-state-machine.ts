import { Duration, Stack, Validations, type RemovalPolicy } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { encryptedLogGroup } from './function-parts';

export interface SnapshotStateMachineProps {
  /** The snapshot function; it answers `{ step: 'resolve' | 'collect' | 'summarize', … }`. */
  readonly function: lambda.IFunction;
  /** The function's timeout: a task waits this long, plus a minute, before Step Functions calls it timed out. */
  readonly functionTimeout: Duration;
  /** (account, region) targets collected at once. */
  readonly maxConcurrency: number;
  /** Encrypts the execution log group. A key made by this stack gets the CloudWatch Logs grant it needs; an imported key must allow it already. */
  readonly encryptionKey: kms.IKey;
  readonly logRetention: logs.RetentionDays;
  /**
   * What happens to the log group when it leaves the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Trace executions with AWS X-Ray.
   * @default false
   */
  readonly tracing?: boolean;
  /**
   * Longest an execution may run before Step Functions stops it (it then counts as timed out, which alarms).
   * @default 23 hours: the next daily run starts before it could overlap
   */
  readonly timeout?: Duration;
}

/** Errors of the Lambda service itself, never of the function: the invocation is repeated as it was. */
export const LAMBDA_SERVICE_ERRORS = [
  'Lambda.TooManyRequestsException',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.ClientExecutionTimeoutException',
];
/**
 * Errors a later attempt may not meet: a step's own passing failure (TransientStepError in
 * lambda/functions/snapshot/steps.ts), and an invocation that ran out of time. A collect step
 * repeated after a timeout continues from the progress its target saved.
 */
export const TRANSIENT_STEP_ERRORS = ['TransientStepError', 'States.Timeout', 'Sandbox.Timedout'];
/** The error the execution fails with when a target failed or nothing was snapshotted. */
export const RUN_FAILED_ERROR = 'SnapshotTargetsFailed';

/**
 * The snapshot as a Step Functions state machine:
 *
 *   ResolveTargets ─► CollectTargets (Map, ≤ maxConcurrency at once) ─► Summarize ─► RunSucceeded? ─► Succeeded | Failed
 *                       └ per target: Collect ─► PublishedYet? ─ continuing ─► Collect (again)
 *                                                              └ done ──────► TargetDone
 *                                 Collect's Catch (retries spent) ──────────► TargetFailed (recorded; the others go on)
 *
 * Each Collect is one Lambda invocation that takes its target as far as its budget allows and saves
 * the progress; the execution's name holds the target's lease from one invocation to the next.
 */
export class SnapshotStateMachine extends Construct {
  readonly stateMachine: sfn.StateMachine;
  /** Execution events (ALL, with data), KMS-encrypted. */
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: SnapshotStateMachineProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const taskTimeout = sfn.Timeout.duration(props.functionTimeout.plus(Duration.minutes(1)));
    const invoke = (name: string, payload: Record<string, unknown>, options: Partial<tasks.LambdaInvokeProps> = {}) =>
      new tasks.LambdaInvoke(this, name, {
        lambdaFunction: props.function,
        payload: sfn.TaskInput.fromObject(payload),
        retryOnServiceExceptions: false,
        taskTimeout,
        ...options,
      }).addRetry({
        errors: LAMBDA_SERVICE_ERRORS,
        interval: Duration.seconds(5),
        backoffRate: 2,
        maxAttempts: 8,
        maxDelay: Duration.minutes(5),
        jitterStrategy: sfn.JitterType.FULL,
      });

    const resolve = invoke(
      'ResolveTargets',
      { step: 'resolve', 'input.$': '$', 'execution.$': '$$.Execution.Name' },
      { outputPath: '$.Payload', comment: 'The date, mode and lease holder of the run, and its (account, region) targets.' },
    ).addRetry({
      errors: ['TransientStepError'],
      interval: Duration.seconds(30),
      backoffRate: 2,
      maxAttempts: 4,
      jitterStrategy: sfn.JitterType.FULL,
    });

    const collect = invoke(
      'Collect',
      {
        step: 'collect',
        'target.$': '$.target',
        'snapshotDate.$': '$.snapshotDate',
        'full.$': '$.full',
        'holder.$': '$.holder',
        'previous.$': '$.collected.answer',
      },
      {
        resultSelector: { 'answer.$': '$.Payload' },
        resultPath: '$.collected',
        comment: "One invocation's worth of one target: published, failed, or continuing from saved progress.",
      },
    ).addRetry({
      errors: TRANSIENT_STEP_ERRORS,
      interval: Duration.seconds(30),
      backoffRate: 2,
      maxAttempts: 4,
      jitterStrategy: sfn.JitterType.FULL,
    });
    const targetFailed = new sfn.Pass(this, 'TargetFailed', {
      comment: 'The collect task itself failed after its retries: recorded, and the other targets go on.',
      parameters: {
        'accountId.$': '$.target.accountId',
        'region.$': '$.target.region',
        status: 'failed',
        'error.$': '$.caught.Error',
      },
    });
    collect.addCatch(targetFailed, { errors: ['States.ALL'], resultPath: '$.caught' });
    const targetDone = new sfn.Pass(this, 'TargetDone', { outputPath: '$.collected.answer.outcome' });
    const publishedYet = new sfn.Choice(this, 'PublishedYet')
      .when(sfn.Condition.stringEquals('$.collected.answer.status', 'continuing'), collect)
      .otherwise(targetDone);
    const perTarget = collect.next(publishedYet);

    const collectTargets = new sfn.Map(this, 'CollectTargets', {
      itemsPath: '$.targets',
      itemSelector: {
        'target.$': '$$.Map.Item.Value',
        'snapshotDate.$': '$.snapshotDate',
        'full.$': '$.full',
        'holder.$': '$.holder',
        // What Collect reads as its previous answer on the first invocation.
        collected: { answer: { status: 'starting' } },
      },
      maxConcurrency: props.maxConcurrency,
      // Each target's outcome takes its place: the state holds one or the other, never both (256 KiB at most).
      resultPath: '$.targets',
    });
    collectTargets.itemProcessor(perTarget);

    const summarize = invoke(
      'Summarize',
      {
        step: 'summarize',
        'snapshotDate.$': '$.snapshotDate',
        'startedAt.$': '$.startedAt',
        'outcomes.$': '$.targets',
        'skipped.$': '$.skipped',
        'skippedCount.$': '$.skippedCount',
      },
      { outputPath: '$.Payload', comment: "The run's metrics and verdict." },
    );
    const verdict = new sfn.Choice(this, 'RunSucceeded')
      .when(sfn.Condition.booleanEquals('$.ok', true), new sfn.Succeed(this, 'Succeeded'))
      .otherwise(new sfn.Fail(this, 'Failed', { error: RUN_FAILED_ERROR, causePath: '$.message' }));

    // Step Functions' log delivery adds a resource policy entry per log group unless its name starts with /aws/vendedlogs/.
    this.logGroup = encryptedLogGroup(this, 'Logs', {
      encryptionKey: props.encryptionKey,
      retention: props.logRetention,
      namePrefix: '/aws/vendedlogs/states',
      removalPolicy: props.removalPolicy,
    });

    this.stateMachine = new sfn.StateMachine(this, 'Resource', {
      definitionBody: sfn.DefinitionBody.fromChainable(resolve.next(collectTargets).next(summarize).next(verdict)),
      comment: 'SageMaker training-job snapshot: resolve targets, collect each until published, summarize',
      timeout: props.timeout ?? Duration.hours(23),
      tracingEnabled: props.tracing ?? false,
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
    });

    const policy = this.stateMachine.role.node.tryFindChild('DefaultPolicy');
    Validations.of(policy ?? this.stateMachine).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Step Functions log delivery (logs:CreateLogDelivery and related) and, when tracing is on, X-Ray accept only "*" as their resource.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::<${stack.getLogicalId((props.function.node.defaultChild ?? props.function) as never)}.Arn>:*]`,
        reason: 'The state machine may invoke the snapshot function, its versions and aliases; no other function.',
      },
    );
    if (!(props.tracing ?? false)) {
      const reason =
        "X-Ray tracing is a prop (tracing), off by default: every step logs to its own log group with the execution's data and emits metrics; turn it on to trace.";
      Validations.of(this.stateMachine).acknowledge(
        { id: 'AwsSolutions-SF2', reason },
        { id: 'Serverless-StepFunctionStateMachineXray', reason },
      );
    }
  }
}
