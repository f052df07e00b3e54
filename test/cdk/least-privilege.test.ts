import { Stack } from 'aws-cdk-lib';
import type { CfnRole } from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
import { buildApp } from '../../lib/app';
import { loadSqlCatalog, withoutCostAndUsageReport } from '../../lambda/core/query/sql-catalog';
import { testApp } from '../support/cdk-app';
import {
  actionsNeededBy,
  awsCallsIn,
  bundleSources,
  iamActionsOf,
  identityStatements,
  LAMBDA_RUNTIME_ACTIONS,
  TRACING_ACTIONS,
  type IdentityStatement,
} from './iam-audit';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** What AWS services do with the roles they assume for the stack, and why. */
const SERVICE_ROLE_ACTIONS: Record<string, { readonly actions: readonly string[]; readonly reason: string }> = {
  'scheduler.amazonaws.com': {
    actions: ['states:StartExecution', 'lambda:InvokeFunction', 'sqs:SendMessage', 'kms:GenerateDataKey', 'kms:Decrypt'],
    reason: 'EventBridge Scheduler starts the state machine (or invokes the price function) and dead-letters to a KMS-encrypted queue',
  },
  'events.amazonaws.com': {
    actions: ['events:PutEvents'],
    reason: "EventBridge puts the member account's training-job state changes on the inventory account's event bus",
  },
  'states.amazonaws.com': {
    actions: [
      'lambda:InvokeFunction',
      'logs:CreateLogDelivery',
      'logs:GetLogDelivery',
      'logs:UpdateLogDelivery',
      'logs:DeleteLogDelivery',
      'logs:ListLogDeliveries',
      'logs:PutResourcePolicy',
      'logs:DescribeResourcePolicies',
      'logs:DescribeLogGroups',
      ...TRACING_ACTIONS.actions,
      'xray:GetSamplingRules',
      'xray:GetSamplingTargets',
    ],
    reason: 'the state machine invokes the snapshot function, delivers its execution logs and, with tracing, sends traces',
  },
  quicksight: {
    actions: [
      'athena:StartQueryExecution',
      'athena:GetQueryExecution',
      'athena:GetQueryResults',
      'athena:StopQueryExecution',
      'athena:GetWorkGroup',
      'glue:GetDatabase',
      'glue:GetTable',
      'glue:GetTables',
      'glue:GetPartition',
      'glue:GetPartitions',
      's3:GetObject',
      's3:ListBucket',
      's3:GetBucketLocation',
      's3:PutObject',
      's3:AbortMultipartUpload',
      's3:ListMultipartUploadParts',
      'kms:Decrypt',
      'kms:GenerateDataKey',
    ],
    reason: "QuickSight runs the dashboard's Athena queries with its service role: the catalog, the tables' objects, the results",
  },
};

/**
 * Actions a bundle's code contains but a function never calls, each with why: the price function
 * shares the warehouse store, whose leases and checkpoints serve only training-job runs.
 */
const BUNDLED_BUT_NOT_CALLED: Record<string, Record<string, string>> = {
  prices: {
    's3:GetObject': 'the store reads leases, checkpoints and previous snapshots for training-job runs only',
    's3:DeleteObject': 'the store deletes the work area of training-job runs only',
  },
};

function logicalIdOf(construct: IConstruct): string {
  return Stack.of(construct).getLogicalId(construct.node.defaultChild as CfnRole);
}

describe('least privilege: every IAM grant of the synthesized app', () => {
  // Prepare: every optional part deployed, so every statement the construct can write is here.
  const { app, inventory, memberRole, memberForwarding } = buildApp(
    testApp({
      'inventory:regions': 'us-east-1,eu-west-1',
      'inventory:memberAccountRoleArns': 'arn:aws:iam::210987654321:role/SageMakerJobInventoryRead',
      'inventory:organization': 'true',
      'inventory:tracing': 'true',
      'inventory:quickSightPrincipalArn': 'arn:aws:quicksight:us-east-1:111122223333:group/default/finops',
    }),
  );
  const assembly = app.synth();
  const template = assembly.getStackByName(inventory.stackName).template as Json;
  const memberTemplate = assembly.getStackByName(memberRole.stackName).template as Json;
  const forwardingTemplate = assembly.getStackByName(memberForwarding.stackName).template as Json;
  const statements = [
    ...identityStatements(template),
    ...identityStatements(memberTemplate).map((s) => ({ ...s, role: `member:${s.role}` })),
    ...identityStatements(forwardingTemplate).map((s) => ({ ...s, role: `forwarding:${s.role}` })),
  ];
  const construct = inventory.inventory;

  const functions = {
    snapshot: { role: logicalIdOf(construct.role), entry: 'lambda/functions/snapshot/handler.ts' },
    'athena-views': { role: logicalIdOf(construct.views.node.findChild('Role')), entry: 'lambda/functions/athena-views/handler.ts' },
    prices: { role: logicalIdOf(construct.priceRefresh!.role), entry: 'lambda/functions/prices/handler.ts' },
  };
  const calledBy = Object.fromEntries(
    Object.entries(functions).map(([name, { entry }]) => [name, iamActionsOf(awsCallsIn(bundleSources(entry)))]),
  );

  /** What the role's user may need: the function's calls and what they need along, or the service's own list. */
  function allowedFor(role: string): Set<string> {
    const fn = Object.entries(functions).find(([, f]) => f.role === role);
    if (fn) return new Set([...actionsNeededBy(calledBy[fn[0]]), ...LAMBDA_RUNTIME_ACTIONS.actions, ...TRACING_ACTIONS.actions]);
    if (role === `member:${logicalIdOf(memberRole.role)}`)
      return new Set([...calledBy.snapshot].filter((action) => /^(sagemaker|tag):/.test(action)));
    if (role === 'aws-quicksight-service-role-v0') return new Set(SERVICE_ROLE_ACTIONS.quicksight.actions);
    const [roleTemplate, id] = role.startsWith('forwarding:') ? [forwardingTemplate, role.slice('forwarding:'.length)] : [template, role];
    const principal = roleTemplate.Resources[id]?.Properties.AssumeRolePolicyDocument.Statement[0].Principal.Service;
    return new Set(SERVICE_ROLE_ACTIONS[principal]?.actions ?? []);
  }
  const granted = (role: string) => new Set(statements.filter((s) => s.role === role).flatMap((s) => s.actions));

  it('audits every role the app grants anything to', () => {
    // Assess
    expect(new Set(statements.map((s) => s.role)).size).toBeGreaterThanOrEqual(8);
  });

  it('grants no wildcard action', () => {
    // Assess
    const wildcards = statements.filter((s: IdentityStatement) => s.actions.some((action) => action.includes('*')));
    expect(wildcards.map((s) => `${s.role}: ${s.actions.join(', ')}`)).toEqual([]);
  });

  it('grants no action that the code (or the service assuming the role) never calls', () => {
    // Act
    const uncalled = [...new Set(statements.map((s) => s.role))].flatMap((role) => {
      const allowed = allowedFor(role);
      return [...granted(role)].filter((action) => !allowed.has(action)).map((action) => `${role}: ${action}`);
    });

    // Assess
    expect(uncalled).toEqual([]);
  });

  it.each(Object.keys(functions))('grants the %s function every AWS call its code makes', (name) => {
    // Prepare
    const { role } = functions[name as keyof typeof functions];
    const notCalled = BUNDLED_BUT_NOT_CALLED[name] ?? {};

    // Act
    const missing = [...calledBy[name]].filter((action) => !granted(role).has(action) && !(action in notCalled));

    // Assess
    expect(missing).toEqual([]);
  });

  it('finds the calls in the code, so the checks above have something to compare', () => {
    // Assess
    expect([...calledBy.snapshot]).toEqual(
      expect.arrayContaining([
        'sagemaker:ListTrainingJobs',
        'sagemaker:DescribeTrainingJob',
        'tag:GetResources',
        's3:PutObject',
        'sts:AssumeRole',
        'organizations:ListAccounts',
      ]),
    );
    expect([...calledBy['athena-views']].sort()).toEqual(['athena:GetQueryExecution', 'athena:StartQueryExecution']);
    expect([...calledBy.prices]).toContain('pricing:GetProducts');
  });

  it('lets the member-account role read exactly what the collector reads in its own account', () => {
    // Prepare
    const sourceActions = [...calledBy.snapshot].filter((action) => /^(sagemaker|tag):/.test(action)).sort();

    // Assess
    expect([...granted(`member:${logicalIdOf(memberRole.role)}`)].sort()).toEqual(sourceActions);
  });

  it('lets the views function write only the shipped views, by name', () => {
    // Prepare
    const writes = statements.find((s) => s.role === functions['athena-views'].role && s.actions.includes('glue:CreateTable'))!;
    const tables = [writes.statement.Resource]
      .flat()
      .map((resource) => JSON.stringify(resource))
      .filter((resource) => resource.includes(':table/'));

    // Assess
    expect(tables.length).toBe(withoutCostAndUsageReport(loadSqlCatalog()).views.length);
    expect(tables.filter((resource) => resource.includes('*'))).toEqual([]);
  });

  it('encrypts every log group with the inventory key, which lets CloudWatch Logs use it for those log groups only', () => {
    // Prepare
    const logGroups = Object.values(template.Resources as Record<string, Json>).filter((r) => r.Type === 'AWS::Logs::LogGroup');
    const keyPolicy =
      (Object.values(template.Resources as Record<string, Json>).find((r) => r.Type === 'AWS::KMS::Key')!.Properties.KeyPolicy
        .Statement as Json[]) ?? [];
    const logsGrants = keyPolicy.filter((statement) => JSON.stringify(statement.Principal).includes('logs.'));

    // Assess
    expect(logGroups.length).toBeGreaterThanOrEqual(4);
    expect(logGroups.filter((group) => !group.Properties.KmsKeyId)).toEqual([]);
    for (const group of logGroups) {
      expect(logsGrants.some((grant) => JSON.stringify(grant.Condition).includes(`log-group:${group.Properties.LogGroupName}`))).toBe(true);
    }
    expect(logsGrants.flatMap((grant) => grant.Action).filter((action: string) => action.includes('*'))).toEqual([]);
  });
});
