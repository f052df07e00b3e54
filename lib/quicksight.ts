import { Stack, Token, Validations } from 'aws-cdk-lib';
import type * as athena from 'aws-cdk-lib/aws-athena';
import type * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as quicksight from 'aws-cdk-lib/aws-quicksight';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ConfigError } from '../lambda/core/errors';
import { tagColumnName } from '../lambda/core/query/sql-catalog';
import { bucketArnInNagFinding } from './nag-names';

/**
 * QuickSight's column types for the views' columns (DECIMAL holds the DOUBLE dollar amounts). No BOOLEAN: QuickSight
 * turns booleans into 0/1 integers, so every view gives its flags as 'true'/'false' text.
 */
export type QuickSightColumnType = 'STRING' | 'INTEGER' | 'DECIMAL' | 'DATETIME';
export interface QuickSightColumn {
  readonly name: string;
  readonly type: QuickSightColumnType;
}

/** Every column of `sagemaker_training_job_cost` before its tag columns, in order (a test checks them against the view). */
export const COST_VIEW_COLUMNS: readonly QuickSightColumn[] = [
  { name: '_key', type: 'STRING' },
  { name: 'account_id', type: 'STRING' },
  { name: 'region', type: 'STRING' },
  { name: 'training_job_name', type: 'STRING' },
  { name: 'training_job_status', type: 'STRING' },
  { name: 'deleted', type: 'STRING' },
  { name: 'instance_type', type: 'STRING' },
  { name: 'instance_count', type: 'INTEGER' },
  { name: 'managed_spot_training', type: 'STRING' },
  { name: 'billable_time_in_seconds', type: 'INTEGER' },
  { name: 'training_time_in_seconds', type: 'INTEGER' },
  { name: 'billable_instance_seconds', type: 'INTEGER' },
  { name: 'warm_pool_retained_seconds', type: 'INTEGER' },
  { name: 'usd_per_hour', type: 'DECIMAL' },
  { name: 'cluster_usd_per_hour', type: 'DECIMAL' },
  { name: 'compute_cost_usd', type: 'DECIMAL' },
  { name: 'warm_pool_cost_usd', type: 'DECIMAL' },
  { name: 'total_cost_usd', type: 'DECIMAL' },
  { name: 'on_demand_equivalent_usd', type: 'DECIMAL' },
  { name: 'spot_savings_usd', type: 'DECIMAL' },
  { name: 'price_snapshot_date', type: 'STRING' },
  { name: 'cost_status', type: 'STRING' },
  { name: 'cost_month', type: 'STRING' },
  { name: 'creation_time', type: 'DATETIME' },
  { name: 'training_end_time', type: 'DATETIME' },
];

/** The columns of `sagemaker_training_job_flat` the flat dataset offers, besides its tag columns (a test checks them against the view). */
export const FLAT_VIEW_COLUMNS: readonly QuickSightColumn[] = [
  { name: 'training_job_name', type: 'STRING' },
  { name: 'training_job_arn', type: 'STRING' },
  { name: 'account_id', type: 'STRING' },
  { name: 'region', type: 'STRING' },
  { name: 'training_job_status', type: 'STRING' },
  { name: 'secondary_status', type: 'STRING' },
  { name: 'failure_reason', type: 'STRING' },
  { name: 'deleted', type: 'STRING' },
  { name: 'instance_type', type: 'STRING' },
  { name: 'instance_count', type: 'INTEGER' },
  { name: 'volume_size_in_gb', type: 'INTEGER' },
  { name: 'managed_spot_training', type: 'STRING' },
  { name: 'training_time_in_seconds', type: 'INTEGER' },
  { name: 'billable_time_in_seconds', type: 'INTEGER' },
  { name: 'billable_instance_seconds', type: 'INTEGER' },
  { name: 'creation_time', type: 'DATETIME' },
  { name: 'training_start_time', type: 'DATETIME' },
  { name: 'training_end_time', type: 'DATETIME' },
  { name: 'creation_month', type: 'STRING' },
  { name: 'algorithm_or_image', type: 'STRING' },
  { name: 'usd_per_hour', type: 'DECIMAL' },
  { name: 'compute_cost_usd', type: 'DECIMAL' },
  { name: 'warm_pool_cost_usd', type: 'DECIMAL' },
  { name: 'total_cost_usd', type: 'DECIMAL' },
  { name: 'on_demand_equivalent_usd', type: 'DECIMAL' },
  { name: 'spot_savings_usd', type: 'DECIMAL' },
  { name: 'cost_status', type: 'STRING' },
  { name: 'price_snapshot_date', type: 'STRING' },
];

/** The columns of `sagemaker_training_job_billed_cost` before its tag columns, in order (a test checks them against the view). */
export const BILLED_COST_VIEW_COLUMNS: readonly QuickSightColumn[] = [
  { name: '_key', type: 'STRING' },
  { name: 'account_id', type: 'STRING' },
  { name: 'region', type: 'STRING' },
  { name: 'training_job_name', type: 'STRING' },
  { name: 'training_job_arn', type: 'STRING' },
  { name: 'training_job_status', type: 'STRING' },
  { name: 'instance_type', type: 'STRING' },
  { name: 'managed_spot_training', type: 'STRING' },
  { name: 'billing_status', type: 'STRING' },
  { name: 'unblended_cost_usd', type: 'DECIMAL' },
  { name: 'effective_cost_usd', type: 'DECIMAL' },
  { name: 'public_on_demand_cost_usd', type: 'DECIMAL' },
  { name: 'compute_effective_cost_usd', type: 'DECIMAL' },
  { name: 'warm_pool_effective_cost_usd', type: 'DECIMAL' },
  { name: 'storage_effective_cost_usd', type: 'DECIMAL' },
  { name: 'other_effective_cost_usd', type: 'DECIMAL' },
  { name: 'billed_line_items', type: 'INTEGER' },
  { name: 'billing_periods', type: 'INTEGER' },
  { name: 'first_usage_date', type: 'DATETIME' },
  { name: 'last_usage_date', type: 'DATETIME' },
  { name: 'estimated_total_cost_usd', type: 'DECIMAL' },
  { name: 'estimate_cost_status', type: 'STRING' },
  { name: 'cost_month', type: 'STRING' },
  { name: 'creation_time', type: 'DATETIME' },
  { name: 'training_end_time', type: 'DATETIME' },
];

/** The columns of the named query `unattributed_training_spend`, the unattributed dataset's custom SQL (a test checks them). */
export const UNATTRIBUTED_SPEND_COLUMNS: readonly QuickSightColumn[] = [
  { name: 'account_id', type: 'STRING' },
  { name: 'month', type: 'STRING' },
  { name: 'training_jobs', type: 'INTEGER' },
  { name: 'line_items', type: 'INTEGER' },
  { name: 'unblended_cost_usd', type: 'DECIMAL' },
  { name: 'effective_cost_usd', type: 'DECIMAL' },
];

const PRINCIPAL_ARN = /^arn:aws[a-z-]*:quicksight:[a-z0-9-]+:\d{12}:(user|group)\/.+$/;
const ROLE_NAME = /^[\w+=,.@/-]{1,512}$/;

const DATA_SOURCE_ACTIONS = [
  'quicksight:DescribeDataSource',
  'quicksight:DescribeDataSourcePermissions',
  'quicksight:PassDataSource',
  'quicksight:UpdateDataSource',
  'quicksight:DeleteDataSource',
  'quicksight:UpdateDataSourcePermissions',
];
const DATA_SET_ACTIONS = [
  'quicksight:DescribeDataSet',
  'quicksight:DescribeDataSetPermissions',
  'quicksight:PassDataSet',
  'quicksight:DescribeIngestion',
  'quicksight:ListIngestions',
  'quicksight:UpdateDataSet',
  'quicksight:DeleteDataSet',
  'quicksight:CreateIngestion',
  'quicksight:CancelIngestion',
  'quicksight:UpdateDataSetPermissions',
];
const DASHBOARD_ACTIONS = [
  'quicksight:DescribeDashboard',
  'quicksight:ListDashboardVersions',
  'quicksight:UpdateDashboardPermissions',
  'quicksight:QueryDashboard',
  'quicksight:UpdateDashboard',
  'quicksight:DeleteDashboard',
  'quicksight:DescribeDashboardPermissions',
  'quicksight:UpdateDashboardPublishedVersion',
];

/** What the QuickSight resources need from the inventory. */
export interface QuickSightCostDashboardProps {
  /** The QuickSight user or group ARN that owns the data source, the datasets and the dashboard. */
  readonly principalArn: string;
  /**
   * The role QuickSight assumes to reach Athena, S3 and KMS; it gets `grantQuery`'s permissions.
   * @default 'aws-quicksight-service-role-v0', the role QuickSight creates when Athena access is enabled
   */
  readonly serviceRoleName?: string;
  readonly workgroup: athena.CfnWorkGroup;
  readonly databaseName: string;
  /** Cost-allocation tag keys of the views (their `tag_<key>` columns). */
  readonly tagKeys: readonly string[];
  /**
   * The tag key the team charts group by.
   * @default 'team'
   */
  readonly teamTagKey?: string;
  /** Grants the QuickSight service role what querying the inventory in Athena needs. */
  readonly grantQuery: (grantee: iam.IGrantable) => iam.Grant;
  /** What that grant reaches with wildcards, so each cdk-nag acknowledgement names it: the database, */
  readonly database: glue.CfnDatabase;
  /** the bucket, */
  readonly bucket: s3.IBucket;
  /** and the key prefixes read (the tables) or written (the Athena results), each ending in `/` or not as granted. */
  readonly grantedPrefixes: readonly string[];
  /**
   * With a Cost and Usage Report: the rendered SQL of the named query `unattributed_training_spend`. Adds a dataset
   * over `sagemaker_training_job_billed_cost`, one over that query, and their two charts to the dashboard.
   * @default no billed-cost datasets or charts
   */
  readonly unattributedSpendSql?: string;
}

type Definition = quicksight.CfnDashboard.DashboardVersionDefinitionProperty;
type Visual = quicksight.CfnDashboard.VisualProperty;

/**
 * QuickSight over the inventory: an Athena data source on the workgroup, direct-query datasets over the
 * flat and cost views, and a cost dashboard (monthly cost by team, spot savings, top jobs, failed spend).
 * QuickSight must already be subscribed in the account, with Athena access enabled.
 */
export class QuickSightCostDashboard extends Construct {
  readonly dataSource: quicksight.CfnDataSource;
  readonly flatDataSet: quicksight.CfnDataSet;
  readonly costDataSet: quicksight.CfnDataSet;
  /** Over `sagemaker_training_job_billed_cost`; undefined without a Cost and Usage Report. */
  readonly billedCostDataSet?: quicksight.CfnDataSet;
  /** Over the named query `unattributed_training_spend`; undefined without a Cost and Usage Report. */
  readonly unattributedSpendDataSet?: quicksight.CfnDataSet;
  readonly dashboard: quicksight.CfnDashboard;
  /** QuickSight's service role, imported by name. */
  readonly serviceRole: iam.IRole;

  constructor(scope: Construct, id: string, props: QuickSightCostDashboardProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const serviceRoleName = props.serviceRoleName ?? 'aws-quicksight-service-role-v0';
    const teamTagKey = props.teamTagKey ?? 'team';
    const check = (ok: boolean, prop: string, received: unknown, allowed: string) => {
      if (!ok) throw new ConfigError(`${this.node.path}: ${prop} is ${JSON.stringify(received)}; allowed: ${allowed}`);
    };
    if (!Token.isUnresolved(props.principalArn)) {
      check(
        PRINCIPAL_ARN.test(props.principalArn),
        'principalArn',
        props.principalArn,
        'a QuickSight user or group ARN such as arn:aws:quicksight:us-east-1:111122223333:group/default/finops',
      );
    }
    check(
      ROLE_NAME.test(serviceRoleName),
      'serviceRoleName',
      serviceRoleName,
      'an IAM role name (with its path), such as aws-quicksight-service-role-v0',
    );
    check(
      props.tagKeys.includes(teamTagKey),
      'teamTagKey',
      teamTagKey,
      `one of the cost-allocation tag keys (${props.tagKeys.join(', ')})`,
    );
    const team = tagColumnName(teamTagKey);
    const tagColumns = props.tagKeys.map((key): QuickSightColumn => ({ name: tagColumnName(key), type: 'STRING' }));
    const prefix = `${props.databaseName}-${stack.stackName}`
      .toLowerCase()
      .replace(/[^a-z0-9-]/g, '-')
      .slice(0, 200);

    this.serviceRole = iam.Role.fromRoleName(this, 'ServiceRole', serviceRoleName);
    const grant = props.grantQuery(this.serviceRole);
    // cdk-nag prints unresolved pseudo parameters as <AWS::...>, resolved ones as their value.
    const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
    const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
    Validations.of(this.serviceRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:glue:${region}:${account}:table/<${stack.getLogicalId(props.database)}>/*]`,
      reason:
        "QuickSight reads the inventory database's tables and views, as any analyst given grantQuery does; their set is the shipped schema and SQL.",
    });
    const bucket = bucketArnInNagFinding(props.bucket);
    for (const prefix of bucket ? props.grantedPrefixes : []) {
      Validations.of(this.serviceRole).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${bucket}/${prefix}*]`,
        reason:
          'QuickSight reads the snapshot objects of each table (keys carry date, region, account) and writes Athena results under the results prefix with names Athena chooses.',
      });
    }

    const principal = (actions: string[]) => [{ principal: props.principalArn, actions }];
    this.dataSource = new quicksight.CfnDataSource(this, 'DataSource', {
      awsAccountId: stack.account,
      dataSourceId: `${prefix}-athena`,
      name: 'SageMaker training-job inventory (Athena)',
      type: 'ATHENA',
      dataSourceParameters: { athenaParameters: { workGroup: props.workgroup.ref } },
      sslProperties: { disableSsl: false },
      permissions: principal(DATA_SOURCE_ACTIONS),
    });

    const dataSet = (logicalId: string, view: string, name: string, table: quicksight.CfnDataSet.PhysicalTableProperty) =>
      new quicksight.CfnDataSet(this, logicalId, {
        awsAccountId: stack.account,
        dataSetId: `${prefix}-${view.replace(/_/g, '-')}`,
        name,
        // Direct query: the views always show the latest snapshot, with no SPICE refresh to schedule.
        importMode: 'DIRECT_QUERY',
        // Keys allow only letters, digits and hyphens.
        physicalTableMap: { [view.replace(/_/g, '-')]: table },
        permissions: principal(DATA_SET_ACTIONS),
      });
    const viewTable = (view: string, columns: readonly QuickSightColumn[]): quicksight.CfnDataSet.PhysicalTableProperty => ({
      relationalTable: {
        dataSourceArn: this.dataSource.attrArn,
        catalog: 'AwsDataCatalog',
        schema: props.databaseName,
        name: view,
        inputColumns: [...columns, ...tagColumns].map((column) => ({ name: column.name, type: column.type })),
      },
    });
    const viewDataSet = (logicalId: string, view: string, name: string, columns: readonly QuickSightColumn[]) =>
      dataSet(logicalId, view, name, viewTable(view, columns));
    this.flatDataSet = viewDataSet('FlatDataSet', 'sagemaker_training_job_flat', 'SageMaker training jobs (flat)', FLAT_VIEW_COLUMNS);
    this.costDataSet = viewDataSet('CostDataSet', 'sagemaker_training_job_cost', 'SageMaker training job cost', COST_VIEW_COLUMNS);
    if (props.unattributedSpendSql !== undefined) {
      this.billedCostDataSet = viewDataSet(
        'BilledCostDataSet',
        'sagemaker_training_job_billed_cost',
        'SageMaker training job billed cost',
        BILLED_COST_VIEW_COLUMNS,
      );
      this.unattributedSpendDataSet = dataSet('UnattributedSpendDataSet', 'unattributed_training_spend', 'Unattributed training spend', {
        customSql: {
          dataSourceArn: this.dataSource.attrArn,
          name: 'unattributed_training_spend',
          sqlQuery: props.unattributedSpendSql,
          columns: UNATTRIBUTED_SPEND_COLUMNS.map((column) => ({ name: column.name, type: column.type })),
        },
      });
    }

    this.dashboard = new quicksight.CfnDashboard(this, 'Dashboard', {
      awsAccountId: stack.account,
      dashboardId: `${prefix}-cost`,
      name: 'SageMaker training cost',
      definition: costDashboardDefinition(
        this.costDataSet.attrArn,
        team,
        this.billedCostDataSet &&
          this.unattributedSpendDataSet && {
            billedCostDataSetArn: this.billedCostDataSet.attrArn,
            unattributedSpendDataSetArn: this.unattributedSpendDataSet.attrArn,
          },
      ),
      permissions: principal(DASHBOARD_ACTIONS),
      dashboardPublishOptions: {
        adHocFilteringOption: { availabilityStatus: 'ENABLED' },
        exportToCsvOption: { availabilityStatus: 'ENABLED' },
      },
    });
    // QuickSight checks its role's access to Athena when it creates each of them: the grant must be in place first.
    grant.applyBefore(
      ...[
        this.dataSource,
        this.flatDataSet,
        this.costDataSet,
        this.billedCostDataSet,
        this.unattributedSpendDataSet,
        this.dashboard,
      ].filter((resource): resource is quicksight.CfnDataSet => resource !== undefined),
    );
  }
}

const COST = 'cost';
const BILLED = 'billed';
const UNATTRIBUTED = 'unattributed';
const SHEET = 'cost';

function column(columnName: string, dataSet = COST): quicksight.CfnDashboard.ColumnIdentifierProperty {
  return { dataSetIdentifier: dataSet, columnName };
}

function dimension(fieldId: string, columnName: string, dataSet = COST): quicksight.CfnDashboard.DimensionFieldProperty {
  return { categoricalDimensionField: { fieldId, column: column(columnName, dataSet) } };
}

function usdSum(fieldId: string, columnName: string, dataSet = COST): quicksight.CfnDashboard.MeasureFieldProperty {
  return {
    numericalMeasureField: {
      fieldId,
      column: column(columnName, dataSet),
      aggregationFunction: { simpleNumericalAggregation: 'SUM' },
      formatConfiguration: {
        formatConfiguration: { currencyDisplayFormatConfiguration: { symbol: 'USD', decimalPlacesConfiguration: { decimalPlaces: 0 } } },
      },
    },
  };
}

function barChart(
  visualId: string,
  title: string,
  wells: quicksight.CfnDashboard.BarChartAggregatedFieldWellsProperty,
  options: { stacked?: boolean; horizontal?: boolean; sort: quicksight.CfnDashboard.BarChartSortConfigurationProperty },
): Visual {
  return {
    barChartVisual: {
      visualId,
      title: { visibility: 'VISIBLE', formatText: { plainText: title } },
      chartConfiguration: {
        fieldWells: { barChartAggregatedFieldWells: wells },
        barsArrangement: options.stacked ? 'STACKED' : 'CLUSTERED',
        orientation: options.horizontal ? 'HORIZONTAL' : 'VERTICAL',
        sortConfiguration: options.sort,
      },
    },
  };
}

/** The datasets of the bill's two charts. */
export interface BilledCostDataSets {
  readonly billedCostDataSetArn: string;
  readonly unattributedSpendDataSetArn: string;
}

/** Billed vs estimated by month and unattributed training spend, as the local report draws them with `--cur`. */
function billedCostVisuals(): Visual[] {
  return [
    barChart(
      'billed-vs-estimated',
      'Billed vs estimated by month',
      {
        category: [dimension('billed-month', 'cost_month', BILLED)],
        values: [usdSum('estimated', 'estimated_total_cost_usd', BILLED), usdSum('billed', 'effective_cost_usd', BILLED)],
      },
      { sort: { categorySort: [{ fieldSort: { fieldId: 'billed-month', direction: 'ASC' } }] } },
    ),
    barChart(
      'unattributed-spend',
      'Unattributed training spend',
      {
        category: [dimension('unattributed-month', 'month', UNATTRIBUTED)],
        values: [usdSum('unattributed-cost', 'effective_cost_usd', UNATTRIBUTED)],
        colors: [dimension('unattributed-account', 'account_id', UNATTRIBUTED)],
      },
      { stacked: true, sort: { categorySort: [{ fieldSort: { fieldId: 'unattributed-month', direction: 'ASC' } }] } },
    ),
  ];
}

/**
 * The dashboard: the charts of the local report (`sm-inventory report`), over the cost dataset, and with a
 * Cost and Usage Report the bill's two over the billed-cost and unattributed-spend datasets.
 */
export function costDashboardDefinition(costDataSetArn: string, teamColumn: string, billed?: BilledCostDataSets): Definition {
  const visuals: Visual[] = [
    barChart(
      'monthly-cost-by-team',
      'Monthly cost by team',
      { category: [dimension('month', 'cost_month')], values: [usdSum('cost', 'total_cost_usd')], colors: [dimension('team', teamColumn)] },
      { stacked: true, sort: { categorySort: [{ fieldSort: { fieldId: 'month', direction: 'ASC' } }] } },
    ),
    barChart(
      'spot-savings',
      'Spot savings by month',
      { category: [dimension('savings-month', 'cost_month')], values: [usdSum('spot-savings', 'spot_savings_usd')] },
      { sort: { categorySort: [{ fieldSort: { fieldId: 'savings-month', direction: 'ASC' } }] } },
    ),
    barChart(
      'top-jobs',
      'The 20 most expensive jobs',
      {
        // A name is unique only per account and region; the key tells two jobs of one name apart.
        category: [dimension('job', '_key')],
        values: [usdSum('job-cost', 'total_cost_usd')],
        colors: [dimension('job-team', teamColumn)],
      },
      {
        horizontal: true,
        stacked: true,
        sort: {
          categorySort: [{ fieldSort: { fieldId: 'job-cost', direction: 'DESC' } }],
          categoryItemsLimit: { itemsLimit: 20, otherCategories: 'EXCLUDE' },
        },
      },
    ),
    barChart(
      'failed-spend',
      'Spend on failed and stopped jobs, by team',
      {
        category: [dimension('failed-team', teamColumn)],
        values: [usdSum('failed-cost', 'total_cost_usd')],
        colors: [dimension('status', 'training_job_status')],
      },
      { stacked: true, sort: { categorySort: [{ fieldSort: { fieldId: 'failed-cost', direction: 'DESC' } }] } },
    ),
    ...(billed ? billedCostVisuals() : []),
  ];
  return {
    dataSetIdentifierDeclarations: [
      { identifier: COST, dataSetArn: costDataSetArn },
      ...(billed
        ? [
            { identifier: BILLED, dataSetArn: billed.billedCostDataSetArn },
            { identifier: UNATTRIBUTED, dataSetArn: billed.unattributedSpendDataSetArn },
          ]
        : []),
    ],
    sheets: [{ sheetId: SHEET, name: 'Training cost', visuals }],
    filterGroups: [
      {
        filterGroupId: 'failed-and-stopped',
        crossDataset: 'SINGLE_DATASET',
        status: 'ENABLED',
        filters: [
          {
            categoryFilter: {
              filterId: 'failed-or-stopped',
              column: column('training_job_status'),
              configuration: { filterListConfiguration: { matchOperator: 'CONTAINS', categoryValues: ['Failed', 'Stopped'] } },
            },
          },
        ],
        scopeConfiguration: {
          selectedSheets: {
            sheetVisualScopingConfigurations: [{ sheetId: SHEET, scope: 'SELECTED_VISUALS', visualIds: ['failed-spend'] }],
          },
        },
      },
    ],
  };
}
