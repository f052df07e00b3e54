import { CustomResource, Duration, Stack, Token, Validations, type RemovalPolicy } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { createHash } from 'node:crypto';
import { ConfigError } from '../lambda/core/errors';
import {
  loadSqlCatalog,
  renderSql,
  tagColumnName,
  tagColumnsRead,
  withoutCostAndUsageReport,
  type SqlDefinition,
} from '../lambda/core/query/sql-catalog';
import { COST_AND_USAGE_REPORT_SCHEMA, type TableSchema } from '../lambda/core/schema/table-schema';
import { costAndUsageReportCatalog } from './cost-and-usage-report';
import { bundledFunction, encryptedLogGroup, keyAndLogStatements } from './function-parts';
import type { CostAndUsageReportProps } from './inventory-props';
import { bucketArnInNagFinding } from './nag-names';

export interface AthenaViewsProps {
  readonly workgroup: athena.CfnWorkGroup;
  readonly databaseName: string;
  readonly tableName: string;
  /** Every table the views read; a change to any one's columns re-creates the views. */
  readonly tables: readonly TableSchema[];
  /** Where the workgroup writes query results (bucket and key prefix). */
  readonly resultsBucket: s3.IBucket;
  readonly resultsPrefix: string;
  readonly encryptionKey: kms.IKey;
  readonly tagKeys: readonly string[];
  /**
   * Days an (account, region) may go without a run before `current` leaves its jobs out.
   * @default 7
   */
  readonly staleAfterDays?: number;
  readonly logRetention: logs.RetentionDays;
  /**
   * What happens to the log group when it leaves the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Active X-Ray tracing of the function.
   * @default false
   */
  readonly tracing?: boolean;
  /**
   * The CUR 2.0 table the billed-cost views read.
   * @default none: the views and queries that read it are not created
   */
  readonly costAndUsageReport?: CostAndUsageReportProps;
}

/**
 * A hash of every table's columns and partition keys (names and types) and of the views' SQL. Athena
 * (Trino) fails a view whose table changed its columns ("View is stale; it must be re-created"), so
 * the custom resource carries this value: any such change updates the resource, which re-creates the views.
 */
export function viewsFingerprint(tables: readonly TableSchema[], viewSql: readonly string[]): string {
  const columns = (list: TableSchema['columns']) => list.map(({ name, type }) => [name, type]);
  const shape = tables.map((t) => ({ table: t.table, columns: columns(t.columns), partitionKeys: columns(t.partitionKeys) }));
  return createHash('sha256')
    .update(JSON.stringify({ tables: shape, views: viewSql }))
    .digest('hex');
}

/**
 * The shipped views, created in Athena by a custom resource (CREATE OR REPLACE VIEW, waited for, rerun
 * whenever the SQL or a table's columns change), and the shipped queries as Athena named queries in the workgroup.
 */
export class AthenaViews extends Construct {
  readonly resource: CustomResource;
  readonly namedQueries: athena.CfnNamedQuery[];

  constructor(scope: Construct, id: string, props: AthenaViewsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const cur = props.costAndUsageReport;
    const { views, queries } = cur ? loadSqlCatalog() : withoutCostAndUsageReport(loadSqlCatalog());
    const render = (sql: Parameters<typeof renderSql>[0]) =>
      renderSql(sql, {
        tagKeys: props.tagKeys,
        tableName: props.tableName,
        staleAfterDays: props.staleAfterDays,
        costAndUsageReport: cur && { database: cur.databaseName, table: cur.tableName },
      });
    this.checkTagColumns(queries, props.tagKeys);

    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: "Creates the inventory's Athena views",
    });
    const logGroup = encryptedLogGroup(this, 'Logs', {
      encryptionKey: props.encryptionKey,
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    const catalogArn = stack.formatArn({ service: 'glue', resource: 'catalog' });
    const databaseArn = stack.formatArn({ service: 'glue', resource: 'database', resourceName: props.databaseName });
    const tablesArn = stack.formatArn({ service: 'glue', resource: 'table', resourceName: `${props.databaseName}/*` });
    const workgroupArn = stack.formatArn({ service: 'athena', resource: 'workgroup', resourceName: props.workgroup.ref });
    const policy = new iam.Policy(this, 'Policy', {
      statements: [
        new iam.PolicyStatement({
          sid: 'RunQueries',
          actions: ['athena:StartQueryExecution', 'athena:GetQueryExecution'],
          resources: [workgroupArn],
        }),
        // Athena resolves the tables a view reads in the catalog...
        new iam.PolicyStatement({
          sid: 'ReadCatalog',
          actions: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetTables'],
          resources: [catalogArn, databaseArn, tablesArn],
        }),
        // A view over the Cost and Usage Report resolves that one table too (its data is not read to create the view).
        ...(cur
          ? [
              new iam.PolicyStatement({
                sid: 'ReadCostAndUsageReportCatalog',
                actions: ['glue:GetDatabase', 'glue:GetTable'],
                resources: costAndUsageReportCatalog(stack, cur),
              }),
            ]
          : []),
        // ...and creates, replaces or drops the shipped views by name: no other table of the database.
        new iam.PolicyStatement({
          sid: 'ManageShippedViews',
          actions: ['glue:CreateTable', 'glue:UpdateTable', 'glue:DeleteTable'],
          resources: [
            catalogArn,
            databaseArn,
            ...views.map((view) =>
              stack.formatArn({ service: 'glue', resource: 'table', resourceName: `${props.databaseName}/${view.name}` }),
            ),
          ],
        }),
        new iam.PolicyStatement({
          sid: 'WriteResults',
          actions: ['s3:GetBucketLocation', 's3:PutObject', 's3:GetObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
          resources: [props.resultsBucket.bucketArn, props.resultsBucket.arnForObjects(`${props.resultsPrefix}*`)],
        }),
        ...keyAndLogStatements('EncryptResults', props.encryptionKey, logGroup),
      ],
    });
    policy.attachToRole(role);
    // cdk-nag prints unresolved pseudo parameters as <AWS::...>, resolved ones as their value.
    const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
    const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
    Validations.of(policy).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:glue:${region}:${account}:table/${props.databaseName}/*]`,
      reason:
        'Athena reads the definitions of the tables a view selects from, in the inventory database only; it writes only the shipped views, by name.',
    });
    const bucketRef = bucketArnInNagFinding(props.resultsBucket);
    if (bucketRef) {
      Validations.of(policy).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${bucketRef}/${props.resultsPrefix}*]`,
        reason: "Athena writes each query's results under the workgroup's results prefix with names it chooses.",
      });
    }

    const fn = bundledFunction(this, 'Function', {
      entry: 'athena-views',
      description: 'Creates the SageMaker inventory Athena views',
      role,
      logGroup,
      memorySize: 256,
      timeout: Duration.minutes(10),
      environment: {},
      tracing: props.tracing ?? false,
      writesParquet: false,
      failuresSurface:
        'Invoked by CloudFormation for the views custom resource: a failure is answered to CloudFormation, which fails and rolls back the deployment; there is nothing to redrive.',
    });

    const viewStatements = views.map((view) => ({ Name: view.name, Sql: render(view) }));
    this.resource = new CustomResource(this, 'Views', {
      serviceToken: fn.functionArn,
      resourceType: 'Custom::AthenaViews',
      properties: {
        Workgroup: props.workgroup.ref,
        Database: props.databaseName,
        Views: viewStatements,
        SchemaFingerprint: viewsFingerprint(
          cur ? [...props.tables, COST_AND_USAGE_REPORT_SCHEMA] : props.tables,
          viewStatements.map((v) => v.Sql),
        ),
      },
    });
    this.resource.node.addDependency(policy);

    this.namedQueries = queries.map(
      (query) =>
        new athena.CfnNamedQuery(this, `Query-${query.name}`, {
          name: query.name,
          description: query.description.slice(0, 1024),
          database: props.databaseName,
          workGroup: props.workgroup.ref,
          queryString: render(query),
        }),
    );
  }

  /** Refuses tag keys without a column a named query reads (its `tag_team`): Athena would fail that query at run time. */
  private checkTagColumns(queries: readonly SqlDefinition[], tagKeys: readonly string[]): void {
    const columns = new Set(tagKeys.map(tagColumnName));
    const readers = new Map<string, string[]>();
    for (const query of queries) {
      for (const column of tagColumnsRead(query.sql).filter((c) => !columns.has(c)))
        readers.set(column, [...(readers.get(column) ?? []), query.name]);
    }
    if (readers.size === 0) return;
    const needed = [...readers].map(
      ([column, names]) => `${column} (such as "${column.slice('tag_'.length)}"), which ${names.join(', ')} read`,
    );
    throw new ConfigError(
      `${this.node.path}: costAllocationTagKeys is ${JSON.stringify(tagKeys)}; allowed: a list with a key for each tag column the named queries read: ${needed.join('; ')}`,
    );
  }
}
