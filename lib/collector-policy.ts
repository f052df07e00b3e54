import { Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { STATE_PREFIX, WORK_PREFIX } from '../lambda/core/names';
import { INVENTORY_RUN_SCHEMA, TRAINING_JOB_LEDGER_SCHEMA, TRAINING_JOB_SCHEMA } from '../lambda/core/schema/table-schema';
import { collectorStatements, memberRoleArnsStatement } from './collector-permissions';
import { keyAndLogStatements } from './function-parts';
import { bucketArnInNagFinding } from './nag-names';

export interface CollectorPolicyProps {
  readonly role: iam.IRole;
  readonly bucket: s3.IBucket;
  readonly encryptionKey: kms.IKey;
  readonly logGroup: logs.ILogGroup;
  /** The warehouse prefix in the bucket. */
  readonly prefix: string;
  /** The key prefixes of the tables the snapshot function writes (training jobs, run records). */
  readonly snapshotTablePrefixes: readonly string[];
  readonly memberRoleArns: readonly string[];
  /** The role assumed in each organization account; undefined when the organization is not snapshotted. */
  readonly organizationRoleName?: string;
}

/**
 * The snapshot function's policy: read training jobs (here, in member roles and organization roles), write
 * snapshots and run records under their tables only, keep its work area and run state, use the key, write
 * its own logs. Each wildcard cdk-nag finds is acknowledged with its reason.
 */
export function collectorPolicy(scope: Construct, id: string, props: CollectorPolicyProps): iam.Policy {
  const stack = Stack.of(scope);
  const trainingJobs = stack.formatArn({ service: 'sagemaker', region: '*', resource: 'training-job', resourceName: '*' });
  const policy = new iam.Policy(scope, id, {
    statements: [...collectorStatements(trainingJobs), ...storageStatements(props), ...assumeStatements(scope, props)],
  });
  policy.attachToRole(props.role);
  for (const [resource, reason] of Object.entries(wildcardReasons(scope, props))) {
    Validations.of(policy).acknowledge({ id: `AwsSolutions-IAM5[Resource::${resource}]`, reason });
  }
  return policy;
}

function storageStatements({
  bucket,
  prefix,
  snapshotTablePrefixes,
  encryptionKey,
  logGroup,
}: CollectorPolicyProps): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      sid: 'WriteSnapshots',
      actions: ['s3:PutObject', 's3:AbortMultipartUpload'],
      // The snapshot objects and, after each, its run record; prices are the price function's to write.
      resources: snapshotTablePrefixes.map((p) => bucket.arnForObjects(`${p}/*`)),
    }),
    new iam.PolicyStatement({
      sid: 'WorkArea',
      // Leases (conditional writes), checkpoints, progress and parts of resumable runs, deleted after the publish.
      actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:DeleteObject'],
      resources: [bucket.arnForObjects(`${prefix}/${WORK_PREFIX}/*`)],
    }),
    // After its run record commits a new snapshot and ledger object (each under a name of its own), a run
    // removes the ones they supersede and what an uncommitted attempt left; run records are only ever replaced.
    new iam.PolicyStatement({
      sid: 'RetireSupersededObjects',
      actions: ['s3:DeleteObject'],
      resources: [TRAINING_JOB_SCHEMA.table, TRAINING_JOB_LEDGER_SCHEMA.table].map((table) => bucket.arnForObjects(`${prefix}/${table}/*`)),
    }),
    // Which object the latest snapshot of each (account, region) is: read and replaced, never deleted.
    new iam.PolicyStatement({
      sid: 'RunState',
      actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'],
      resources: [bucket.arnForObjects(`${prefix}/${STATE_PREFIX}/*`)],
    }),
    // An incremental run reads the previous snapshot to carry its unchanged rows, and the run record of a date
    // to learn which objects it commits.
    new iam.PolicyStatement({
      sid: 'ReadCommittedSnapshots',
      actions: ['s3:GetObject'],
      resources: [TRAINING_JOB_SCHEMA.table, INVENTORY_RUN_SCHEMA.table].map((table) => bucket.arnForObjects(`${prefix}/${table}/*`)),
    }),
    new iam.PolicyStatement({
      sid: 'MissingObjectsAreNotFound',
      // Without ListBucket, S3 answers a missing key (no state, no checkpoint, no lease yet) with 403, not 404.
      actions: ['s3:ListBucket'],
      resources: [bucket.bucketArn],
    }),
    ...keyAndLogStatements('EncryptSnapshots', encryptionKey, logGroup),
  ];
}

/** AssumeRole on the member roles, and on the organization's role in each of its accounts (and listing them). */
export function assumeStatements(
  scope: Construct,
  { memberRoleArns, organizationRoleName }: Pick<CollectorPolicyProps, 'memberRoleArns' | 'organizationRoleName'>,
): iam.PolicyStatement[] {
  const stack = Stack.of(scope);
  const statements: iam.PolicyStatement[] = [];
  if (memberRoleArns.length > 0) statements.push(memberRoleArnsStatement(memberRoleArns));
  if (organizationRoleName) {
    statements.push(
      new iam.PolicyStatement({ sid: 'ListOrganizationAccounts', actions: ['organizations:ListAccounts'], resources: ['*'] }),
      new iam.PolicyStatement({
        sid: 'AssumeOrganizationRoles',
        actions: ['sts:AssumeRole'],
        resources: [stack.formatArn({ service: 'iam', region: '', account: '*', resource: 'role', resourceName: organizationRoleName })],
        // Only roles in accounts of this organization.
        conditions: { StringEquals: { 'aws:ResourceOrgID': '${aws:PrincipalOrgID}' } },
      }),
    );
  }
  return statements;
}

/**
 * Why a function that reads training jobs needs its wildcards (every job of the account, the organization's role
 * in accounts listed at run time), keyed as cdk-nag names the resource.
 */
export function sourceWildcardReasons(stack: Stack, organizationRoleName: string | undefined): Record<string, string> {
  // cdk-nag names the account as the stack's env gives it: a token, or the account id itself.
  const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
  return {
    [`arn:<AWS::Partition>:sagemaker:*:${account}:training-job/*`]:
      'Every training job of the account in each configured region may be described; their names are not known in advance.',
    ...(organizationRoleName && {
      '*': 'organizations:ListAccounts does not support resource-level permissions.',
      [`arn:<AWS::Partition>:iam::*:role/${organizationRoleName}`]:
        "The organization's accounts are listed at run time; the role of this one name is assumable only in accounts of this organization (aws:ResourceOrgID).",
    }),
  };
}

/** Why each wildcard resource cdk-nag reports is needed, keyed as cdk-nag names the resource. */
function wildcardReasons(scope: Construct, props: CollectorPolicyProps): Record<string, string> {
  const stack = Stack.of(scope);
  const { organizationRoleName, prefix } = props;
  const reasons: Record<string, string> = {
    ...sourceWildcardReasons(stack, organizationRoleName),
    '*': `sagemaker:ListTrainingJobs and tag:GetResources${organizationRoleName ? ' (and organizations:ListAccounts)' : ''} do not support resource-level permissions.`,
  };
  const bucketInFinding = bucketArnInNagFinding(props.bucket);
  if (bucketInFinding) {
    for (const tablePrefix of props.snapshotTablePrefixes) {
      reasons[`${bucketInFinding}/${tablePrefix}/*`] =
        "Objects are written under each table's prefix only; their keys carry the date, region and account. The training-job table's previous snapshots are read back by incremental runs.";
    }
    reasons[`${bucketInFinding}/${prefix}/${WORK_PREFIX}/*`] =
      'The work area of resumable runs: one folder per (table, date, region, account), with a lease, a checkpoint, progress and parts.';
    reasons[`${bucketInFinding}/${prefix}/${STATE_PREFIX}/*`] =
      'One small object per (table, region, account) naming its latest snapshot, read by the next run.';
  }
  return reasons;
}
