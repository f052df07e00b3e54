import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { buildApp } from '../../lib/app';
import { SageMakerTrainingJobInventory } from '../../lib/sagemaker-training-job-inventory';
import { SERVICE_NAME } from '../../lambda/core/names';
import { TRAINING_JOB_SCHEMA } from '../../lambda/core/schema/table-schema';
import { loadSqlCatalog } from '../../lambda/core/query/sql-catalog';
import { testApp } from '../support/cdk-app';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- synthesized CloudFormation is untyped JSON
type Json = any;

const MEMBER = 'arn:aws:iam::210987654321:role/SageMakerJobInventoryRead';

function synthInventory(context: Record<string, unknown> = {}) {
  const { inventory, memberRole } = buildApp(testApp(context));
  return { template: Template.fromStack(inventory), member: Template.fromStack(memberRole), stack: inventory };
}

/** The Glue table of one schema (the stack declares one per table in glue-schema/). */
function glueTable(template: Template, name: string): Record<string, Json> {
  const tables = Object.values(template.findResources('AWS::Glue::Table')).filter((t: Json) => t.Properties.TableInput.Name === name);
  expect(tables).toHaveLength(1);
  return tables[0];
}

/** The snapshot function (the stack's others create the Athena views and refresh the prices). */
function inventoryFunction(template: Template): Record<string, Json> {
  const functions = Object.values(template.findResources('AWS::Lambda::Function')).filter((f: Json) => f.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === SERVICE_NAME);
  expect(functions).toHaveLength(1);
  return functions[0];
}

describe('the inventory stack', () => {
  const { template, member } = synthInventory({ 'inventory:regions': 'us-east-1,eu-west-1', 'inventory:memberAccountRoleArns': MEMBER });

  it('declares the Glue columns of the schema file, in order, with their types and comments', () => {
    const table = glueTable(template, TRAINING_JOB_SCHEMA.table).Properties.TableInput;
    expect(table.StorageDescriptor.Columns).toEqual(TRAINING_JOB_SCHEMA.columns.map(({ name, type, comment }) => ({ Name: name, Type: type, Comment: comment })));
    expect(table.PartitionKeys).toEqual(TRAINING_JOB_SCHEMA.partitionKeys.map(({ name, type, comment }) => ({ Name: name, Type: type, Comment: comment })));
    expect(table.StorageDescriptor.Columns).toHaveLength(46);
    expect(table.StorageDescriptor.SerdeInfo.SerializationLibrary).toBe('org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe');
  });

  it('finds partitions by projection over snapshot_date and region, with no crawler', () => {
    const parameters = glueTable(template, TRAINING_JOB_SCHEMA.table).Properties.TableInput.Parameters;
    expect(parameters).toMatchObject({
      'projection.enabled': 'true',
      'projection.snapshot_date.type': 'date',
      'projection.snapshot_date.format': 'yyyy-MM-dd',
      'projection.snapshot_date.range': '2024-01-01,NOW',
      'projection.region.type': 'enum',
      'projection.region.values': 'us-east-1,eu-west-1',
    });
    expect(JSON.stringify(parameters['storage.location.template'])).toContain('/inventory/sagemaker_training_job/snapshot_date=${snapshot_date}/region=${region}');
    template.resourceCountIs('AWS::Glue::Crawler', 0);
  });

  it('starts a snapshot daily at 02:00 UTC with retries and an encrypted dead-letter queue', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 2 * * ? *)',
      Target: {
        RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 21600 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('DeadLetterQueue'), 'Arn'] } },
      },
    });
    template.hasResourceProperties('AWS::SQS::Queue', { KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('InventoryKey'), 'Arn'] } });
  });

  it('gives the function exactly the permissions it needs, and no managed policy', () => {
    const role = inventoryFunction(template).Properties.Role;
    const roleId = role['Fn::GetAtt'][0];
    const roleResource = template.toJSON().Resources[roleId];
    expect(roleResource.Properties.ManagedPolicyArns).toBeUndefined();
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p: Json) => p.Properties.Roles.some((r: Json) => r.Ref === roleId));
    expect(policies).toHaveLength(1);
    const statements = (policies[0] as Json).Properties.PolicyDocument.Statement.map((s: Json) => ({ Sid: s.Sid, Action: s.Action, Resource: JSON.stringify(s.Resource) }));
    expect(statements).toEqual([
      { Sid: 'ListTrainingJobsAndTags', Action: ['sagemaker:ListTrainingJobs', 'tag:GetResources'], Resource: '"*"' },
      { Sid: 'DescribeTrainingJobs', Action: ['sagemaker:DescribeTrainingJob', 'sagemaker:ListTags'], Resource: expect.stringContaining(':training-job/*') },
      { Sid: 'WriteSnapshots', Action: ['s3:AbortMultipartUpload', 's3:PutObject'], Resource: expect.stringContaining('/inventory/sagemaker_training_job/*') },
      { Sid: 'WorkArea', Action: ['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:GetObject', 's3:PutObject'], Resource: expect.stringContaining('"/inventory/_work/*"') },
      { Sid: 'RunState', Action: ['s3:AbortMultipartUpload', 's3:GetObject', 's3:PutObject'], Resource: expect.stringContaining('"/inventory/_state/*"') },
      { Sid: 'ReadPreviousSnapshots', Action: 's3:GetObject', Resource: expect.stringMatching(/"\/inventory\/sagemaker_training_job\/\*"\]\]\}$/) },
      { Sid: 'MissingObjectsAreNotFound', Action: 's3:ListBucket', Resource: expect.stringMatching(/^\{"Fn::GetAtt":\["InventoryBucket\w+","Arn"\]\}$/) },
      { Sid: 'EncryptSnapshots', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: expect.stringContaining('InventoryKey') },
      { Sid: 'WriteOwnLogs', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: expect.stringContaining('InventoryLogs') },
      { Sid: 'AssumeMemberAccountRoles', Action: 'sts:AssumeRole', Resource: JSON.stringify(MEMBER) },
    ]);
  });

  it('runs nodejs22.x on arm64 with its configuration in the environment', () => {
    const fn = inventoryFunction(template).Properties;
    expect(fn.Runtime).toBe('nodejs22.x');
    expect(fn.Architectures).toEqual(['arm64']);
    // As many as the state machine collects at once (collector.parallelTargets, 4 by default).
    expect(fn.ReservedConcurrentExecutions).toBe(4);
    expect(fn.Environment.Variables).toMatchObject({ SM_INVENTORY_REGIONS: 'us-east-1,eu-west-1', SM_INVENTORY_ROLE_ARNS: MEMBER, SM_INVENTORY_INCLUDE_CALLER_ACCOUNT: 'true' });
  });

  it('encrypts the bucket with the customer key, blocks public access, versions, logs access and refuses plain HTTP', () => {
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' }, BucketKeyEnabled: true }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: { LogFilePrefix: 'data-bucket/' },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ NoncurrentVersionExpiration: { NoncurrentDays: 30 } }),
          Match.objectLike({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }),
          Match.objectLike({ Prefix: 'athena-results/', ExpirationInDays: 30 }),
        ]),
      },
    });
    for (const type of ['AWS::S3::BucketPolicy', 'AWS::SQS::QueuePolicy']) {
      for (const policy of Object.values(template.findResources(type))) {
        expect((policy as Json).Properties.PolicyDocument.Statement).toContainEqual(
          expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        );
      }
    }
  });

  it('creates an Athena engine v3 workgroup with enforced, encrypted settings and a scan cutoff', () => {
    template.hasResourceProperties('AWS::Athena::WorkGroup', {
      WorkGroupConfiguration: {
        EnforceWorkGroupConfiguration: true,
        BytesScannedCutoffPerQuery: 10 * 1024 ** 3,
        EngineVersion: { SelectedEngineVersion: 'Athena engine version 3' },
        ResultConfiguration: { EncryptionConfiguration: { EncryptionOption: 'SSE_KMS' } },
      },
    });
  });

  it('alarms on function errors, dead letters, two days without a snapshot and a snapshot published without some jobs', () => {
    // Assess: five for the snapshot (the one on failed executions is in test/cdk/snapshot-state-machine.test.ts), two for the
    // price refresh (test/cdk/price-refresh.test.ts).
    template.resourceCountIs('AWS::CloudWatch::Alarm', 7);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'SnapshotsIncomplete', Namespace: 'SageMakerJobInventory', Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Errors', Namespace: 'AWS/Lambda', Threshold: 1 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ApproximateNumberOfMessagesVisible', Namespace: 'AWS/SQS' });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'SnapshotsWritten',
      Namespace: 'SageMakerJobInventory',
      Period: 86400,
      EvaluationPeriods: 2,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
  });

  it('creates the shipped views through a custom resource carrying their SQL, after the table exists', () => {
    const views = Object.entries(template.findResources('Custom::AthenaViews'));
    expect(views).toHaveLength(1);
    const [, resource] = views[0] as [string, Json];
    expect(resource.Properties.Database).toBe('sagemaker_inventory');
    expect(resource.Properties.Views.map((v: Json) => v.Name)).toEqual(loadSqlCatalog().views.map((v) => v.name));
    const flat = resource.Properties.Views.find((v: Json) => v.Name === 'sagemaker_training_job_flat');
    expect(flat.Sql).toContain("element_at(tags, 'cost-center') AS tag_cost_center");
    expect(JSON.stringify(resource.DependsOn)).toMatch(/InventoryCatalogTable/);
  });

  it('registers every shipped query as a named query in the workgroup', () => {
    const named = Object.values(template.findResources('AWS::Athena::NamedQuery')).map((q: Json) => q.Properties.Name).sort();
    expect(named).toEqual(loadSqlCatalog().queries.map((q) => q.name).sort());
  });

  it('synthesizes the member-account role, trusting the inventory role, with the same read-only statements as the function', () => {
    member.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'SageMakerJobInventoryRead',
      AssumeRolePolicyDocument: { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { AWS: { Ref: 'InventoryRoleArn' } } }] },
      Policies: [
        {
          PolicyName: 'ReadTrainingJobs',
          PolicyDocument: {
            Statement: [
              { Action: ['sagemaker:ListTrainingJobs', 'tag:GetResources'], Effect: 'Allow', Resource: '*', Sid: 'ListTrainingJobsAndTags' },
              {
                Action: ['sagemaker:DescribeTrainingJob', 'sagemaker:ListTags'],
                Effect: 'Allow',
                Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sagemaker:*:', { Ref: 'AWS::AccountId' }, ':training-job/*']] },
                Sid: 'DescribeTrainingJobs',
              },
            ],
          },
        },
      ],
    });
  });
});

describe('SageMakerTrainingJobInventory props', () => {
  const newStack = () => new Stack(testApp(), 'S', { env: { account: '111122223333', region: 'us-east-1' } });
  const build = (props: ConstructorParameters<typeof SageMakerTrainingJobInventory>[2]) => new SageMakerTrainingJobInventory(newStack(), 'I', props);

  it.each([
    [{ regions: ['us-east-1', 'Frankfurt'] }, 'regions is "Frankfurt"; allowed: AWS Region codes such as us-east-1'],
    [{ regions: [] }, 'regions is []; allowed: one or more AWS Region codes'],
    [{ memberAccountRoleArns: ['arn:aws:iam::1234:role/x'] }, 'memberAccountRoleArns is "arn:aws:iam::1234:role/x"; allowed: IAM role ARNs such as arn:aws:iam::123456789012:role/SageMakerJobInventoryRead'],
    [{ includeOwnAccount: false }, 'includeOwnAccount is false; allowed: false only together with memberAccountRoleArns'],
    [{ prefix: '/inventory/' }, 'prefix is "/inventory/"; allowed: an S3 key prefix without leading or trailing slashes'],
    [{ databaseName: 'Inventory-DB' }, 'databaseName is "Inventory-DB"; allowed: lower-case letters, digits and underscores (Athena-compatible)'],
    [{ memorySize: 128 }, 'memorySize is 128; allowed: a whole number of MiB from 256 to 10240'],
    [{ timeout: Duration.minutes(20) }, 'timeout is "20 minutes"; allowed: 1 to 15 minutes'],
    [{ schedulePeriod: Duration.days(7) }, 'schedulePeriod is "7 days"; allowed: from 1 hour to 3.5 days'],
    [{ projectionStartDate: '2024/01/01' }, 'projectionStartDate is "2024/01/01"; allowed: a date as YYYY-MM-DD'],
    [{ athenaBytesScannedCutoff: 1000 }, 'athenaBytesScannedCutoff is 1000; allowed: a whole number of bytes, at least 10000000'],
    [{ regions: ['us-east-1', 'us-east-1'] }, 'regions is ["us-east-1","us-east-1"]; allowed: each region once'],
    [{ collector: { concurrency: 100 } }, 'collector.concurrency is "100"; allowed: a whole number from 1 to 64'],
    [{ collector: { rateLimits: { DescribeTrainingJob: -1 } } }, 'collector.rateLimits has "DescribeTrainingJob=-1"; allowed: <operation>=<calls per second from 0.01 to 10000>'],
    [{ collector: { tagStrategy: 'sometimes' } }, 'collector.tagStrategy is "sometimes"; allowed: auto, bulk, per-job'],
    [{ functionEnvironment: { SM_INVENTORY_LIMITS: 'DescribeTrainingJob=8' } }, 'functionEnvironment is "SM_INVENTORY_LIMITS"; allowed: variables the construct does not manage; set SM_INVENTORY_LIMITS through collector.rateLimits'],
    [{ functionEnvironment: { SM_INVENTORY_OUTPUT: 's3://elsewhere/x' } }, 'functionEnvironment is "SM_INVENTORY_OUTPUT"; allowed: variables the construct does not manage; set SM_INVENTORY_OUTPUT through bucket and prefix'],
    [{ functionEnvironment: { SM_INVENTORY_REGIONS: 'us-west-2' } }, 'functionEnvironment is "SM_INVENTORY_REGIONS"; allowed: variables the construct does not manage; set SM_INVENTORY_REGIONS through regions'],
  ])('rejects %j, naming the construct, the prop and what is allowed', (props, message) => {
    // Act
    const attempt = () => build(props as never);

    // Assess
    expect(attempt).toThrow(`S/I: ${message}`);
  });

  it('carries typed collector settings to the function as the variables its cold start reads', () => {
    // Prepare
    const stack = newStack();

    // Act
    new SageMakerTrainingJobInventory(stack, 'I', {
      collector: { rateLimits: { DescribeTrainingJob: 8 }, concurrency: 4, tagStrategy: 'per-job', rowGroupRows: 5000 },
      functionEnvironment: { POWERTOOLS_LOG_LEVEL: 'DEBUG' },
    });

    // Assess
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          SM_INVENTORY_LIMITS: 'DescribeTrainingJob=8',
          SM_INVENTORY_CONCURRENCY: '4',
          SM_INVENTORY_TAG_STRATEGY: 'per-job',
          SM_INVENTORY_ROW_GROUP_ROWS: '5000',
          POWERTOOLS_LOG_LEVEL: 'DEBUG',
        }),
      },
    });
  });

  it('grants a query role the workgroup, the catalog, the snapshots and the results, and nothing to write snapshots', () => {
    // Prepare
    const stack = newStack();
    const inventory = new SageMakerTrainingJobInventory(stack, 'I', {});
    const analyst = new iam.Role(stack, 'Analyst', { assumedBy: new iam.ServicePrincipal('quicksight.amazonaws.com') });

    // Act
    inventory.grantQuery(analyst);

    // Assess
    const policy = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy')).find((p: Json) =>
      p.Properties.Roles.some((r: Json) => JSON.stringify(r).includes('Analyst')),
    ) as Json;
    const statements = policy.Properties.PolicyDocument.Statement as Json[];
    const actions = statements.flatMap((s) => [s.Action].flat());
    expect(actions).toEqual(
      expect.arrayContaining(['athena:StartQueryExecution', 'athena:GetQueryResults', 'glue:GetTable', 's3:GetObject', 's3:ListBucket', 'kms:Decrypt']),
    );
    const snapshotWrites = statements.filter((s) => [s.Action].flat().includes('s3:PutObject'));
    expect(snapshotWrites).toHaveLength(1);
    expect(JSON.stringify(snapshotWrites[0].Resource)).toContain('/athena-results/*');
  });

  it('uses an existing bucket instead of creating one, and notifies a topic from every alarm', () => {
    const stack = new Stack(testApp(), 'S', { env: { account: '111122223333', region: 'us-east-1' } });
    const bucket = s3.Bucket.fromBucketName(stack, 'Existing', 'my-existing-bucket');
    const topic = sns.Topic.fromTopicArn(stack, 'Topic', 'arn:aws:sns:us-east-1:111122223333:alerts');
    new SageMakerTrainingJobInventory(stack, 'I', { bucket, alarmTopic: topic });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::S3::Bucket', 0);
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: { SM_INVENTORY_OUTPUT: 's3://my-existing-bucket/inventory' } } });
    for (const alarm of Object.values(template.findResources('AWS::CloudWatch::Alarm'))) {
      expect((alarm as Json).Properties.AlarmActions).toEqual(['arn:aws:sns:us-east-1:111122223333:alerts']);
    }
  });
});
