import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AthenaViews, viewsFingerprint } from '../../lib/athena-views';
import { InventoryGlueTables } from '../../lib/glue-table';
import { SageMakerTrainingJobInventory } from '../../lib/sagemaker-training-job-inventory';
import { ConfigError } from '../../lambda/core/errors';
import { DEFAULT_COST_TAG_KEYS, loadSqlCatalog, withoutCostAndUsageReport } from '../../lambda/core/query/sql-catalog';
import { INVENTORY_RUN_SCHEMA, TABLE_SCHEMAS, TRAINING_JOB_SCHEMA, type TableSchema } from '../../lambda/core/schema/table-schema';
import { testApp } from '../support/cdk-app';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- synthesized CloudFormation is untyped JSON
type Json = any;

const newStack = () => new Stack(testApp(), 'S', { env: { account: '111122223333', region: 'us-east-1' } });

function inventoryStack(): { inventory: SageMakerTrainingJobInventory; stack: Stack } {
  const stack = newStack();
  const inventory = new SageMakerTrainingJobInventory(stack, 'I', {
    regions: ['us-east-1', 'eu-west-1'],
    projectionStartDate: '2025-06-01',
  });
  return { inventory, stack };
}

function glueTables(template: Template): Map<string, Json> {
  return new Map(
    Object.values(template.findResources('AWS::Glue::Table')).map((t: Json) => [t.Properties.TableInput.Name, t.Properties.TableInput]),
  );
}

/** The views custom resource's properties when the views are built over `tables`. */
function viewsResourceProperties(tables: readonly TableSchema[]): Json {
  const stack = newStack();
  const key = new kms.Key(stack, 'Key');
  const bucket = new s3.Bucket(stack, 'Bucket', { encryption: s3.BucketEncryption.KMS, encryptionKey: key });
  const workgroup = new athena.CfnWorkGroup(stack, 'Workgroup', { name: 'wg' });
  new AthenaViews(stack, 'Views', {
    workgroup,
    databaseName: TRAINING_JOB_SCHEMA.database,
    tableName: TRAINING_JOB_SCHEMA.table,
    tables,
    resultsBucket: bucket,
    resultsPrefix: 'athena-results/',
    encryptionKey: key,
    tagKeys: DEFAULT_COST_TAG_KEYS,
    logRetention: logs.RetentionDays.ONE_WEEK,
  });
  const resources = Object.values(Template.fromStack(stack).findResources('Custom::AthenaViews'));
  expect(resources).toHaveLength(1);
  return (resources[0] as Json).Properties;
}

describe('the Glue tables', () => {
  const template = Template.fromStack(inventoryStack().stack);
  const tables = glueTables(template);

  it('declares one table per schema in glue-schema/', () => {
    // Act
    const declared = [...tables.keys()].sort();

    // Assess
    expect(declared).toEqual(TABLE_SCHEMAS.map((s) => s.table).sort());
  });

  it.each(TABLE_SCHEMAS.map((s) => [s.table, s] as const))("gives %s the schema's columns and partition keys", (_table, schema) => {
    // Act
    const table = tables.get(schema.table);

    // Assess
    expect(table.StorageDescriptor.Columns).toEqual(
      schema.columns.map(({ name, type, comment }) => ({ Name: name, Type: type, Comment: comment })),
    );
    expect(table.PartitionKeys).toEqual(
      schema.partitionKeys.map(({ name, type, comment }) => ({ Name: name, Type: type, Comment: comment })),
    );
  });

  it('puts every table in the one database', () => {
    // Act
    const databases = Object.values(template.findResources('AWS::Glue::Table')).map((t: Json) => t.Properties.DatabaseName);

    // Assess
    expect(new Set(databases)).toEqual(new Set([TRAINING_JOB_SCHEMA.database]));
  });

  it("projects the run table's partitions from its own partition keys, like the job table's", () => {
    // Act
    const parameters = tables.get(INVENTORY_RUN_SCHEMA.table).Parameters;

    // Assess
    expect(parameters).toMatchObject({
      'projection.enabled': 'true',
      'projection.snapshot_date.type': 'date',
      'projection.snapshot_date.range': '2025-06-01,NOW',
      'projection.region.type': 'enum',
      'projection.region.values': 'us-east-1,eu-west-1',
    });
    expect(JSON.stringify(parameters['storage.location.template'])).toContain(
      '/inventory/sagemaker_inventory_run/snapshot_date=${snapshot_date}/region=${region}/',
    );
  });

  it.each(TABLE_SCHEMAS.map((s) => [s.table]))("ends %s's storage.location.template with a slash, as Athena requires", (table) => {
    // Act
    const template = tables.get(table).Parameters['storage.location.template'];
    const text =
      typeof template === 'string' ? template : (template['Fn::Join'][1] as Json[]).filter((part) => typeof part === 'string').join('');

    // Assess
    expect(text.endsWith('/')).toBe(true);
  });

  it('rejects a table whose partition key has no projection, naming the table, the key and what is allowed', () => {
    // Prepare
    const schema: TableSchema = {
      ...INVENTORY_RUN_SCHEMA,
      table: 'price_list',
      partitionKeys: [{ name: 'currency', type: 'string', comment: '' }],
    };

    // Act
    const attempt = () =>
      new InventoryGlueTables(newStack(), 'Catalog', {
        schemas: [TRAINING_JOB_SCHEMA, schema],
        databaseName: 'db',
        locationRoot: 's3://bucket/inventory/',
        regions: ['us-east-1'],
        projectionStartDate: '2024-01-01',
      });

    // Assess
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(
      'S/Catalog: table price_list has partition key currency, which has no partition projection; allowed: snapshot_date, region',
    );
  });
});

describe('the views custom resource', () => {
  let baseline: Json;
  beforeAll(() => (baseline = viewsResourceProperties(TABLE_SCHEMAS)));

  it('changes its properties when a column is added to a table, so CloudFormation re-creates the views', () => {
    // Prepare
    const widened = TABLE_SCHEMAS.map((schema) =>
      schema === INVENTORY_RUN_SCHEMA
        ? { ...schema, columns: [...schema.columns, { name: 'new_column', type: 'string' as const, comment: '' }] }
        : schema,
    );

    // Act
    const after = viewsResourceProperties(widened);

    // Assess: the SQL is the same text, yet the resource is updated.
    expect(after.Views).toEqual(baseline.Views);
    expect(after.SchemaFingerprint).not.toEqual(baseline.SchemaFingerprint);
  });

  it('keeps its properties for the same tables, so an unchanged deploy does not re-create the views', () => {
    // Act
    const again = viewsResourceProperties(TABLE_SCHEMAS);

    // Assess
    expect(again).toEqual(baseline);
  });

  it('changes its properties when a column changes type', () => {
    // Prepare
    const retyped = TABLE_SCHEMAS.map((schema) =>
      schema === TRAINING_JOB_SCHEMA
        ? { ...schema, columns: schema.columns.map((c) => (c.name === 'training_time_in_seconds' ? { ...c, type: 'double' as const } : c)) }
        : schema,
    );

    // Act
    const after = viewsResourceProperties(retyped);

    // Assess
    expect(after.SchemaFingerprint).not.toEqual(baseline.SchemaFingerprint);
  });

  it('in the inventory, carries the fingerprint of every table the inventory declares', () => {
    // Act
    const template = Template.fromStack(inventoryStack().stack);

    // Assess
    const properties = (Object.values(template.findResources('Custom::AthenaViews'))[0] as Json).Properties;
    expect(properties.SchemaFingerprint).toBe(
      viewsFingerprint(
        TABLE_SCHEMAS,
        properties.Views.map((v: Json) => v.Sql),
      ),
    );
  });
});

describe('access to every table', () => {
  /** The resources of the statements allowing `action` in the policies attached to `role`, as JSON text. */
  let resourcesOf: (role: string, action: string) => string;

  beforeAll(() => {
    const { stack, inventory } = inventoryStack();
    const analyst = new iam.Role(stack, 'Analyst', { assumedBy: new iam.ServicePrincipal('quicksight.amazonaws.com') });
    inventory.grantQuery(analyst);
    const policies = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy')) as Json[];
    resourcesOf = (role, action) =>
      JSON.stringify(
        policies
          .filter((p) => JSON.stringify(p.Properties.Roles).includes(role))
          .flatMap((p) => p.Properties.PolicyDocument.Statement)
          .filter((s: Json) => [s.Action].flat().includes(action))
          .map((s: Json) => s.Resource),
      );
  });

  it.each(TABLE_SCHEMAS.map((s) => [s.table]))('lets a role granted query access read %s', (table) => {
    // Act
    const readable = resourcesOf('Analyst', 's3:GetObject');

    // Assess
    expect(readable).toContain(`/inventory/${table}/*`);
  });

  it('lets the snapshot function write the training jobs and its run records', () => {
    // Act
    const writable = resourcesOf('IRole', 's3:PutObject');

    // Assess
    for (const table of ['sagemaker_training_job', 'sagemaker_inventory_run']) expect(writable).toContain(`/inventory/${table}/*`);
  });

  it('leaves writing the prices to the price function', () => {
    // Act
    const writable = resourcesOf('IRole', 's3:PutObject');

    // Assess
    expect(writable).not.toContain('/inventory/sagemaker_instance_price/');
  });
});

describe('the named queries', () => {
  it('refuse cost-allocation tag keys without the team key their tag_team column needs, naming the queries that read it', () => {
    // Prepare
    const readers = withoutCostAndUsageReport(loadSqlCatalog())
      .queries.filter((q) => /\btag_team\b/.test(q.sql))
      .map((q) => q.name);
    const stack = newStack();

    // Act
    const synth = () => new SageMakerTrainingJobInventory(stack, 'I', { costAllocationTagKeys: ['project', 'cost-center'] });

    // Assess
    expect(readers.length).toBeGreaterThanOrEqual(5);
    expect(synth).toThrow(
      new ConfigError(
        `S/I/Views: costAllocationTagKeys is ["project","cost-center"]; allowed: a list with a key for each tag column the named queries read: tag_team (such as "team"), which ${readers.join(', ')} read`,
      ),
    );
  });

  it('accept any spelling of the team key that makes the tag_team column', () => {
    // Prepare
    const stack = newStack();

    // Act
    new SageMakerTrainingJobInventory(stack, 'I', { costAllocationTagKeys: ['Team', 'project'] });

    // Assess
    const [views] = Object.values(Template.fromStack(stack).findResources('Custom::AthenaViews')).map((r: Json) => r.Properties.Views);
    const flat = views.find((view: Json) => view.Name === 'sagemaker_training_job_flat');
    expect(flat.Sql).toContain("element_at(tags, 'Team') AS tag_team");
  });
});
