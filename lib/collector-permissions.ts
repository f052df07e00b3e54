import * as iam from 'aws-cdk-lib/aws-iam';
import { SOURCE_API_ACTIONS, SOURCE_OPERATIONS, TRAINING_JOB_SCOPED_OPERATIONS } from '../lambda/core/names';

/**
 * The statements that let the collector read training jobs in an account: exactly the actions of the
 * source APIs it calls, scoped to training jobs where IAM allows it. The main stack's role and the
 * member-account role are built from these, so the two cannot drift apart.
 */
export function collectorStatements(trainingJobArns: string): iam.PolicyStatement[] {
  const unscoped = SOURCE_OPERATIONS.filter((operation) => !TRAINING_JOB_SCOPED_OPERATIONS.includes(operation)).map(
    (operation) => SOURCE_API_ACTIONS[operation],
  );
  return [
    // ListTrainingJobs and tag:GetResources have no resource type in IAM: "*" is the only resource they accept.
    new iam.PolicyStatement({ sid: 'ListTrainingJobsAndTags', actions: unscoped, resources: ['*'] }),
    describeStatement(trainingJobArns),
  ];
}

/** DescribeTrainingJob and ListTags on the given training jobs: all the events function reads of a job it was told about. */
export function describeStatement(trainingJobArns: string): iam.PolicyStatement {
  const scoped = TRAINING_JOB_SCOPED_OPERATIONS.map((operation) => SOURCE_API_ACTIONS[operation]);
  return new iam.PolicyStatement({ sid: 'DescribeTrainingJobs', actions: scoped, resources: [trainingJobArns] });
}

export function memberRoleArnsStatement(roleArns: readonly string[]): iam.PolicyStatement {
  return new iam.PolicyStatement({ sid: 'AssumeMemberAccountRoles', actions: ['sts:AssumeRole'], resources: [...roleArns] });
}
