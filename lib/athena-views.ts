import { CustomResource, Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { loadSqlCatalog, renderSql } from '../lambda/core/query/sql-catalog';
import type { TableSchema } from '../lambda/core/schema/table-schema';
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
  readonly logRetention: logs.RetentionDays;
}

/**
 * A hash of every table's columns and partition keys (names and types) and of the views' SQL. Athena
 * (Trino) fails a view whose table changed its columns ("View is stale; it must be re-created"), so
 * the custom resource carries this value: any such change updates the resource, which re-creates the views.
 */
export function viewsFingerprint(tables: readonly TableSchema[], viewSql: readonly string[]): string {
  const columns = (list: TableSchema['columns']) => list.map(({ name, type }) => [name, type]);
  const shape = tables.map((t) => ({ table: t.table, columns: columns(t.columns), partitionKeys: columns(t.partitionKeys) }));
  return createHash('sha256').update(JSON.stringify({ tables: shape, views: viewSql })).digest('hex');
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
    const { views, queries } = loadSqlCatalog();
    const render = (sql: Parameters<typeof renderSql>[0]) => renderSql(sql, props.tagKeys, props.tableName);

    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Creates the inventory\'s Athena views',
    });
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention });
    const catalogArn = stack.formatArn({ service: 'glue', resource: 'catalog' });
    const databaseArn = stack.formatArn({ service: 'glue', resource: 'database', resourceName: props.databaseName });
    const tablesArn = stack.formatArn({ service: 'glue', resource: 'table', resourceName: `${props.databaseName}/*` });
    const workgroupArn = stack.formatArn({ service: 'athena', resource: 'workgroup', resourceName: props.workgroup.ref });
    const policy = new iam.Policy(this, 'Policy', {
      statements: [
        new iam.PolicyStatement({ sid: 'RunQueries', actions: ['athena:StartQueryExecution', 'athena:GetQueryExecution'], resources: [workgroupArn] }),
        new iam.PolicyStatement({
          sid: 'ManageViews',
          actions: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetTables', 'glue:CreateTable', 'glue:UpdateTable', 'glue:DeleteTable'],
          resources: [catalogArn, databaseArn, tablesArn],
        }),
        new iam.PolicyStatement({
          sid: 'WriteResults',
          actions: ['s3:GetBucketLocation', 's3:PutObject', 's3:GetObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
          resources: [props.resultsBucket.bucketArn, props.resultsBucket.arnForObjects(`${props.resultsPrefix}*`)],
        }),
        new iam.PolicyStatement({ sid: 'EncryptResults', actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [props.encryptionKey.keyArn] }),
        new iam.PolicyStatement({ sid: 'WriteOwnLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }),
      ],
    });
    policy.attachToRole(role);
    // cdk-nag prints unresolved pseudo parameters as <AWS::...>, resolved ones as their value.
    const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
    const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
    Validations.of(policy).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:glue:${region}:${account}:table/${props.databaseName}/*]`,
      reason: 'Views are Glue tables in the inventory database; their set is the shipped SQL, so the grant covers that one database.',
    });
    const bucketRef = bucketArnInNagFinding(props.resultsBucket);
    if (bucketRef) {
      Validations.of(policy).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${bucketRef}/${props.resultsPrefix}*]`,
        reason: 'Athena writes each query\'s results under the workgroup\'s results prefix with names it chooses.',
      });
    }

    const fn = new nodejs.NodejsFunction(this, 'Function', {
      entry: join(__dirname, '..', 'lambda', 'functions', 'athena-views', 'handler.ts'),
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: Duration.minutes(10),
      role,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      description: 'Creates the SageMaker inventory Athena views',
      projectRoot: join(__dirname, '..'),
      depsLockFilePath: join(__dirname, '..', 'package-lock.json'),
      bundling: { externalModules: [], format: nodejs.OutputFormat.CJS, target: 'node22', minify: true, sourceMap: true },
      environment: { NODE_OPTIONS: '--enable-source-maps' },
    });
    Validations.of(fn).acknowledge({
      id: 'AwsSolutions-L1',
      reason: 'Pinned to nodejs22.x, the runtime the project builds and tests for.',
    });

    const viewStatements = views.map((view) => ({ Name: view.name, Sql: render(view) }));
    this.resource = new CustomResource(this, 'Views', {
      serviceToken: fn.functionArn,
      resourceType: 'Custom::AthenaViews',
      properties: {
        Workgroup: props.workgroup.ref,
        Database: props.databaseName,
        Views: viewStatements,
        SchemaFingerprint: viewsFingerprint(props.tables, viewStatements.map((v) => v.Sql)),
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
}
