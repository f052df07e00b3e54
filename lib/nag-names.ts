import { Stack, Token } from 'aws-cdk-lib';
import type * as s3 from 'aws-cdk-lib/aws-s3';

/**
 * The bucket's ARN as cdk-nag prints it in a finding ID: `<LogicalId.Arn>` for a bucket this stack
 * creates, `arn:<AWS::Partition>:s3:::name` for an imported one. Undefined when the name is only
 * known at deploy time, since no finding ID can be written for it in advance.
 */
export function bucketArnInNagFinding(bucket: s3.IBucket): string | undefined {
  const ownBucket = bucket.node.defaultChild as s3.CfnBucket | undefined;
  if (ownBucket) return `<${Stack.of(bucket).getLogicalId(ownBucket)}.Arn>`;
  return Token.isUnresolved(bucket.bucketName) ? undefined : `arn:<AWS::Partition>:s3:::${bucket.bucketName}`;
}
