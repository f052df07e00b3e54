import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ConfigError } from '../../lambda/core/errors';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { BILLED_COST_VIEW_COLUMNS, COST_VIEW_COLUMNS, FLAT_VIEW_COLUMNS, UNATTRIBUTED_SPEND_COLUMNS } from '../../lib/quicksight';
import { SageMakerTrainingJobInventory, type SageMakerTrainingJobInventoryProps } from '../../lib/sagemaker-training-job-inventory';
import { testApp } from '../support/cdk-app';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- synthesized CloudFormation is untyped JSON
type Json = any;

const GROUP = 'arn:aws:quicksight:us-east-1:111122223333:group/default/finops';
const TAG_COLUMNS = ['tag_team', 'tag_project', 'tag_cost_center', 'tag_sagemaker_domain_arn', 'tag_sagemaker_user_profile_arn'];

function synth(props: SageMakerTrainingJobInventoryProps) {
  const stack = new Stack(testApp(), 'Stack', { env: { account: '111122223333', region: 'us-east-1' } });
  new SageMakerTrainingJobInventory(stack, 'Inventory', props);
  return Template.fromStack(stack);
}

function only(template: Template, type: string, where: (r: Json) => boolean = () => true): Json {
  const found = Object.values(template.findResources(type)).filter(where);
  expect(found).toHaveLength(1);
  return (found[0] as Json).Properties;
}

describe('the QuickSight cost dashboard', () => {
  const template = synth({ quickSight: { principalArn: GROUP } });

  it("reads through an Athena data source on the inventory's workgroup, owned by the given group", () => {
    // Act
    const source = only(template, 'AWS::QuickSight::DataSource');

    // Assess
    expect(source.Type).toBe('ATHENA');
    expect(source.DataSourceParameters.AthenaParameters.WorkGroup).toEqual({ Ref: expect.stringMatching(/^InventoryWorkgroup/) });
    expect(source.Permissions).toEqual([
      { Principal: GROUP, Actions: expect.arrayContaining(['quicksight:PassDataSource', 'quicksight:DescribeDataSource']) },
    ]);
  });

  it('offers direct-query datasets over the flat and the cost views, with their tag columns', () => {
    // Act
    const tables = Object.values(template.findResources('AWS::QuickSight::DataSet')).map((d: Json) => {
      const [table] = Object.values(d.Properties.PhysicalTableMap) as Json[];
      return {
        mode: d.Properties.ImportMode,
        view: table.RelationalTable.Name,
        schema: table.RelationalTable.Schema,
        columns: table.RelationalTable.InputColumns,
      };
    });

    // Assess
    const columns = (list: readonly { name: string; type: string }[]) => [
      ...list.map((c) => ({ Name: c.name, Type: c.type })),
      ...TAG_COLUMNS.map((name) => ({ Name: name, Type: 'STRING' })),
    ];
    expect(tables).toEqual([
      { mode: 'DIRECT_QUERY', view: 'sagemaker_training_job_flat', schema: 'sagemaker_inventory', columns: columns(FLAT_VIEW_COLUMNS) },
      { mode: 'DIRECT_QUERY', view: 'sagemaker_training_job_cost', schema: 'sagemaker_inventory', columns: columns(COST_VIEW_COLUMNS) },
    ]);
  });

  it('names each physical table with a key CloudFormation accepts: letters, digits and hyphens', () => {
    // Act
    const keys = Object.values(template.findResources('AWS::QuickSight::DataSet')).flatMap((d: Json) =>
      Object.keys(d.Properties.PhysicalTableMap),
    );

    // Assess
    expect(keys).toHaveLength(2);
    expect(keys.filter((key) => !/^[0-9a-zA-Z-]*$/.test(key))).toEqual([]);
  });

  it("creates the data source, the datasets and the dashboard after the policy that lets QuickSight's role query", () => {
    // Prepare
    const [policy] = Object.keys(template.findResources('AWS::IAM::Policy', { Properties: { Roles: ['aws-quicksight-service-role-v0'] } }));

    // Act
    const dependsOn = ['DataSource', 'DataSet', 'Dashboard'].flatMap((type) =>
      Object.values(template.findResources(`AWS::QuickSight::${type}`)).map((r: Json) => r.DependsOn ?? []),
    );

    // Assess
    expect(policy).toBeDefined();
    expect(dependsOn).toHaveLength(4);
    expect(dependsOn.filter((list: string[]) => !list.includes(policy))).toEqual([]);
  });

  it('gives a column both datasets offer one type in both, flags as text', () => {
    // Act
    const flat = new Map(FLAT_VIEW_COLUMNS.map((c) => [c.name, c.type]));
    const shared = COST_VIEW_COLUMNS.filter((c) => flat.has(c.name));

    // Assess
    expect(shared.map((c) => c.name)).toContain('managed_spot_training');
    expect(shared.filter((c) => flat.get(c.name) !== c.type)).toEqual([]);
  });

  it('shows monthly cost by team as stacked bars, spot savings, the top 20 jobs and failed spend', () => {
    // Act
    const definition = only(template, 'AWS::QuickSight::Dashboard').Definition;
    const visuals = definition.Sheets[0].Visuals.map((v: Json) => v.BarChartVisual);

    // Assess
    expect(visuals.map((v: Json) => v.VisualId)).toEqual(['monthly-cost-by-team', 'spot-savings', 'top-jobs', 'failed-spend']);
    const [byTeam, savings, top, failed] = visuals.map((v: Json) => v.ChartConfiguration);
    const wells = (c: Json) => c.FieldWells.BarChartAggregatedFieldWells;
    const columnOf = (field: Json) => (field.CategoricalDimensionField ?? field.NumericalMeasureField).Column.ColumnName;
    expect([
      byTeam.BarsArrangement,
      columnOf(wells(byTeam).Category[0]),
      columnOf(wells(byTeam).Colors[0]),
      columnOf(wells(byTeam).Values[0]),
    ]).toEqual(['STACKED', 'cost_month', 'tag_team', 'total_cost_usd']);
    expect(columnOf(wells(savings).Values[0])).toBe('spot_savings_usd');
    expect([top.Orientation, top.SortConfiguration.CategoryItemsLimit.ItemsLimit, columnOf(wells(top).Category[0])]).toEqual([
      'HORIZONTAL',
      20,
      '_key',
    ]);
    expect(columnOf(wells(failed).Colors[0])).toBe('training_job_status');
    const [filterGroup] = definition.FilterGroups;
    expect(filterGroup.Filters[0].CategoryFilter.Configuration.FilterListConfiguration.CategoryValues).toEqual(['Failed', 'Stopped']);
    expect(filterGroup.ScopeConfiguration.SelectedSheets.SheetVisualScopingConfigurations[0].VisualIds).toEqual(['failed-spend']);
    expect(definition.DataSetIdentifierDeclarations).toEqual([
      { Identifier: 'cost', DataSetArn: { 'Fn::GetAtt': [expect.stringMatching(/CostDataSet/), 'Arn'] } },
    ]);
  });

  it("grants QuickSight's service role what a query needs: the workgroup, Glue, both tables' objects, the results and the key", () => {
    // Act
    const policy = only(
      template,
      'AWS::IAM::Policy',
      (p: Json) => JSON.stringify(p.Properties.Roles) === '["aws-quicksight-service-role-v0"]',
    );

    // Assess
    const text = JSON.stringify(policy.PolicyDocument.Statement);
    for (const expected of [
      'athena:StartQueryExecution',
      'glue:GetTable',
      'kms:Decrypt',
      '/inventory/sagemaker_training_job/*',
      '/inventory/sagemaker_instance_price/*',
      '/athena-results/*',
    ]) {
      expect(text).toContain(expected);
    }
  });

  it('uses another service role when told, and rejects what it cannot deploy', () => {
    // Act
    const custom = synth({ quickSight: { principalArn: GROUP, serviceRoleName: 'service-role/my-quicksight' } });

    // Assess
    expect(
      Object.values(custom.findResources('AWS::IAM::Policy')).some((p: Json) => JSON.stringify(p.Properties.Roles) === '["my-quicksight"]'),
    ).toBe(true);
    expect(() => synth({ quickSight: { principalArn: 'finops' } })).toThrow(
      new ConfigError(
        'Stack/Inventory/QuickSight: principalArn is "finops"; allowed: a QuickSight user or group ARN such as arn:aws:quicksight:us-east-1:111122223333:group/default/finops',
      ),
    );
    expect(() => synth({ quickSight: { principalArn: GROUP, teamTagKey: 'owner' } })).toThrow(
      new ConfigError(
        'Stack/Inventory/QuickSight: teamTagKey is "owner"; allowed: one of the cost-allocation tag keys (team, project, cost-center, sagemaker:domain-arn, sagemaker:user-profile-arn)',
      ),
    );
  });

  it('is not deployed without the prop', () => {
    // Act
    const plain = synth({});

    // Assess
    plain.resourceCountIs('AWS::QuickSight::Dashboard', 0);
    plain.resourceCountIs('AWS::QuickSight::DataSource', 0);
  });
});

describe('the QuickSight cost dashboard with the Cost and Usage Report', () => {
  const CUR = { databaseName: 'billing', tableName: 'cur2', prefix: 'exports/sagemaker-cur' };
  const template = (() => {
    const stack = new Stack(testApp(), 'Stack', { env: { account: '111122223333', region: 'us-east-1' } });
    const bucket = s3.Bucket.fromBucketName(stack, 'Exports', 'billing-exports-111122223333');
    new SageMakerTrainingJobInventory(stack, 'Inventory', { quickSight: { principalArn: GROUP }, costAndUsageReport: { ...CUR, bucket } });
    return Template.fromStack(stack);
  })();
  const dataSets = Object.values(template.findResources('AWS::QuickSight::DataSet')).map((r: Json) => r.Properties);

  it('adds a dataset over the billed-cost view with its columns, then its tag columns', () => {
    // Act
    const billed = dataSets.find((d: Json) => d.Name === 'SageMaker training job billed cost');
    const table = (Object.values(billed.PhysicalTableMap)[0] as Json).RelationalTable;

    // Assess
    expect([table.Name, table.InputColumns]).toEqual([
      'sagemaker_training_job_billed_cost',
      [...BILLED_COST_VIEW_COLUMNS, ...TAG_COLUMNS.map((name) => ({ name, type: 'STRING' }))].map((c) => ({ Name: c.name, Type: c.type })),
    ]);
  });

  it('adds a dataset over unattributed_training_spend whose SQL names the CUR table and the views by their databases', () => {
    // Act
    const unattributed = dataSets.find((d: Json) => d.Name === 'Unattributed training spend');
    const sql = (Object.values(unattributed.PhysicalTableMap)[0] as Json).CustomSql;

    // Assess
    expect(sql.Columns).toEqual(UNATTRIBUTED_SPEND_COLUMNS.map((c) => ({ Name: c.name, Type: c.type })));
    expect(sql.SqlQuery).toMatch(/FROM \S+\.sagemaker_cur_training_line AS l/);
    expect(sql.SqlQuery).toMatch(/FROM \S+\.sagemaker_training_job_all AS j/);
  });

  it('shows billed vs estimated by month and unattributed spend after the four estimate charts', () => {
    // Act
    const definition = only(template, 'AWS::QuickSight::Dashboard').Definition;
    const visuals = definition.Sheets[0].Visuals.map((v: Json) => v.BarChartVisual);
    const wells = (id: string) => visuals.find((v: Json) => v.VisualId === id).ChartConfiguration.FieldWells.BarChartAggregatedFieldWells;
    const columnOf = (field: Json) => (field.CategoricalDimensionField ?? field.NumericalMeasureField).Column;

    // Assess
    expect(visuals.map((v: Json) => v.VisualId)).toEqual([
      'monthly-cost-by-team',
      'spot-savings',
      'top-jobs',
      'failed-spend',
      'billed-vs-estimated',
      'unattributed-spend',
    ]);
    expect(wells('billed-vs-estimated').Values.map(columnOf)).toEqual([
      { DataSetIdentifier: 'billed', ColumnName: 'estimated_total_cost_usd' },
      { DataSetIdentifier: 'billed', ColumnName: 'effective_cost_usd' },
    ]);
    expect(wells('unattributed-spend').Values.map(columnOf)).toEqual([
      { DataSetIdentifier: 'unattributed', ColumnName: 'effective_cost_usd' },
    ]);
    expect(definition.DataSetIdentifierDeclarations.map((d: Json) => d.Identifier)).toEqual(['cost', 'billed', 'unattributed']);
  });
});
