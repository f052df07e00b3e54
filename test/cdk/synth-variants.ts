import { Duration, RemovalPolicy, Size, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sns from 'aws-cdk-lib/aws-sns';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import * as ts from 'typescript';
import { buildApp } from '../../lib/app';
import { SageMakerTrainingJobInventory, type SageMakerTrainingJobInventoryProps } from '../../lib/sagemaker-training-job-inventory';
import { testApp } from '../support/cdk-app';

const ROOT = join(__dirname, '..', '..');
const ACCOUNT = '111122223333';
const GROUP = `arn:aws:quicksight:us-east-1:${ACCOUNT}:group/default/finops`;
const MEMBER_ROLES = [
  'arn:aws:iam::210987654321:role/SageMakerJobInventoryRead',
  'arn:aws:iam::210987654322:role/SageMakerJobInventoryRead',
];

/** The app as `cdk synth` builds it from context (cdk.json or `-c`), optionally with the account and region of credentials. */
export interface AppVariant {
  readonly name: string;
  readonly context: Readonly<Record<string, string>>;
  readonly env?: { readonly account: string; readonly region: string };
}

/** The construct in a stack of its own, with these props. */
export interface ConstructVariant {
  readonly name: string;
  readonly props: (stack: Stack) => SageMakerTrainingJobInventoryProps;
  readonly env?: { readonly account: string; readonly region: string };
}

export const APP_VARIANTS: readonly AppVariant[] = [
  { name: 'app-default', context: {} },
  { name: 'app-quicksight', context: { 'inventory:quickSightPrincipalArn': GROUP } },
  {
    name: 'app-quicksight-cost-and-usage-report',
    context: {
      'inventory:quickSightPrincipalArn': GROUP,
      'inventory:curDatabase': 'billing',
      'inventory:curTable': 'cur2',
      'inventory:curBucket': `billing-exports-${ACCOUNT}`,
      'inventory:curPrefix': 'exports/sagemaker-cur',
    },
  },
  { name: 'app-live-events', context: { 'inventory:liveEvents': 'true', 'inventory:memberAccountRoleArns': MEMBER_ROLES.join(',') } },
  {
    name: 'app-organization-tracing-regions',
    context: {
      'inventory:organization': 'true',
      'inventory:organizationRoleName': 'InventoryReader',
      'inventory:organizationAccounts': '210987654321,210987654322,210987654323',
      'inventory:organizationExcludeAccounts': '210987654323',
      'inventory:tracing': 'true',
      'inventory:regions': 'us-east-1,eu-west-1,ap-southeast-2',
    },
  },
  {
    name: 'app-member-roles-alarm-topic',
    context: {
      'inventory:memberAccountRoleArns': MEMBER_ROLES.join(','),
      'inventory:alarmTopicArn': `arn:aws:sns:us-east-1:${ACCOUNT}:inventory-alarms`,
      'inventory:projectionStartDate': '2025-01-01',
    },
    // `cdk synth` with credentials: the account and region are known at synth time.
    env: { account: ACCOUNT, region: 'us-east-1' },
  },
  {
    name: 'app-organization-live-events',
    context: { 'inventory:organization': 'true', 'inventory:liveEvents': 'true', 'inventory:organizationId': 'o-a1b2c3d4e5' },
  },
];

export const CONSTRUCT_VARIANTS: readonly ConstructVariant[] = [
  { name: 'construct-default', props: () => ({}) },
  { name: 'construct-quicksight', props: () => ({ quickSight: { principalArn: GROUP } }) },
  {
    name: 'construct-organization-tracing-regions',
    props: () => ({
      organization: { roleName: 'InventoryReader', includeAccounts: ['210987654321'], excludeAccounts: ['210987654322'] },
      tracing: true,
      regions: ['us-east-1', 'eu-west-1', 'ap-northeast-1'],
    }),
  },
  {
    name: 'construct-member-roles-alarm-topic',
    props: (stack) => ({ memberAccountRoleArns: MEMBER_ROLES, alarmTopic: new sns.Topic(stack, 'Alarms'), includeOwnAccount: false }),
  },
  {
    name: 'construct-organization-member-roles-live-events',
    props: () => ({ memberAccountRoleArns: MEMBER_ROLES, organization: {}, liveEvents: { organizationId: 'o-a1b2c3d4e5' } }),
  },
  {
    name: 'construct-imported-bucket-and-key-without-prices',
    props: (stack) => ({
      bucket: s3.Bucket.fromBucketName(stack, 'Bucket', 'existing-warehouse-bucket'),
      encryptionKey: kms.Key.fromKeyArn(stack, 'Key', `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`),
      priceRefreshSchedule: false,
    }),
  },
  {
    name: 'construct-every-prop',
    env: { account: ACCOUNT, region: 'eu-west-1' },
    props: (stack) => {
      const encryptionKey = new kms.Key(stack, 'Key', { enableKeyRotation: true });
      return {
        schedule: scheduler.ScheduleExpression.rate(Duration.hours(12)),
        schedulePeriod: Duration.hours(12),
        regions: ['eu-west-1', 'eu-central-1'],
        memberAccountRoleArns: MEMBER_ROLES,
        includeOwnAccount: false,
        organization: { roleName: 'InventoryReader', includeAccounts: ['210987654321'], excludeAccounts: ['210987654322'] },
        bucket: new s3.Bucket(stack, 'Bucket', { encryption: s3.BucketEncryption.KMS, encryptionKey, enforceSSL: true }),
        prefix: 'warehouse/sagemaker',
        databaseName: 'ml_inventory',
        tableName: 'training_jobs',
        encryptionKey,
        removalPolicy: RemovalPolicy.DESTROY,
        logRetention: logs.RetentionDays.THREE_MONTHS,
        alarmTopic: new sns.Topic(stack, 'Alarms'),
        memorySize: 2048,
        ephemeralStorageSize: Size.gibibytes(2),
        timeout: Duration.minutes(10),
        projectionStartDate: '2025-06-01',
        athenaBytesScannedCutoff: 1_000_000_000,
        costAllocationTagKeys: ['team', 'owner', 'cost-center'],
        staleAfterDays: 14,
        collector: {
          rateLimits: { ListTrainingJobs: 1, DescribeTrainingJob: 5, ListTags: 5, GetResources: 2 },
          concurrency: 4,
          parallelTargets: 2,
          tagStrategy: 'per-job',
          compression: 'snappy',
          rowGroupRows: 5000,
          maxAttempts: 5,
          requestTimeout: 20,
          jobThrottleAttempts: 6,
          stallPeriod: 600,
          fullEveryDays: 14,
          rateShare: 0.5,
          redactSecrets: true,
          redactKeyPatterns: ['api_key', 'passphrase'],
          allowShrink: false,
          shrinkShare: 0.25,
          shrinkJobs: 50,
        },
        tracing: true,
        maxRunDuration: Duration.hours(11),
        functionEnvironment: { POWERTOOLS_LOG_LEVEL: 'DEBUG' },
        priceRefreshSchedule: scheduler.ScheduleExpression.cron({ minute: '30', hour: '3', weekDay: 'SUN' }),
        quickSight: { principalArn: GROUP, serviceRoleName: 'service-role/inventory-quicksight', teamTagKey: 'owner' },
        costAndUsageReport: {
          databaseName: 'billing',
          tableName: 'cur2',
          bucket: new s3.Bucket(stack, 'BillingExports', { enforceSSL: true }),
          prefix: 'exports/sagemaker-cur',
        },
        liveEvents: {
          rateShare: 0.3,
          maxConcurrency: 3,
          batchSize: 500,
          maxBatchingWindow: Duration.seconds(90),
          maxReceiveCount: 8,
          timeout: Duration.minutes(5),
          memorySize: 1536,
        },
      };
    },
  },
];

function withDefaultEnvironment<T>(env: AppVariant['env'], build: () => T): T {
  const saved = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };
  const set = (name: string, value: string | undefined) => (value === undefined ? delete process.env[name] : (process.env[name] = value));
  set('CDK_DEFAULT_ACCOUNT', env?.account);
  set('CDK_DEFAULT_REGION', env?.region);
  try {
    return build();
  } finally {
    set('CDK_DEFAULT_ACCOUNT', saved.account);
    set('CDK_DEFAULT_REGION', saved.region);
  }
}

/** Synthesizes an app variant (cdk-nag included) into `outdir`. */
export function synthApp(variant: AppVariant, outdir: string): void {
  withDefaultEnvironment(variant.env, () => buildApp(testApp(variant.context, { outdir })).app.synth());
}

/** Synthesizes a construct variant into `outdir`; returns the props it was given. */
export function synthConstruct(variant: ConstructVariant, outdir: string): SageMakerTrainingJobInventoryProps {
  const app = testApp({}, { outdir });
  const stack = new Stack(app, variant.name.replace(/[^A-Za-z0-9-]/g, '-'), { env: variant.env });
  const props = variant.props(stack);
  new SageMakerTrainingJobInventory(stack, 'Inventory', props);
  app.synth();
  return props;
}

/** The paths (`a.b`) a props object sets: its defined keys, and those of the plain objects it holds. */
export function pathsSet(value: object, prefix = ''): string[] {
  return Object.entries(value).flatMap(([key, v]) => {
    if (v === undefined) return [];
    const path = `${prefix}${key}`;
    const plain = v !== null && typeof v === 'object' && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
    return plain ? [path, ...pathsSet(v, `${path}.`)] : [path];
  });
}

type Declaration = ts.InterfaceDeclaration | ts.TypeLiteralNode;

/** An interface of this file, or of the relative imports that bring its name in. */
function findInterface(name: string, file: string): { declaration: ts.InterfaceDeclaration; file: string } | undefined {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  for (const statement of source.statements) {
    if (ts.isInterfaceDeclaration(statement) && statement.name.text === name) return { declaration: statement, file };
  }
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    const specifier = statement.moduleSpecifier.text;
    const bindings = statement.importClause?.namedBindings;
    if (!specifier.startsWith('.') || !bindings || !ts.isNamedImports(bindings)) continue;
    if (!bindings.elements.some((element) => element.name.text === name)) continue;
    return findInterface(name, `${resolve(dirname(file), specifier)}.ts`);
  }
  return undefined;
}

function propertyPaths(declaration: Declaration, file: string, prefix: string): string[] {
  return declaration.members.filter(ts.isPropertySignature).flatMap((member) => {
    const path = `${prefix}${member.name.getText()}`;
    const type = member.type;
    if (type && ts.isTypeLiteralNode(type)) return [path, ...propertyPaths(type, file, `${path}.`)];
    if (type && ts.isTypeReferenceNode(type) && ts.isIdentifier(type.typeName)) {
      const nested = findInterface(type.typeName.text, file);
      if (nested) return [path, ...propertyPaths(nested.declaration, nested.file, `${path}.`)];
    }
    return [path];
  });
}

/** Every prop path of the construct's props interface, nested ones included (`quickSight.teamTagKey`), read from its source. */
export function declaredPropPaths(): string[] {
  const found = findInterface('SageMakerTrainingJobInventoryProps', join(ROOT, 'lib', 'sagemaker-training-job-inventory.ts'));
  if (!found) throw new Error('SageMakerTrainingJobInventoryProps was not found in lib/sagemaker-training-job-inventory.ts');
  return propertyPaths(found.declaration, found.file, '');
}

/** Every `inventory:*` context key the app reads, from its source. */
export function appContextKeys(): string[] {
  return [...new Set(readFileSync(join(ROOT, 'lib', 'app.ts'), 'utf8').match(/'inventory:[A-Za-z]+'/g) ?? [])].map((key) =>
    key.slice(1, -1),
  );
}
