import { Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
import { ConfigError } from '../lambda/core/errors';
import { GLUE_NAME_ALLOWED, isGlueName } from '../lambda/core/query/sql-catalog';
import type { CostAndUsageReportProps } from './inventory-props';
import { bucketArnInNagFinding } from './nag-names';

/** An S3 key prefix as the export's folder: no leading or trailing `/`, no wildcard. */
const EXPORT_PREFIX = /^[^/*?]+(?:\/[^/*?]+)*$/;

/** Checks the prop, naming each refused value and what is allowed. */
export function validateCostAndUsageReport(props: CostAndUsageReportProps, path: string): CostAndUsageReportProps {
  for (const key of ['databaseName', 'tableName'] as const) {
    if (!Token.isUnresolved(props[key]) && !isGlueName(props[key]))
      throw new ConfigError(`${path}: costAndUsageReport.${key} is ${JSON.stringify(props[key])}; allowed: ${GLUE_NAME_ALLOWED}`);
  }
  if (!Token.isUnresolved(props.prefix) && !EXPORT_PREFIX.test(props.prefix ?? ''))
    throw new ConfigError(
      `${path}: costAndUsageReport.prefix is ${JSON.stringify(props.prefix)}; allowed: the export's folder, <S3 path prefix>/<export name>, without a leading or trailing / or a wildcard`,
    );
  return props;
}

/** The CUR table's Glue resources: the catalog, its database and that one table. */
export function costAndUsageReportCatalog(stack: Stack, props: CostAndUsageReportProps): string[] {
  return [
    stack.formatArn({ service: 'glue', resource: 'catalog' }),
    stack.formatArn({ service: 'glue', resource: 'database', resourceName: props.databaseName }),
    stack.formatArn({ service: 'glue', resource: 'table', resourceName: `${props.databaseName}/${props.tableName}` }),
  ];
}

/** The export's data objects: what Athena reads for the CUR table, and nothing else of the bucket. */
function dataPrefix(props: CostAndUsageReportProps): string {
  return `${props.prefix}/data/`;
}

/**
 * What querying the CUR table takes: its Glue definition and partitions, and listing and reading the
 * export's data objects. Granted with `grantQuery` (so to QuickSight too).
 */
export function costAndUsageReportReadStatements(stack: Stack, props: CostAndUsageReportProps): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      actions: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetPartition', 'glue:GetPartitions'],
      resources: costAndUsageReportCatalog(stack, props),
    }),
    new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [props.bucket.arnForObjects(`${dataPrefix(props)}*`)] }),
    new iam.PolicyStatement({
      actions: ['s3:ListBucket'],
      resources: [props.bucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': [`${dataPrefix(props)}*`] } },
    }),
    new iam.PolicyStatement({ actions: ['s3:GetBucketLocation'], resources: [props.bucket.bucketArn] }),
  ];
}

/** cdk-nag asks for the export's objects wildcard to be acknowledged on each reader it is granted to. */
export function acknowledgeCostAndUsageReportRead(grantee: iam.IGrantable, props: CostAndUsageReportProps): void {
  const bucket = bucketArnInNagFinding(props.bucket);
  if (!bucket || !('node' in grantee)) return;
  Validations.of(grantee as unknown as IConstruct).acknowledge({
    id: `AwsSolutions-IAM5[Resource::${bucket}/${dataPrefix(props)}*]`,
    reason: "The CUR 2.0 export's data objects: AWS Data Exports names them per billing period; nothing else of the bucket is read.",
  });
}
