import { Aws, CfnCondition, CfnOutput, CfnParameter, Fn, Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { MEMBER_ROLE_NAME } from '../lambda/core/names';
import { collectorStatements } from './collector-permissions';
import { stackSetSynthesizer } from './stack-set-template';

/**
 * The CloudFormation template member accounts deploy (synthesized by the same app): a read-only role
 * the inventory function's role may assume, with exactly the SageMaker and tagging reads it needs.
 * Deploy it with StackSets or per account; pass the inventory role ARN the main stack outputs.
 */
export class MemberAccountRoleStack extends Stack {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, {
      description: 'Read-only role for the SageMaker training-job inventory (member account)',
      synthesizer: stackSetSynthesizer(),
      ...props,
    });
    const inventoryRoleArn = new CfnParameter(this, 'InventoryRoleArn', {
      type: 'String',
      description: "ARN of the inventory function's role (output InventoryRoleArn of the inventory stack)",
      allowedPattern: '^arn:aws[a-z-]*:iam::\\d{12}:role/.+$',
    });
    const eventsRoleArn = new CfnParameter(this, 'InventoryEventsRoleArn', {
      type: 'String',
      default: '',
      description:
        "ARN of the inventory's events function role (output InventoryEventsRoleArn of the inventory stack, with liveEvents); empty when the inventory applies no state changes",
      allowedPattern: '^(arn:aws[a-z-]*:iam::\\d{12}:role/.+)?$',
    });
    const eventsRoleGiven = new CfnCondition(this, 'InventoryEventsRoleGiven', {
      expression: Fn.conditionNot(Fn.conditionEquals(eventsRoleArn.valueAsString, '')),
    });
    this.role = new iam.Role(this, 'ReadRole', {
      roleName: MEMBER_ROLE_NAME,
      // The events function describes the jobs of state changes as the snapshot does: the same reads, through this role.
      assumedBy: new iam.CompositePrincipal(
        new iam.ArnPrincipal(inventoryRoleArn.valueAsString),
        new iam.ArnPrincipal(Fn.conditionIf(eventsRoleGiven.logicalId, eventsRoleArn.valueAsString, Aws.NO_VALUE).toString()),
      ),
      description: 'Lets the SageMaker job inventory read training jobs and their tags',
      maxSessionDuration: undefined,
      inlinePolicies: {
        ReadTrainingJobs: new iam.PolicyDocument({
          statements: collectorStatements(
            this.formatArn({ service: 'sagemaker', region: '*', resource: 'training-job', resourceName: '*' }),
          ),
        }),
      },
    });
    new CfnOutput(this, 'ReadRoleArn', {
      value: this.role.roleArn,
      description: 'Give this ARN to the inventory stack (memberAccountRoleArns)',
    });
  }
}
