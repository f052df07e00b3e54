import { Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { ATHENA_RESULTS_PREFIX, WORK_PREFIX } from '../lambda/core/names';
import { CHANGE_RETENTION_DAYS, TRAINING_JOB_CHANGE_SCHEMA } from '../lambda/core/schema/table-schema';

export interface InventoryBucketProps {
  readonly encryptionKey: kms.IKey;
  /** The warehouse prefix: its abandoned work area expires. */
  readonly prefix: string;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The bucket the construct creates when none is given: KMS-encrypted with a bucket key, versioned,
 * TLS-only, owner-enforced, server access logs into a bucket of their own, and lifecycle rules for
 * old versions, incomplete uploads, Athena results and the work of abandoned runs.
 */
export function inventoryBucket(scope: Construct, props: InventoryBucketProps): s3.Bucket {
  const accessLogs = new s3.Bucket(scope, 'AccessLogs', {
    // Server access logging delivers only to buckets with S3-managed encryption.
    encryption: s3.BucketEncryption.S3_MANAGED,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    lifecycleRules: [{ expiration: Duration.days(365) }],
    removalPolicy: props.removalPolicy,
  });
  Validations.of(accessLogs).acknowledge({
    id: 'AwsSolutions-S1',
    reason: "This bucket receives the data bucket's server access logs; logging it too would only log the logging.",
  });
  return new s3.Bucket(scope, 'Bucket', {
    encryption: s3.BucketEncryption.KMS,
    encryptionKey: props.encryptionKey,
    bucketKeyEnabled: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    versioned: true,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    serverAccessLogsBucket: accessLogs,
    serverAccessLogsPrefix: 'data-bucket/',
    lifecycleRules: [
      { id: 'noncurrent-versions', noncurrentVersionExpiration: Duration.days(30) },
      { id: 'incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      { id: 'athena-results', prefix: ATHENA_RESULTS_PREFIX, expiration: Duration.days(30) },
      // Checkpoints and parts of runs that were abandoned; a finished run deletes its own. `_state/` never expires:
      // it tells the next run which snapshot to start from.
      { id: 'abandoned-work', prefix: `${props.prefix}/${WORK_PREFIX}/`, expiration: Duration.days(7) },
      // Changes from EventBridge: a daily snapshot supersedes them within a day; kept as long as Athena's projection offers them.
      {
        id: 'superseded-changes',
        prefix: `${props.prefix}/${TRAINING_JOB_CHANGE_SCHEMA.table}/`,
        expiration: Duration.days(CHANGE_RETENTION_DAYS),
      },
    ],
    removalPolicy: props.removalPolicy,
  });
}
