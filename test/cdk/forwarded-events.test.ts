import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { STATE_CHANGE_DETAIL_TYPE, STATE_CHANGE_SOURCE } from '../../lambda/core/events/state-change-event';
import { ConfigError } from '../../lambda/core/errors';
import { buildApp } from '../../lib/app';
import { INVENTORY_EVENT_BUS_ARN_PATTERN } from '../../lib/member-account-forwarding-stack';
import { SageMakerTrainingJobInventory, type SageMakerTrainingJobInventoryProps } from '../../lib/sagemaker-training-job-inventory';
import { testApp } from '../support/cdk-app';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- synthesized CloudFormation is untyped JSON
type Json = any;

const ACCOUNT = '111122223333';
const MEMBER_ACCOUNTS = ['210987654321', '210987654322'];
const roleIn = (account: string) => `arn:aws:iam::${account}:role/SageMakerJobInventoryRead`;
const root = (account: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${account}:root`]] });
const DEFAULT_BUS = `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/default`;

/** The inventory construct in a new stack of a known account and region. */
function inventoryStack(props: SageMakerTrainingJobInventoryProps): Stack {
  const stack = new Stack(testApp(), 'Stack', { env: { account: ACCOUNT, region: 'us-east-1' } });
  new SageMakerTrainingJobInventory(stack, 'Inventory', props);
  return stack;
}

/** The statements of the stack's event bus policies, as EventBridge gets them. */
function busStatements(props: SageMakerTrainingJobInventoryProps): Json[] {
  const stack = inventoryStack(props);
  const policies = Object.values(Template.fromStack(stack).findResources('AWS::Events::EventBusPolicy')) as Json[];
  for (const policy of policies) {
    expect(policy.Properties.EventBusName).toBe('default');
    expect(policy.Properties.Statement.Sid).toBe(policy.Properties.StatementId);
  }
  return policies.map((policy) => stack.resolve(policy.Properties.Statement));
}

describe("the inventory account's event bus policy (liveEvents)", () => {
  it('admits PutEvents on the default bus from exactly the accounts of the member roles, other than its own', () => {
    // Prepare
    const memberAccountRoleArns = [...MEMBER_ACCOUNTS, ACCOUNT].map(roleIn);

    // Act
    const statements = busStatements({ memberAccountRoleArns, liveEvents: {} });

    // Assess
    expect(statements).toEqual([
      {
        Sid: expect.stringMatching(/-Accounts$/),
        Effect: 'Allow',
        Principal: { AWS: MEMBER_ACCOUNTS.map(root) },
        Action: 'events:PutEvents',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:events:us-east-1:${ACCOUNT}:event-bus/default`]] },
      },
    ]);
  });

  it("admits the organization's listed accounts by id when the organization has includeAccounts", () => {
    // Act
    const statements = busStatements({ organization: { includeAccounts: [MEMBER_ACCOUNTS[1]] }, liveEvents: {} });

    // Assess
    expect(statements.map((s) => s.Principal)).toEqual([{ AWS: root(MEMBER_ACCOUNTS[1]) }]);
    expect(statements[0].Condition).toBeUndefined();
  });

  it('admits the whole organization by aws:PrincipalOrgID when the organization is snapshotted without an account list', () => {
    // Act
    const statements = busStatements({
      memberAccountRoleArns: [roleIn(MEMBER_ACCOUNTS[0])],
      organization: {},
      liveEvents: { organizationId: 'o-a1b2c3d4e5' },
    });

    // Assess
    expect(statements.map((s) => s.Sid.replace(/^.*-/, ''))).toEqual(['Accounts', 'Organization']);
    expect(statements[1]).toMatchObject({
      Effect: 'Allow',
      Principal: { AWS: '*' },
      Action: 'events:PutEvents',
      Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } },
    });
  });

  it('writes no bus policy when the inventory reads only its own account, whose other regions need none', () => {
    // Act
    const statements = busStatements({ liveEvents: {} });

    // Assess
    expect(statements).toEqual([]);
  });

  it('writes no bus policy without liveEvents', () => {
    // Act
    const statements = busStatements({ memberAccountRoleArns: MEMBER_ACCOUNTS.map(roleIn), organization: {} });

    // Assess
    expect(statements).toEqual([]);
  });

  it.each<[string, SageMakerTrainingJobInventoryProps, string]>([
    [
      'no organization id with the whole organization',
      { organization: {}, liveEvents: {} },
      "liveEvents.organizationId is not set; allowed: the organization's id",
    ],
    [
      'a malformed organization id',
      { organization: {}, liveEvents: { organizationId: 'r-a1b2' } },
      'liveEvents.organizationId is "r-a1b2"; allowed: o- and 10 to 32 lower-case letters or digits',
    ],
    [
      'an organization id without the organization',
      { liveEvents: { organizationId: 'o-a1b2c3d4e5' } },
      'liveEvents.organizationId is "o-a1b2c3d4e5"; allowed: unset unless organization is set',
    ],
    [
      'an organization id beside a list of accounts',
      { organization: { includeAccounts: [MEMBER_ACCOUNTS[0]] }, liveEvents: { organizationId: 'o-a1b2c3d4e5' } },
      'liveEvents.organizationId is "o-a1b2c3d4e5"; allowed: unset when organization.includeAccounts lists the accounts',
    ],
  ])('refuses %s, naming the value', (_case, props, message) => {
    // Act
    const create = () => inventoryStack(props);

    // Assess
    expect(create).toThrow(ConfigError);
    expect(create).toThrow(`Stack/Inventory: ${message}`);
  });

  it('outputs the bus ARN the forwarding template takes, only with liveEvents', () => {
    // Act
    const outputs = (context: Record<string, string>) => {
      const { inventory } = buildApp(testApp(context));
      return Template.fromStack(inventory).findOutputs('InventoryEventBusArn');
    };

    // Assess
    expect(Object.keys(outputs({ 'inventory:liveEvents': 'true' }))).toEqual(['InventoryEventBusArn']);
    expect(outputs({})).toEqual({});
  });
});

describe('the member-account forwarding stack', () => {
  const { memberForwarding, memberRole } = buildApp(testApp());
  const template = Template.fromStack(memberForwarding);

  it('forwards exactly the training-job state changes of its region to the InventoryEventBusArn parameter, with a dead-letter queue', () => {
    // Assess
    template.resourceCountIs('AWS::Events::Rule', 1);
    template.hasResource('AWS::Events::Rule', {
      Condition: 'ForwardsToAnotherBus',
      Properties: {
        State: 'ENABLED',
        EventPattern: { source: [STATE_CHANGE_SOURCE], 'detail-type': [STATE_CHANGE_DETAIL_TYPE] },
        Targets: [
          {
            Arn: { Ref: 'InventoryEventBusArn' },
            RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ForwardRole'), 'Arn'] },
            DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DeadLetterQueue'), 'Arn'] } },
          },
        ],
      },
    });
  });

  it('lets EventBridge, for this account only, put events on the inventory bus and nothing else', () => {
    // Assess
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          },
        ],
      },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Action: 'events:PutEvents', Effect: 'Allow', Resource: { Ref: 'InventoryEventBusArn' } }] },
    });
    template.resourceCountIs('AWS::IAM::Policy', 1);
  });

  it('gives its role a generated name, so a copy per region does not collide, unlike the member role', () => {
    // Assess
    const [role] = Object.values(template.findResources('AWS::IAM::Role')) as Json[];
    expect(role.Properties.RoleName).toBeUndefined();
    Template.fromStack(memberRole).resourceCountIs('AWS::Events::Rule', 0);
  });

  it('keeps its dead letters 14 days, TLS-only, encrypted, admitting only the rule, and alarms on them', () => {
    // Assess
    template.hasResourceProperties('AWS::SQS::Queue', { MessageRetentionPeriod: 1_209_600, SqsManagedSseEnabled: true });
    template.hasResource('AWS::SQS::QueuePolicy', {
      Condition: 'ForwardsToAnotherBus',
      Properties: {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
            Match.objectLike({
              Action: 'sqs:SendMessage',
              Principal: { Service: 'events.amazonaws.com' },
              Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [Match.stringLikeRegexp('^ForwardStateChanges'), 'Arn'] } } },
            }),
          ]),
        },
      },
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DeadLetterQueue'), 'QueueName'] } }],
    });
  });

  it("leaves the rule out in the inventory bus's own account and region, where it would send the bus its own events", () => {
    // Prepare
    const arnPart = (index: number) => ({ 'Fn::Select': [index, { 'Fn::Split': [':', { Ref: 'InventoryEventBusArn' }] }] });

    // Assess
    template.templateMatches({
      Conditions: {
        ForwardsToAnotherBus: {
          'Fn::Not': [
            {
              'Fn::And': [
                { 'Fn::Equals': [arnPart(3), { Ref: 'AWS::Region' }] },
                { 'Fn::Equals': [arnPart(4), { Ref: 'AWS::AccountId' }] },
              ],
            },
          ],
        },
      },
    });
  });

  it('takes one parameter, the bus, and no BootstrapVersion, so StackSets deploy it where CDK was never bootstrapped', () => {
    // Act
    const { Parameters, Rules } = template.toJSON();

    // Assess
    expect(Object.keys(Parameters)).toEqual(['InventoryEventBusArn']);
    expect(Rules).toBeUndefined();
  });

  it.each([
    [DEFAULT_BUS, true],
    ['arn:aws-us-gov:events:us-gov-west-1:111122223333:event-bus/default', true],
    ['arn:aws:events:us-east-1:111122223333:event-bus/inventory', false],
    ['arn:aws:events:us-east-1:11112222333:event-bus/default', false],
    ['arn:aws:events:Frankfurt:111122223333:event-bus/default', false],
    ['arn:aws:events:us-east-1:111122223333:rule/default', false],
  ])('takes %s as InventoryEventBusArn: %s', (arn, accepted) => {
    // Prepare
    const parameter = template.toJSON().Parameters.InventoryEventBusArn;

    // Act
    const matches = new RegExp(parameter.AllowedPattern).test(arn);

    // Assess
    expect(parameter.AllowedPattern).toBe(INVENTORY_EVENT_BUS_ARN_PATTERN);
    expect(matches).toBe(accepted);
  });
});
