import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import aslValidator from 'asl-validator';
import { AwsSolutionsChecks } from 'cdk-nag';
import { LAMBDA_SERVICE_ERRORS, RUN_FAILED_ERROR, TRANSIENT_STEP_ERRORS } from '../../lib/snapshot-state-machine';
import { SageMakerTrainingJobInventory } from '../../lib/sagemaker-training-job-inventory';
import { testApp } from '../support/cdk-app';
import { synthesizedDefinition, type Asl } from '../stepfunctions/state-machine-definition';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- synthesized CloudFormation is untyped JSON
type Json = any;

describe('the snapshot state machine', () => {
  const { asl, template } = synthesizedDefinition({ collector: { parallelTargets: 6 }, maxRunDuration: Duration.hours(20) });
  const perTarget: Asl = asl.States.CollectTargets.ItemProcessor.States;

  it('is valid Amazon States Language', () => {
    // Act
    const { isValid, errorsText } = aslValidator(asl);

    // Assess
    expect(errorsText('\n')).toBe('');
    expect(isValid).toBe(true);
  });

  it('resolves the targets, collects at most parallelTargets of them at once, then summarizes', () => {
    expect(asl.StartAt).toBe('ResolveTargets');
    expect(asl.States.ResolveTargets).toMatchObject({
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { Payload: { step: 'resolve', 'input.$': '$', 'execution.$': '$$.Execution.Name' } },
      OutputPath: '$.Payload',
      Next: 'CollectTargets',
    });
    expect(asl.States.CollectTargets).toMatchObject({
      Type: 'Map',
      ItemsPath: '$.targets',
      MaxConcurrency: 6,
      ItemSelector: { 'target.$': '$$.Map.Item.Value', 'snapshotDate.$': '$.snapshotDate', 'full.$': '$.full', 'holder.$': '$.holder' },
      ResultPath: '$.targets',
      Next: 'Summarize',
    });
    expect(asl.States.Summarize).toMatchObject({ Parameters: { Payload: { step: 'summarize', 'outcomes.$': '$.targets', 'skipped.$': '$.skipped', 'skippedCount.$': '$.skippedCount' } }, Next: 'RunSucceeded' });
    expect(asl.TimeoutSeconds).toBe(20 * 3600);
  });

  it('invokes collect for a target again while it is continuing, and takes its outcome once it is done', () => {
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
    expect(perTarget.TargetDone).toMatchObject({ Type: 'Pass', OutputPath: '$.collected.answer.outcome', End: true });
  });

  it('retries Lambda throttling and service errors, passing step failures and timeouts, and records what is left as a failed target', () => {
    expect(perTarget.Collect.Retry).toEqual([
      expect.objectContaining({ ErrorEquals: LAMBDA_SERVICE_ERRORS, MaxAttempts: 8, BackoffRate: 2, JitterStrategy: 'FULL' }),
      expect.objectContaining({ ErrorEquals: TRANSIENT_STEP_ERRORS, MaxAttempts: 4 }),
    ]);
    expect(LAMBDA_SERVICE_ERRORS).toContain('Lambda.TooManyRequestsException');
    expect(TRANSIENT_STEP_ERRORS).toEqual(expect.arrayContaining(['TransientStepError', 'States.Timeout']));
    expect(perTarget.Collect.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.caught', Next: 'TargetFailed' }]);
    expect(perTarget.TargetFailed).toMatchObject({ Type: 'Pass', Parameters: { status: 'failed', 'error.$': '$.caught.Error', 'accountId.$': '$.target.accountId' }, End: true });
    expect(asl.States.ResolveTargets.Retry.map((r: Asl) => r.ErrorEquals)).toEqual([LAMBDA_SERVICE_ERRORS, ['TransientStepError']]);
  });

  it('ends in a Fail state, whose cause is the summary, when the summary is not ok', () => {
    expect(asl.States.RunSucceeded).toMatchObject({
      Type: 'Choice',
      Choices: [{ Variable: '$.ok', BooleanEquals: true, Next: 'Succeeded' }],
      Default: 'Failed',
    });
    expect(asl.States.Failed).toMatchObject({ Type: 'Fail', Error: RUN_FAILED_ERROR, CausePath: '$.message' });
  });

  it('gives each task the function timeout plus a minute', () => {
    for (const task of [asl.States.ResolveTargets, perTarget.Collect, asl.States.Summarize]) expect(task.TimeoutSeconds).toBe(15 * 60 + 60);
  });

  it('logs every event with its data to a KMS-encrypted log group the key lets CloudWatch Logs use', () => {
    // Prepare
    const logGroups = Object.values(template.findResources('AWS::Logs::LogGroup')) as Json[];
    const stateMachineLogs = logGroups.find((group) => String(group.Properties.LogGroupName).startsWith('/aws/vendedlogs/states/'));
    const keyPolicy = (Object.values(template.findResources('AWS::KMS::Key'))[0] as Json).Properties.KeyPolicy.Statement as Json[];

    // Assess
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: true },
      TracingConfiguration: { Enabled: false },
    });
    expect(stateMachineLogs?.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^InventoryKey/), 'Arn'] });
    const logsGrant = keyPolicy.find((statement) => JSON.stringify(statement.Condition ?? {}).includes(stateMachineLogs?.Properties.LogGroupName));
    expect(logsGrant).toMatchObject({ Effect: 'Allow', Principal: { Service: 'logs.us-east-1.amazonaws.com' }, Action: expect.arrayContaining(['kms:GenerateDataKey', 'kms:Decrypt']) });
  });

  it('is what the schedule starts, with an empty input', () => {
    const schedule = Object.values(template.findResources('AWS::Scheduler::Schedule'))[0] as Json;
    expect(schedule.Properties.Target.Arn).toEqual({ Ref: expect.stringMatching(/^InventoryStateMachine/) });
    expect(schedule.Properties.Target.Input).toBe('{}');
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'states:StartExecution', Resource: { Ref: Match.stringLikeRegexp('^InventoryStateMachine') } })]) },
    });
  });

  it('alarms when an execution fails, times out or is aborted', () => {
    const alarm = Object.values(template.findResources('AWS::CloudWatch::Alarm')).find((a: Json) => a.Properties.Metrics) as Json;
    const watched = alarm.Properties.Metrics.filter((m: Json) => m.MetricStat).map((m: Json) => [m.MetricStat.Metric.Namespace, m.MetricStat.Metric.MetricName]);
    expect(watched).toEqual([
      ['AWS/States', 'ExecutionsFailed'],
      ['AWS/States', 'ExecutionsTimedOut'],
      ['AWS/States', 'ExecutionsAborted'],
    ]);
    expect(alarm.Properties).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching' });
  });

  it('expires the work of abandoned runs after 7 days, and never the state the next run starts from', () => {
    const bucket = Object.values(template.findResources('AWS::S3::Bucket')).find((b: Json) => b.Properties.VersioningConfiguration) as Json;
    const rules = bucket.Properties.LifecycleConfiguration.Rules;
    expect(rules).toContainEqual(expect.objectContaining({ Id: 'abandoned-work', Prefix: 'inventory/_work/', ExpirationInDays: 7, Status: 'Enabled' }));
    expect(rules.filter((rule: Json) => String(rule.Prefix ?? '').includes('_state'))).toEqual([]);
  });
});

describe('organization targets', () => {
  const orgProps = { organization: { roleName: 'InventoryRead', excludeAccounts: ['999900000001'] } };

  it('passes the organization settings to the function and lets it list accounts and assume the role only in the organization', () => {
    // Act
    const { template } = synthesizedDefinition(orgProps);

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

  it('passes cdk-nag with every finding acknowledged', () => {
    // Prepare
    const app = testApp();
    const stack = new Stack(app, 'Org', { env: { account: '123456789012', region: 'us-east-1' } });
    new SageMakerTrainingJobInventory(stack, 'Inventory', { ...orgProps, includeOwnAccount: false });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

    // Act, Assess
    expect(() => app.synth()).not.toThrow();
  });

  it.each([
    [{ organization: { roleName: 'arn:aws:iam::123456789012:role/Read' } }, 'organization.roleName is "arn:aws:iam::123456789012:role/Read"; allowed: an IAM role name of 1-64 letters, digits and +=,.@_- (no path, no ARN), such as SageMakerJobInventoryRead'],
    [{ organization: { roleName: 'x'.repeat(65) } }, `organization.roleName is "${'x'.repeat(65)}"; allowed: an IAM role name`],
    [{ organization: { includeAccounts: ['12345'] } }, 'organization.includeAccounts is "12345"; allowed: 12-digit AWS account ids'],
    [{ maxRunDuration: Duration.minutes(30) }, 'maxRunDuration is "30 minutes"; allowed: from 1 hour to 7 days'],
  ])('rejects %j with a message naming the construct, the value and what is allowed', (props, message) => {
    const stack = new Stack(testApp(), 'S', { env: { account: '111122223333', region: 'us-east-1' } });
    expect(() => new SageMakerTrainingJobInventory(stack, 'I', props)).toThrow(`S/I: ${message}`);
  });
});
