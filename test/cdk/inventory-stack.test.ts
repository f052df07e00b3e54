import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Duration, Size, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { buildApp } from '../../lib/app';
import { SageMakerTrainingJobInventory } from '../../lib/sagemaker-training-job-inventory';
import { MEMBER_ROLE_NAME, METRIC, METRICS_NAMESPACE, SERVICE_NAME } from '../../lambda/core/names';
import { ConfigError } from '../../lambda/core/errors';
import { readCollectorSettings } from '../../lambda/core/pipeline/config';
import { checkVariableNames } from '../../lambda/core/settings/variable-names';
import { TRAINING_JOB_SCHEMA } from '../../lambda/core/schema/table-schema';
import { loadSqlCatalog, withoutCostAndUsageReport } from '../../lambda/core/query/sql-catalog';
import { testApp } from '../support/cdk-app';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- synthesized CloudFormation is untyped JSON
type Json = any;

const MEMBER = `arn:aws:iam::210987654321:role/${MEMBER_ROLE_NAME}`;

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
  const functions = Object.values(template.findResources('AWS::Lambda::Function')).filter(
    (f: Json) => f.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === SERVICE_NAME,
  );
  expect(functions).toHaveLength(1);
  return functions[0];
}

describe('the inventory stack', () => {
  const { template, member } = synthInventory({ 'inventory:regions': 'us-east-1,eu-west-1', 'inventory:memberAccountRoleArns': MEMBER });
  /** Where the stack's snapshots of training jobs go under the default prefix. */
  const snapshotsPath = `/inventory/${TRAINING_JOB_SCHEMA.table}`;

  /** The properties of the bucket the snapshots go to (the stack has another for its access logs). */
  function dataBucket(): Json {
    const buckets = Object.entries(template.findResources('AWS::S3::Bucket')).filter(([logicalId]) =>
      logicalId.startsWith('InventoryBucket'),
    );
    expect(buckets).toHaveLength(1);
    return buckets[0][1].Properties;
  }

  /** The logical id of the snapshot function's role. */
  function functionRoleId(): string {
    return inventoryFunction(template).Properties.Role['Fn::GetAtt'][0];
  }

  /** The custom resource that creates the shipped Athena views. */
  function viewsResource(): Json {
    const views = Object.values(template.findResources('Custom::AthenaViews'));
    expect(views).toHaveLength(1);
    return views[0];
  }

  it('declares the Glue columns of the schema file, in order, with their types and comments', () => {
    // Prepare
    const schemaFile = JSON.parse(readFileSync(join(__dirname, '..', '..', 'glue-schema', `${TRAINING_JOB_SCHEMA.table}.json`), 'utf8'));

    // Act
    const columns = glueTable(template, TRAINING_JOB_SCHEMA.table).Properties.TableInput.StorageDescriptor.Columns;

    // Assess
    expect(columns).toEqual(TRAINING_JOB_SCHEMA.columns.map(({ name, type, comment }) => ({ Name: name, Type: type, Comment: comment })));
    expect(columns).toHaveLength(schemaFile.columns.length);
  });

  it('declares the partition keys of the schema file, with their types and comments', () => {
    // Act
    const table = glueTable(template, TRAINING_JOB_SCHEMA.table).Properties.TableInput;

    // Assess
    expect(table.PartitionKeys).toEqual(
      TRAINING_JOB_SCHEMA.partitionKeys.map(({ name, type, comment }) => ({ Name: name, Type: type, Comment: comment })),
    );
  });

  it("reads the table's objects as Parquet", () => {
    // Act
    const table = glueTable(template, TRAINING_JOB_SCHEMA.table).Properties.TableInput;

    // Assess
    expect(table.StorageDescriptor.SerdeInfo.SerializationLibrary).toBe('org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe');
  });

  it('finds partitions by projection over snapshot_date and region, at the path of each snapshot object', () => {
    // Prepare
    const partitionPath = TRAINING_JOB_SCHEMA.partitionKeys.map(({ name }) => `${name}=\${${name}}`).join('/');

    // Act
    const parameters = glueTable(template, TRAINING_JOB_SCHEMA.table).Properties.TableInput.Parameters;

    // Assess
    expect(parameters).toMatchObject({
      'projection.enabled': 'true',
      'projection.snapshot_date.type': 'date',
      'projection.snapshot_date.format': 'yyyy-MM-dd',
      'projection.snapshot_date.range': '2024-01-01,NOW',
      'projection.region.type': 'enum',
      'projection.region.values': 'us-east-1,eu-west-1',
    });
    expect(JSON.stringify(parameters['storage.location.template'])).toContain(`${snapshotsPath}/${partitionPath}`);
  });

  it('needs no Glue crawler', () => {
    // Assess
    template.resourceCountIs('AWS::Glue::Crawler', 0);
  });

  it('starts a snapshot daily at 02:00 UTC with retries and a dead-letter queue', () => {
    // Assess
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 2 * * ? *)',
      Target: {
        RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 21600 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('DeadLetterQueue'), 'Arn'] } },
      },
    });
  });

  it('encrypts the dead-letter queue with the inventory key', () => {
    // Assess
    template.hasResourceProperties('AWS::SQS::Queue', {
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('InventoryKey'), 'Arn'] },
    });
  });

  it("attaches no managed policy to the function's role", () => {
    // Act
    const roleResource = template.toJSON().Resources[functionRoleId()];

    // Assess
    expect(roleResource.Properties.ManagedPolicyArns).toBeUndefined();
  });

  it('grants the function exactly the statements it needs, in one policy', () => {
    // Prepare
    const roleId = functionRoleId();

    // Act
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p: Json) =>
      p.Properties.Roles.some((r: Json) => r.Ref === roleId),
    );

    // Assess
    expect(policies).toHaveLength(1);
    const statements = (policies[0] as Json).Properties.PolicyDocument.Statement.map((s: Json) => ({
      Sid: s.Sid,
      Action: s.Action,
      Resource: JSON.stringify(s.Resource),
    }));
    expect(statements).toEqual([
      { Sid: 'ListTrainingJobsAndTags', Action: ['sagemaker:ListTrainingJobs', 'tag:GetResources'], Resource: '"*"' },
      {
        Sid: 'DescribeTrainingJobs',
        Action: ['sagemaker:DescribeTrainingJob', 'sagemaker:ListTags'],
        Resource: expect.stringContaining(':training-job/*'),
      },
      {
        Sid: 'WriteSnapshots',
        Action: ['s3:AbortMultipartUpload', 's3:PutObject'],
        Resource: expect.stringContaining(`${snapshotsPath}/*`),
      },
      {
        Sid: 'WorkArea',
        Action: ['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:GetObject', 's3:PutObject'],
        Resource: expect.stringContaining('"/inventory/_work/*"'),
      },
      {
        Sid: 'RetireSupersededObjects',
        Action: 's3:DeleteObject',
        Resource: expect.stringMatching(/"\/inventory\/sagemaker_training_job\/\*".*"\/inventory\/sagemaker_training_job_ledger\/\*"/),
      },
      {
        Sid: 'RunState',
        Action: ['s3:AbortMultipartUpload', 's3:GetObject', 's3:PutObject'],
        Resource: expect.stringContaining('"/inventory/_state/*"'),
      },
      {
        Sid: 'ReadCommittedSnapshots',
        Action: 's3:GetObject',
        // Both tables' objects and nothing else, in whichever order CDK renders them.
        Resource: expect.stringMatching(
          /^\[(?=.*"\/inventory\/sagemaker_training_job\/\*")(?=.*"\/inventory\/sagemaker_inventory_run\/\*")(?!(.*Fn::Join){3})(.*Fn::Join){2}.*\]$/,
        ),
      },
      {
        Sid: 'MissingObjectsAreNotFound',
        Action: 's3:ListBucket',
        Resource: expect.stringMatching(/^\{"Fn::GetAtt":\["InventoryBucket\w+","Arn"\]\}$/),
      },
      { Sid: 'EncryptSnapshots', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: expect.stringContaining('InventoryKey') },
      { Sid: 'WriteOwnLogs', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: expect.stringContaining('InventoryLogs') },
      { Sid: 'AssumeMemberAccountRoles', Action: 'sts:AssumeRole', Resource: JSON.stringify(MEMBER) },
    ]);
  });

  it('runs the function on nodejs22.x, arm64', () => {
    // Act
    const fn = inventoryFunction(template).Properties;

    // Assess
    expect(fn.Runtime).toBe('nodejs22.x');
    expect(fn.Architectures).toEqual(['arm64']);
  });

  it('reserves as many concurrent executions as the state machine collects targets at once', () => {
    // Prepare
    const { parallelTargets } = readCollectorSettings({});

    // Act
    const fn = inventoryFunction(template).Properties;

    // Assess
    expect(fn.ReservedConcurrentExecutions).toBe(parallelTargets);
  });

  it('gives the function its regions and member-account roles in the environment', () => {
    // Act
    const fn = inventoryFunction(template).Properties;

    // Assess
    expect(fn.Environment.Variables).toMatchObject({
      SM_INVENTORY_REGIONS: 'us-east-1,eu-west-1',
      SM_INVENTORY_ROLE_ARNS: MEMBER,
      SM_INVENTORY_INCLUDE_CALLER_ACCOUNT: 'true',
    });
  });

  it("sets in every function's environment only SM_INVENTORY_* variables the functions' parser knows", () => {
    // Prepare
    const functions = Object.values(template.findResources('AWS::Lambda::Function')) as Json[];

    // Act
    const check = () => functions.forEach((f) => checkVariableNames(f.Properties.Environment?.Variables ?? {}));

    // Assess
    expect(functions.length).toBeGreaterThan(1);
    expect(check).not.toThrow();
  });

  it('rotates the customer key', () => {
    // Assess
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it('encrypts the data bucket with the customer key', () => {
    // Assess
    expect(dataBucket().BucketEncryption).toMatchObject({
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' }, BucketKeyEnabled: true }],
    });
  });

  it('blocks public access to the data bucket', () => {
    // Assess
    expect(dataBucket().PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
  });

  it('versions the data bucket', () => {
    // Assess
    expect(dataBucket().VersioningConfiguration).toEqual({ Status: 'Enabled' });
  });

  it('logs access to the data bucket', () => {
    // Assess
    expect(dataBucket().LoggingConfiguration).toMatchObject({ LogFilePrefix: 'data-bucket/' });
  });

  it('expires old versions, incomplete uploads and Athena results in the data bucket', () => {
    // Assess
    expect(dataBucket().LifecycleConfiguration.Rules).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ NoncurrentVersionExpiration: { NoncurrentDays: 30 } }),
        expect.objectContaining({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }),
        expect.objectContaining({ Prefix: 'athena-results/', ExpirationInDays: 30 }),
      ]),
    );
  });

  it.each(['AWS::S3::BucketPolicy', 'AWS::SQS::QueuePolicy'])('refuses plain HTTP in every %s', (type) => {
    // Act
    const policies = Object.values(template.findResources(type));

    // Assess
    for (const policy of policies) {
      expect((policy as Json).Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
    }
  });

  it('creates an Athena engine v3 workgroup with enforced, encrypted settings and a scan cutoff', () => {
    // Assess
    template.hasResourceProperties('AWS::Athena::WorkGroup', {
      WorkGroupConfiguration: {
        EnforceWorkGroupConfiguration: true,
        BytesScannedCutoffPerQuery: 10 * 1024 ** 3,
        EngineVersion: { SelectedEngineVersion: 'Athena engine version 3' },
        ResultConfiguration: { EncryptionConfiguration: { EncryptionOption: 'SSE_KMS' } },
      },
    });
  });

  it('has seven alarms: five for the snapshot, two for the price refresh', () => {
    // Assess: the snapshot's alarm on failed executions is in test/cdk/snapshot-state-machine.test.ts, the price refresh's in
    // test/cdk/price-refresh.test.ts.
    template.resourceCountIs('AWS::CloudWatch::Alarm', 7);
  });

  it.each([
    [
      'a snapshot published without some jobs',
      {
        MetricName: METRIC.SnapshotsIncomplete,
        Namespace: METRICS_NAMESPACE,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      },
    ],
    ['function errors', { MetricName: 'Errors', Namespace: 'AWS/Lambda', Threshold: 1 }],
    ['dead letters', { MetricName: 'ApproximateNumberOfMessagesVisible', Namespace: 'AWS/SQS' }],
    [
      'two days without a snapshot',
      {
        MetricName: METRIC.SnapshotsWritten,
        Namespace: METRICS_NAMESPACE,
        Period: 86400,
        EvaluationPeriods: 2,
        ComparisonOperator: 'LessThanThreshold',
        TreatMissingData: 'breaching',
      },
    ],
  ])('alarms on %s', (_behaviour, alarm) => {
    // Assess
    template.hasResourceProperties('AWS::CloudWatch::Alarm', alarm);
  });

  it('creates the shipped views in the inventory database through a custom resource, without the CUR ones', () => {
    // Act
    const { Properties: properties } = viewsResource();

    // Assess
    expect(properties.Database).toBe(TRAINING_JOB_SCHEMA.database);
    expect(properties.Views.map((v: Json) => v.Name)).toEqual(withoutCostAndUsageReport(loadSqlCatalog()).views.map((v) => v.name));
  });

  it("gives the views custom resource each view's SQL, with the cost tags spelt out", () => {
    // Act
    const flat = viewsResource().Properties.Views.find((v: Json) => v.Name === 'sagemaker_training_job_flat');

    // Assess
    expect(flat.Sql).toContain("element_at(tags, 'cost-center') AS tag_cost_center");
  });

  it('creates the views after the table exists', () => {
    // Assess
    expect(JSON.stringify(viewsResource().DependsOn)).toMatch(/InventoryCatalogTable/);
  });

  it('registers every shipped query but those reading the Cost and Usage Report as a named query in the workgroup', () => {
    // Act
    const named = Object.values(template.findResources('AWS::Athena::NamedQuery'))
      .map((q: Json) => q.Properties.Name)
      .sort();

    // Assess
    expect(named).toEqual(
      withoutCostAndUsageReport(loadSqlCatalog())
        .queries.map((q) => q.name)
        .sort(),
    );
  });

  it('synthesizes the member-account role, trusting the inventory role (and the events role when given), with the same read-only statements as the function', () => {
    // Assess
    member.hasResourceProperties('AWS::IAM::Role', {
      RoleName: MEMBER_ROLE_NAME,
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: {
              AWS: [
                { 'Fn::If': ['InventoryEventsRoleGiven', { Ref: 'InventoryEventsRoleArn' }, { Ref: 'AWS::NoValue' }] },
                { Ref: 'InventoryRoleArn' },
              ],
            },
          },
        ],
      },
      Policies: [
        {
          PolicyName: 'ReadTrainingJobs',
          PolicyDocument: {
            Statement: [
              {
                Action: ['sagemaker:ListTrainingJobs', 'tag:GetResources'],
                Effect: 'Allow',
                Resource: '*',
                Sid: 'ListTrainingJobsAndTags',
              },
              {
                Action: ['sagemaker:DescribeTrainingJob', 'sagemaker:ListTags'],
                Effect: 'Allow',
                Resource: {
                  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sagemaker:*:', { Ref: 'AWS::AccountId' }, ':training-job/*']],
                },
                Sid: 'DescribeTrainingJobs',
              },
            ],
          },
        },
      ],
    });
  });

  it('gives the member-account role template only its own parameters and no BootstrapVersion, so StackSets deploy it where CDK was never bootstrapped', () => {
    // Act
    const { Parameters, Rules } = member.toJSON();

    // Assess
    expect(Object.keys(Parameters).sort()).toEqual(['InventoryEventsRoleArn', 'InventoryRoleArn']);
    expect(Rules).toBeUndefined();
  });
});

describe('SageMakerTrainingJobInventory props', () => {
  const newStack = () => new Stack(testApp(), 'S', { env: { account: '111122223333', region: 'us-east-1' } });
  const build = (props: ConstructorParameters<typeof SageMakerTrainingJobInventory>[2]) =>
    new SageMakerTrainingJobInventory(newStack(), 'I', props);

  it.each([
    [{ regions: ['us-east-1', 'Frankfurt'] }, 'regions has "Frankfurt"; allowed: AWS Region codes such as us-east-1, each once'],
    [{ regions: [] }, 'regions is []; allowed: one or more AWS Region codes'],
    [
      { memberAccountRoleArns: ['arn:aws:iam::1234:role/x'] },
      'memberAccountRoleArns has "arn:aws:iam::1234:role/x"; allowed: IAM role ARNs such as arn:aws:iam::123456789012:role/SageMakerJobInventoryRead',
    ],
    [{ includeOwnAccount: false }, 'includeOwnAccount is false; allowed: false only together with memberAccountRoleArns'],
    [{ prefix: '/inventory/' }, 'prefix is "/inventory/"; allowed: an S3 key prefix without leading or trailing slashes'],
    [
      { databaseName: 'Inventory-DB' },
      'databaseName is "Inventory-DB"; allowed: lower-case letters, digits and underscores (Athena-compatible)',
    ],
    [{ memorySize: 128 }, 'memorySize is 128; allowed: a whole number of MiB from 256 to 10240'],
    [{ ephemeralStorageSize: Size.mebibytes(256) }, 'ephemeralStorageSize is "256 MiB"; allowed: a whole number of MiB from 512 to 10240'],
    [{ timeout: Duration.minutes(20) }, 'timeout is "20 minutes"; allowed: 1 to 15 minutes'],
    [{ schedulePeriod: Duration.days(7) }, 'schedulePeriod is "7 days"; allowed: from 1 hour to 3.5 days'],
    [{ projectionStartDate: '2024/01/01' }, 'projectionStartDate is "2024/01/01"; allowed: a date as YYYY-MM-DD'],
    [{ athenaBytesScannedCutoff: 1000 }, 'athenaBytesScannedCutoff is 1000; allowed: a whole number of bytes, at least 10000000'],
    [{ regions: ['us-east-1', 'us-east-1'] }, 'regions is ["us-east-1","us-east-1"]; allowed: each region once'],
    [{ collector: { concurrency: 100 } }, 'collector.concurrency is 100; allowed: a whole number from 1 to 64'],
    [
      { collector: { rateLimits: { DescribeTrainingJob: -1 } } },
      'collector.rateLimits has "DescribeTrainingJob=-1"; allowed: <operation>=<calls per second from 0.01 to 10000>',
    ],
    [{ collector: { tagStrategy: 'sometimes' } }, 'collector.tagStrategy is "sometimes"; allowed: auto, bulk, per-job'],
    [
      { functionEnvironment: { SM_INVENTORY_LIMITS: 'DescribeTrainingJob=8' } },
      'functionEnvironment is "SM_INVENTORY_LIMITS"; allowed: variables the construct does not manage; set SM_INVENTORY_LIMITS through collector.rateLimits',
    ],
    [
      { functionEnvironment: { SM_INVENTORY_OUTPUT: 's3://elsewhere/x' } },
      'functionEnvironment is "SM_INVENTORY_OUTPUT"; allowed: variables the construct does not manage; set SM_INVENTORY_OUTPUT through bucket and prefix',
    ],
    [
      { functionEnvironment: { SM_INVENTORY_REGIONS: 'us-west-2' } },
      'functionEnvironment is "SM_INVENTORY_REGIONS"; allowed: variables the construct does not manage; set SM_INVENTORY_REGIONS through regions',
    ],
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

  it("limits the snapshot function's V8 heap to half its memory and its young generation to small semi-spaces, so garbage is collected before the function runs out", () => {
    // Prepare
    const stack = newStack();

    // Act
    new SageMakerTrainingJobInventory(stack, 'I', { memorySize: 3008 });

    // Assess
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      MemorySize: 3008,
      Environment: {
        Variables: Match.objectLike({ NODE_OPTIONS: '--enable-source-maps --max-semi-space-size=2 --max-old-space-size=1504' }),
      },
    });
  });

  it('gives the snapshot function the /tmp its merge needs, as ephemeralStorageSize says', () => {
    // Prepare
    const stack = newStack();

    // Act
    new SageMakerTrainingJobInventory(stack, 'I', { ephemeralStorageSize: Size.gibibytes(2) });

    // Assess
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Description: 'Snapshots every SageMaker training job into partitioned Parquet',
      EphemeralStorage: { Size: 2048 },
    });
  });

  describe('granting a query role', () => {
    let statements: Json[];

    beforeAll(() => {
      // Prepare
      const stack = newStack();
      const inventory = new SageMakerTrainingJobInventory(stack, 'I', {});
      const analyst = new iam.Role(stack, 'Analyst', { assumedBy: new iam.ServicePrincipal('quicksight.amazonaws.com') });

      // Act
      inventory.grantQuery(analyst);
      const policy = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy')).find((p: Json) =>
        p.Properties.Roles.some((r: Json) => JSON.stringify(r).includes('Analyst')),
      ) as Json;
      statements = policy.Properties.PolicyDocument.Statement;
    });

    it('grants the workgroup, the catalog, the snapshots and the results', () => {
      // Act
      const actions = statements.flatMap((s) => [s.Action].flat());

      // Assess
      expect(actions).toEqual(
        expect.arrayContaining([
          'athena:StartQueryExecution',
          'athena:GetQueryResults',
          'glue:GetTable',
          's3:GetObject',
          's3:ListBucket',
          'kms:Decrypt',
        ]),
      );
    });

    it('lets it write Athena results only, never snapshots', () => {
      // Act
      const writes = statements.filter((s) => [s.Action].flat().includes('s3:PutObject'));

      // Assess
      expect(writes).toHaveLength(1);
      expect(JSON.stringify(writes[0].Resource)).toContain('/athena-results/*');
    });
  });

  describe('with an existing bucket and an alarm topic', () => {
    const topicArn = 'arn:aws:sns:us-east-1:111122223333:alerts';
    let template: Template;

    beforeAll(() => {
      // Prepare
      const stack = newStack();
      const bucket = s3.Bucket.fromBucketName(stack, 'Existing', 'my-existing-bucket');
      const topic = sns.Topic.fromTopicArn(stack, 'Topic', topicArn);

      // Act
      new SageMakerTrainingJobInventory(stack, 'I', { bucket, alarmTopic: topic });
      template = Template.fromStack(stack);
    });

    it('creates no bucket', () => {
      // Assess
      template.resourceCountIs('AWS::S3::Bucket', 0);
    });

    it('writes the snapshots to the existing bucket', () => {
      // Assess
      template.hasResourceProperties('AWS::Lambda::Function', {
        Environment: { Variables: { SM_INVENTORY_OUTPUT: 's3://my-existing-bucket/inventory' } },
      });
    });

    it('notifies the topic from every alarm', () => {
      // Act
      const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));

      // Assess
      for (const alarm of alarms) {
        expect((alarm as Json).Properties.AlarmActions).toEqual([topicArn]);
      }
    });
  });
});

describe('with the Cost and Usage Report', () => {
  const CUR = { database: 'billing', table: 'cur2', bucket: 'billing-exports-111122223333', prefix: 'exports/sagemaker-cur' };
  const { template } = synthInventory({
    'inventory:curDatabase': CUR.database,
    'inventory:curTable': CUR.table,
    'inventory:curBucket': CUR.bucket,
    'inventory:curPrefix': CUR.prefix,
  });
  const views = (Object.values(template.findResources('Custom::AthenaViews'))[0] as Json).Properties.Views as Json[];

  it('creates every shipped view, the billed-cost ones included', () => {
    // Assess
    expect(views.map((v) => v.Name)).toEqual(loadSqlCatalog().views.map((v) => v.name));
  });

  it('names the CUR table by its Glue database and table in the SQL', () => {
    // Act
    const line = views.find((v) => v.Name === 'sagemaker_cur_training_line')!;

    // Assess
    expect(line.Sql).toContain(`FROM ${CUR.database}.${CUR.table}\n`);
    expect(line.Sql).not.toMatch(/\bcost_and_usage_report\b/);
  });

  it('registers every shipped query, the billed-cost ones included', () => {
    // Act
    const named = Object.values(template.findResources('AWS::Athena::NamedQuery')).map((q: Json) => q.Properties.Name);

    // Assess
    expect(named.sort()).toEqual(
      loadSqlCatalog()
        .queries.map((q) => q.name)
        .sort(),
    );
  });
});

describe('the costAndUsageReport prop', () => {
  const props = (stack: Stack, overrides: Record<string, string>) => ({
    costAndUsageReport: {
      databaseName: 'billing',
      tableName: 'cur2',
      bucket: s3.Bucket.fromBucketName(stack, 'Exports', 'billing-exports'),
      prefix: 'exports/sagemaker-cur',
      ...overrides,
    },
  });

  it.each([
    ['databaseName', 'Billing-DB', `1-255 lower-case letters, digits and underscores, not starting with a digit (Athena's names)`],
    ['tableName', '2cur', `1-255 lower-case letters, digits and underscores, not starting with a digit (Athena's names)`],
    [
      'prefix',
      '/exports/sagemaker-cur/',
      "the export's folder, <S3 path prefix>/<export name>, without a leading or trailing / or a wildcard",
    ],
  ])('refuses %s %s, naming the value and what is allowed', (key, value, allowed) => {
    // Prepare
    const stack = new Stack(testApp(), 'S');

    // Act
    const synth = () => new SageMakerTrainingJobInventory(stack, 'I', props(stack, { [key]: value }));

    // Assess
    expect(synth).toThrow(new ConfigError(`S/I: costAndUsageReport.${key} is ${JSON.stringify(value)}; allowed: ${allowed}`));
  });

  it('refuses an app context with some of the CUR keys only', () => {
    // Act
    const synth = () => synthInventory({ 'inventory:curDatabase': 'billing' });

    // Assess
    expect(synth).toThrow(
      'context inventory:curDatabase, inventory:curTable, inventory:curBucket, inventory:curPrefix: 1 of 4 set; allowed: all of them (the CUR 2.0 table and its export) or none',
    );
  });
});
