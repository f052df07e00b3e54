import { App, CfnOutput, Duration, Stack, Token, Validations, type StackProps } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import type { Construct } from 'constructs';
import { ConfigError } from '../lambda/core/errors';
import { MemberAccountForwardingStack } from './member-account-forwarding-stack';
import { MemberAccountRoleStack } from './member-account-role-stack';
import { SageMakerTrainingJobInventory, type LiveEventsProps, type OrganizationTargets } from './sagemaker-training-job-inventory';

/** Settings read from cdk.json's context (or `-c key=value`); each maps onto one construct prop. */
export interface InventoryAppSettings {
  readonly regions?: string[];
  readonly memberAccountRoleArns?: string[];
  readonly alarmTopicArn?: string;
  readonly projectionStartDate?: string;
  /** A QuickSight user or group ARN: deploys the QuickSight data source, datasets and cost dashboard. */
  readonly quickSightPrincipalArn?: string;
  /** Also snapshot the AWS Organization's ACTIVE accounts (the construct's `organization` prop). */
  readonly organization?: OrganizationTargets;
  /** Live events (`inventory:liveEvents=true`), with the organization's id (`inventory:organizationId`) beside it. */
  readonly liveEvents?: LiveEventsProps;
  /** X-Ray tracing of the state machine and the functions. */
  readonly tracing?: boolean;
  /** The CUR 2.0 export and its Glue table (`inventory:curDatabase`, `inventory:curTable`, `inventory:curBucket`, `inventory:curPrefix`). */
  readonly costAndUsageReport?: {
    readonly databaseName: string;
    readonly tableName: string;
    readonly bucketName: string;
    readonly prefix: string;
  };
}

function listSetting(value: unknown): string[] | undefined {
  if (value === undefined || value === '') return undefined;
  if (Array.isArray(value)) return value.map(String);
  return String(value)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function booleanSetting(app: App, key: string): boolean | undefined {
  const value = String(app.node.tryGetContext(key) ?? '');
  if (value === '') return undefined;
  if (value !== 'true' && value !== 'false') throw new ConfigError(`context ${key} is ${JSON.stringify(value)}; allowed: true or false`);
  return value === 'true';
}

const CUR_CONTEXT = ['inventory:curDatabase', 'inventory:curTable', 'inventory:curBucket', 'inventory:curPrefix'] as const;

/** The four `inventory:cur*` keys, all or none. */
function costAndUsageReportSetting(app: App): InventoryAppSettings['costAndUsageReport'] {
  const [databaseName, tableName, bucketName, prefix] = CUR_CONTEXT.map((key) => String(app.node.tryGetContext(key) ?? ''));
  const given = [databaseName, tableName, bucketName, prefix].filter((value) => value !== '').length;
  if (given === 0) return undefined;
  if (given < CUR_CONTEXT.length)
    throw new ConfigError(
      `context ${CUR_CONTEXT.join(', ')}: ${given} of ${CUR_CONTEXT.length} set; allowed: all of them (the CUR 2.0 table and its export) or none`,
    );
  return { databaseName, tableName, bucketName, prefix };
}

/** `inventory:organization=true`, with the optional role name and account lists beside it. */
function organizationSetting(app: App): OrganizationTargets | undefined {
  if (!booleanSetting(app, 'inventory:organization')) return undefined;
  return {
    roleName: app.node.tryGetContext('inventory:organizationRoleName') || undefined,
    includeAccounts: listSetting(app.node.tryGetContext('inventory:organizationAccounts')),
    excludeAccounts: listSetting(app.node.tryGetContext('inventory:organizationExcludeAccounts')),
  };
}

/** `inventory:liveEvents=true`, with the organization id the event bus policy admits beside it. */
function liveEventsSetting(app: App): LiveEventsProps | undefined {
  if (!booleanSetting(app, 'inventory:liveEvents')) return undefined;
  return { organizationId: app.node.tryGetContext('inventory:organizationId') || undefined };
}

export class InventoryStack extends Stack {
  readonly inventory: SageMakerTrainingJobInventory;

  constructor(scope: Construct, id: string, settings: InventoryAppSettings, props?: StackProps) {
    super(scope, id, {
      description: 'SageMaker training-job inventory: scheduled snapshots to Parquet, Glue table, Athena workgroup',
      ...props,
    });
    this.inventory = new SageMakerTrainingJobInventory(this, 'Inventory', {
      regions: settings.regions,
      memberAccountRoleArns: settings.memberAccountRoleArns,
      projectionStartDate: settings.projectionStartDate,
      alarmTopic: settings.alarmTopicArn ? sns.Topic.fromTopicArn(this, 'AlarmTopic', settings.alarmTopicArn) : undefined,
      schedulePeriod: Duration.days(1),
      quickSight: settings.quickSightPrincipalArn ? { principalArn: settings.quickSightPrincipalArn } : undefined,
      organization: settings.organization,
      liveEvents: settings.liveEvents,
      tracing: settings.tracing,
      costAndUsageReport: settings.costAndUsageReport && {
        ...settings.costAndUsageReport,
        bucket: s3.Bucket.fromBucketName(this, 'CostAndUsageReportBucket', settings.costAndUsageReport.bucketName),
      },
    });
    new CfnOutput(this, 'InventoryRoleArn', {
      value: this.inventory.role.roleArn,
      description: 'Member accounts trust this role (InventoryRoleArn parameter)',
    });
    if (this.inventory.liveEvents)
      new CfnOutput(this, 'InventoryEventsRoleArn', {
        value: this.inventory.liveEvents.role.roleArn,
        description: 'Member accounts trust this role too (InventoryEventsRoleArn parameter): the events function describes their jobs',
      });
    new CfnOutput(this, 'SnapshotRoot', { value: this.inventory.outputRoot });
    new CfnOutput(this, 'AthenaWorkgroup', { value: this.inventory.workgroup.ref });
    new CfnOutput(this, 'GlueDatabase', { value: this.inventory.glueTable.database.ref });
    if (this.inventory.forwardedEvents)
      new CfnOutput(this, 'InventoryEventBusArn', {
        value: this.inventory.forwardedEvents.eventBus.eventBusArn,
        description: 'Member accounts and regions forward state changes here (InventoryEventBusArn parameter)',
      });
  }
}

/** The stacks of the app. */
export interface InventoryApp {
  readonly app: App;
  readonly inventory: InventoryStack;
  readonly memberRole: MemberAccountRoleStack;
  readonly memberForwarding: MemberAccountForwardingStack;
}

/** Builds the whole app: the inventory stack, the member-account role and forwarding templates, and cdk-nag over all three. */
export function buildApp(app: App = new App()): InventoryApp {
  const settings: InventoryAppSettings = {
    regions: listSetting(app.node.tryGetContext('inventory:regions')),
    memberAccountRoleArns: listSetting(app.node.tryGetContext('inventory:memberAccountRoleArns')),
    alarmTopicArn: app.node.tryGetContext('inventory:alarmTopicArn') || undefined,
    projectionStartDate: app.node.tryGetContext('inventory:projectionStartDate') || undefined,
    quickSightPrincipalArn: app.node.tryGetContext('inventory:quickSightPrincipalArn') || undefined,
    organization: organizationSetting(app),
    liveEvents: liveEventsSetting(app),
    tracing: booleanSetting(app, 'inventory:tracing'),
    costAndUsageReport: costAndUsageReportSetting(app),
  };
  const env = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };
  const inventory = new InventoryStack(app, 'SageMakerJobInventory', settings, { env });
  const memberRole = new MemberAccountRoleStack(app, 'SageMakerJobInventoryMemberRole', { env });
  const memberForwarding = new MemberAccountForwardingStack(app, 'SageMakerJobInventoryMemberForwarding', { env });
  // cdk-nag prints an unresolved account as <AWS::AccountId>, the one CDK_DEFAULT_ACCOUNT gives as itself.
  const memberAccount = Token.isUnresolved(memberRole.account) ? '<AWS::AccountId>' : memberRole.account;
  Validations.of(memberRole.role).acknowledge(
    {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'sagemaker:ListTrainingJobs and tag:GetResources do not support resource-level permissions; both are read-only.',
    },
    {
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sagemaker:*:${memberAccount}:training-job/*]`,
      reason: 'The inventory describes every training job of the member account; their names are not known in advance. Read-only.',
    },
  );
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  return { app, inventory, memberRole, memberForwarding };
}

if (require.main === module) buildApp().app.synth();
