import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { PRICES_SERVICE_NAME } from '../../lambda/core/names';
import { SageMakerTrainingJobInventory } from '../../lib/sagemaker-training-job-inventory';
import { testApp } from '../support/cdk-app';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- synthesized CloudFormation is untyped JSON
type Json = any;

function synth(props: ConstructorParameters<typeof SageMakerTrainingJobInventory>[2] = {}) {
  const stack = new Stack(testApp(), 'Stack', { env: { account: '111122223333', region: 'us-east-1' } });
  const inventory = new SageMakerTrainingJobInventory(stack, 'Inventory', { regions: ['us-east-1', 'eu-west-1'], ...props });
  return { inventory, template: Template.fromStack(stack) };
}

function priceFunction(template: Template): Json {
  const functions = Object.values(template.findResources('AWS::Lambda::Function')).filter(
    (f: Json) => f.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === PRICES_SERVICE_NAME,
  );
  expect(functions).toHaveLength(1);
  return functions[0];
}

describe('the weekly price refresh', () => {
  const { inventory, template } = synth();

  it("reads the prices of the inventory's regions into the inventory's warehouse, with its key", () => {
    // Act
    const variables = priceFunction(template).Properties.Environment.Variables;

    // Assess
    expect(variables).toMatchObject({
      SM_INVENTORY_REGIONS: 'us-east-1,eu-west-1',
      SM_INVENTORY_KMS_KEY_ARN: { 'Fn::GetAtt': [expect.stringMatching(/^InventoryKey/), 'Arn'] },
    });
    expect(JSON.stringify(variables.SM_INVENTORY_OUTPUT)).toContain('/inventory');
  });

  it('has its own role: GetProducts, writes under the price table prefix only, the key and its own logs', () => {
    // Prepare
    const roleId = priceFunction(template).Properties.Role['Fn::GetAtt'][0];

    // Act
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p: Json) =>
      p.Properties.Roles.some((r: Json) => r.Ref === roleId),
    );

    // Assess
    expect(policies).toHaveLength(1);
    expect(
      (policies[0] as Json).Properties.PolicyDocument.Statement.map((s: Json) => ({
        Sid: s.Sid,
        Action: s.Action,
        Resource: JSON.stringify(s.Resource),
      })),
    ).toEqual([
      { Sid: 'ReadPriceList', Action: 'pricing:GetProducts', Resource: '"*"' },
      {
        Sid: 'WritePriceSnapshots',
        Action: ['s3:AbortMultipartUpload', 's3:PutObject'],
        Resource: expect.stringContaining('/inventory/sagemaker_instance_price/*'),
      },
      { Sid: 'EncryptPriceSnapshots', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: expect.stringContaining('InventoryKey') },
      {
        Sid: 'WriteOwnLogs',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: expect.stringContaining('InventoryPricesLogs'),
      },
    ]);
    expect(template.toJSON().Resources[roleId].Properties.ManagedPolicyArns).toBeUndefined();
  });

  it('runs on its own schedule, Mondays at 01:00 UTC, with retries and an encrypted dead-letter queue of its own', () => {
    // Assess
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 1 ? * MON *)',
      Target: {
        Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('InventoryPricesFunction'), 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 21600 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('InventoryPricesDeadLetterQueue'), 'Arn'] } },
      },
    });
    expect(inventory.priceRefresh!.alarms).toHaveLength(2);
  });

  it('takes another schedule, or none', () => {
    // Act
    const weekly = synth({ priceRefreshSchedule: scheduler.ScheduleExpression.cron({ minute: '30', hour: '4', weekDay: 'SUN' }) });
    const none = synth({ priceRefreshSchedule: false });

    // Assess
    weekly.template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'cron(30 4 ? * SUN *)' });
    expect(none.inventory.priceRefresh).toBeUndefined();
    expect(
      Object.values(none.template.findResources('AWS::Lambda::Function')).filter(
        (f: Json) => f.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === PRICES_SERVICE_NAME,
      ),
    ).toEqual([]);
  });
});
