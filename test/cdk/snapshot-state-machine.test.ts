import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import aslValidator from 'asl-validator';
import { AwsSolutionsChecks } from 'cdk-nag';
import { LAMBDA_SERVICE_ERRORS, RUN_FAILED_ERROR, TRANSIENT_STEP_ERRORS } from '../../lib/snapshot-state-machine';
import { SageMakerTrainingJobInventory } from '../../lib/sagemaker-training-job-inventory';
import { SERVICE_NAME } from '../../lambda/core/names';
import { testApp } from '../support/cdk-app';
import { synthesizedDefinition, type Asl } from '../stepfunctions/state-machine-definition';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- synthesized CloudFormation is untyped JSON
type Json = any;

describe('the snapshot state machine', () => {
  const props = { collector: { parallelTargets: 6 }, maxRunDuration: Duration.hours(20) };
  const { asl, template } = synthesizedDefinition(props);
  const perTarget: Asl = asl.States.CollectTargets.ItemProcessor.States;

  /** The snapshot function, whose steps the state machine invokes. */
  function snapshotFunction(): Json {
    return Object.values(template.findResources('AWS::Lambda::Function')).find(
      (f: Json) => f.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === SERVICE_NAME,
    );
  }

  /** The state machine's log group (the functions have theirs). */
  function stateMachineLogGroup(): Json {
    const logGroups = Object.values(template.findResources('AWS::Logs::LogGroup')) as Json[];
    return logGroups.find((group) => String(group.Properties.LogGroupName).startsWith('/aws/vendedlogs/states/'));
  }

  /** The rules of the data bucket's lifecycle (the access-log bucket has no versioning). */
  function dataBucketLifecycleRules(): Json[] {
    const bucket = Object.values(template.findResources('AWS::S3::Bucket')).find((b: Json) => b.Properties.VersioningConfiguration) as Json;
    return bucket.Properties.LifecycleConfiguration.Rules;
  }

  it('is valid Amazon States Language', () => {
    // Act
    const { isValid, errorsText } = aslValidator(asl);

    // Assess
    expect(errorsText('\n')).toBe('');
    expect(isValid).toBe(true);
  });

  it('starts by resolving the targets through the function', () => {
    // Assess
    expect(asl.StartAt).toBe('ResolveTargets');
    expect(asl.States.ResolveTargets).toMatchObject({
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { Payload: { step: 'resolve', 'input.$': '$', 'execution.$': '$$.Execution.Name' } },
      OutputPath: '$.Payload',
      Next: 'CollectTargets',
    });
  });

  it('collects at most parallelTargets targets at once', () => {
    // Assess
    expect(asl.States.CollectTargets).toMatchObject({
      Type: 'Map',
      ItemsPath: '$.targets',
      MaxConcurrency: props.collector.parallelTargets,
      ItemSelector: { 'target.$': '$$.Map.Item.Value', 'snapshotDate.$': '$.snapshotDate', 'full.$': '$.full', 'holder.$': '$.holder' },
      ResultPath: '$.targets',
      Next: 'Summarize',
    });
  });

  it("summarizes the targets' outcomes and the skipped accounts", () => {
    // Assess
    expect(asl.States.Summarize).toMatchObject({
      Parameters: {
        Payload: { step: 'summarize', 'outcomes.$': '$.targets', 'skipped.$': '$.skipped', 'skippedCount.$': '$.skippedCount' },
      },
      Next: 'RunSucceeded',
    });
  });

  it('times a run out after maxRunDuration', () => {
    // Assess
    expect(asl.TimeoutSeconds).toBe(props.maxRunDuration.toSeconds());
  });

  it('invokes collect for a target again while it is continuing', () => {
    // Assess
    expect(perTarget.Collect).toMatchObject({
      Parameters: { Payload: { step: 'collect', 'target.$': '$.target', 'holder.$': '$.holder', 'previous.$': '$.collected.answer' } },
      ResultSelector: { 'answer.$': '$.Payload' },
      ResultPath: '$.collected',
      Next: 'PublishedYet',
    });
    expect(perTarget.PublishedYet).toMatchObject({
      Type: 'Choice',
      Choices: [{ Variable: '$.collected.answer.status', StringEquals: 'continuing', Next: 'Collect' }],
      Default: 'TargetDone',
    });
  });

  it("takes a target's outcome once its collect is done", () => {
    // Assess
    expect(perTarget.TargetDone).toMatchObject({ Type: 'Pass', OutputPath: '$.collected.answer.outcome', End: true });
  });

  it('retries collect on Lambda throttling and service errors, and on step failures and timeouts', () => {
    // Assess
    expect(perTarget.Collect.Retry).toEqual([
      expect.objectContaining({ ErrorEquals: LAMBDA_SERVICE_ERRORS, MaxAttempts: 8, BackoffRate: 2, JitterStrategy: 'FULL' }),
      expect.objectContaining({ ErrorEquals: TRANSIENT_STEP_ERRORS, MaxAttempts: 4 }),
    ]);
    expect(LAMBDA_SERVICE_ERRORS).toContain('Lambda.TooManyRequestsException');
    expect(TRANSIENT_STEP_ERRORS).toEqual(expect.arrayContaining(['TransientStepError', 'States.Timeout']));
  });

  it('records a target whose collect still fails after the retries as a failed target', () => {
    // Assess
    expect(perTarget.Collect.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.caught', Next: 'TargetFailed' }]);
    expect(perTarget.TargetFailed).toMatchObject({
      Type: 'Pass',
      Parameters: { status: 'failed', 'error.$': '$.caught.Error', 'accountId.$': '$.target.accountId' },
      End: true,
    });
  });

  it('retries resolving the targets on Lambda service errors and step failures', () => {
    // Assess
    expect(asl.States.ResolveTargets.Retry.map((r: Asl) => r.ErrorEquals)).toEqual([LAMBDA_SERVICE_ERRORS, ['TransientStepError']]);
  });

  it('ends in a Fail state, whose cause is the summary, when the summary is not ok', () => {
    // Assess
    expect(asl.States.RunSucceeded).toMatchObject({
      Type: 'Choice',
      Choices: [{ Variable: '$.ok', BooleanEquals: true, Next: 'Succeeded' }],
      Default: 'Failed',
    });
    expect(asl.States.Failed).toMatchObject({ Type: 'Fail', Error: RUN_FAILED_ERROR, CausePath: '$.message' });
  });

  it("gives the function Lambda's longest timeout, 15 minutes, by default", () => {
    // Assess
    expect(snapshotFunction().Properties.Timeout).toBe(15 * 60);
  });

  it('gives each task the function timeout plus a minute', () => {
    // Prepare
    const functionTimeoutSeconds: number = snapshotFunction().Properties.Timeout;

    // Assess
    for (const task of [asl.States.ResolveTargets, perTarget.Collect, asl.States.Summarize])
      expect(task.TimeoutSeconds).toBe(functionTimeoutSeconds + 60);
  });

  it('logs every event with its data', () => {
    // Assess
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: true },
    });
  });

  it('does not trace executions unless asked to', () => {
    // Assess
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', { TracingConfiguration: { Enabled: false } });
  });

  it('encrypts its log group with the inventory key', () => {
    // Assess
    expect(stateMachineLogGroup()?.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^InventoryKey/), 'Arn'] });
  });

  it('lets CloudWatch Logs use the key for its log group', () => {
    // Prepare
    const keyPolicy = (Object.values(template.findResources('AWS::KMS::Key'))[0] as Json).Properties.KeyPolicy.Statement as Json[];
    const logGroupName = stateMachineLogGroup()?.Properties.LogGroupName;

    // Act
    const logsGrant = keyPolicy.find((statement) => JSON.stringify(statement.Condition ?? {}).includes(logGroupName));

    // Assess
    expect(logsGrant).toMatchObject({
      Effect: 'Allow',
      Principal: { Service: 'logs.us-east-1.amazonaws.com' },
      Action: expect.arrayContaining(['kms:GenerateDataKey', 'kms:Decrypt']),
    });
  });

  it('is what the schedule starts, with an empty input', () => {
    // Prepare
    const schedule = Object.values(template.findResources('AWS::Scheduler::Schedule'))[0] as Json;

    // Assess
    expect(schedule.Properties.Target.Arn).toEqual({ Ref: expect.stringMatching(/^InventoryStateMachine/) });
    expect(schedule.Properties.Target.Input).toBe('{}');
  });

  it('lets the schedule start its executions', () => {
    // Assess
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 'states:StartExecution', Resource: { Ref: Match.stringLikeRegexp('^InventoryStateMachine') } }),
        ]),
      },
    });
  });

  it('alarms when an execution fails, times out or is aborted', () => {
    // Prepare
    const alarm = Object.values(template.findResources('AWS::CloudWatch::Alarm')).find((a: Json) => a.Properties.Metrics) as Json;

    // Act
    const watched = alarm.Properties.Metrics.filter((m: Json) => m.MetricStat).map((m: Json) => [
      m.MetricStat.Metric.Namespace,
      m.MetricStat.Metric.MetricName,
    ]);

    // Assess
    expect(watched).toEqual([
      ['AWS/States', 'ExecutionsFailed'],
      ['AWS/States', 'ExecutionsTimedOut'],
      ['AWS/States', 'ExecutionsAborted'],
    ]);
    expect(alarm.Properties).toMatchObject({
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  it('expires the work of abandoned runs after 7 days', () => {
    // Assess
    expect(dataBucketLifecycleRules()).toContainEqual(
      expect.objectContaining({ Id: 'abandoned-work', Prefix: 'inventory/_work/', ExpirationInDays: 7, Status: 'Enabled' }),
    );
  });

  it('expires change objects once the snapshots have superseded them, after 14 days', () => {
    // Assess
    expect(dataBucketLifecycleRules()).toContainEqual(
      expect.objectContaining({
        Id: 'superseded-changes',
        Prefix: 'inventory/sagemaker_training_job_change/',
        ExpirationInDays: 14,
        Status: 'Enabled',
      }),
    );
  });

  it('never expires the state the next run starts from', () => {
    // Assess
    expect(dataBucketLifecycleRules().filter((rule: Json) => String(rule.Prefix ?? '').includes('_state'))).toEqual([]);
  });
});

describe('organization targets', () => {
  const orgProps = { organization: { roleName: 'InventoryRead', excludeAccounts: ['999900000001'] } };

  describe('in the synthesized template', () => {
    const { template } = synthesizedDefinition(orgProps);

    it('passes the organization settings to the function', () => {
      // Assess
      template.hasResourceProperties('AWS::Lambda::Function', {
        Environment: {
          Variables: Match.objectLike({
            SM_INVENTORY_ORGANIZATION: 'true',
            SM_INVENTORY_ORGANIZATION_ROLE_NAME: 'InventoryRead',
            SM_INVENTORY_ORGANIZATION_ACCOUNTS: '',
            SM_INVENTORY_ORGANIZATION_EXCLUDE_ACCOUNTS: '999900000001',
          }),
        },
      });
    });

    it('lets the function list the accounts, and assume the role only in the organization', () => {
      // Assess
      template.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            { Sid: 'ListOrganizationAccounts', Action: 'organizations:ListAccounts', Effect: 'Allow', Resource: '*' },
            {
              Sid: 'AssumeOrganizationRoles',
              Action: 'sts:AssumeRole',
              Effect: 'Allow',
              Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::*:role/InventoryRead']] },
              Condition: { StringEquals: { 'aws:ResourceOrgID': '${aws:PrincipalOrgID}' } },
            },
          ]),
        },
      });
    });
  });

  it('passes cdk-nag with every finding acknowledged', () => {
    // Prepare
    const app = testApp();
    const stack = new Stack(app, 'Org', { env: { account: '123456789012', region: 'us-east-1' } });
    new SageMakerTrainingJobInventory(stack, 'Inventory', { ...orgProps, includeOwnAccount: false });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

    // Act
    const synth = () => app.synth();

    // Assess
    expect(synth).not.toThrow();
  });

  it.each([
    [
      { organization: { roleName: 'arn:aws:iam::123456789012:role/Read' } },
      'organization.roleName is "arn:aws:iam::123456789012:role/Read"; allowed: an IAM role name of 1-64 letters, digits and +=,.@_- (no path, no ARN), such as SageMakerJobInventoryRead',
    ],
    [{ organization: { roleName: 'x'.repeat(65) } }, `organization.roleName is "${'x'.repeat(65)}"; allowed: an IAM role name`],
    [{ organization: { includeAccounts: ['12345'] } }, 'organization.includeAccounts has "12345"; allowed: 12-digit AWS account ids'],
    [{ maxRunDuration: Duration.minutes(30) }, 'maxRunDuration is "30 minutes"; allowed: from 1 hour to 7 days'],
  ])('rejects %j with a message naming the construct, the value and what is allowed', (props, message) => {
    // Prepare
    const stack = new Stack(testApp(), 'S', { env: { account: '111122223333', region: 'us-east-1' } });

    // Act
    const attempt = () => new SageMakerTrainingJobInventory(stack, 'I', props);

    // Assess
    expect(attempt).toThrow(`S/I: ${message}`);
  });
});
