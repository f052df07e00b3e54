import { Aws, CfnCondition, CfnParameter, Duration, Fn, Stack, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { STATE_CHANGE_DETAIL_TYPE, STATE_CHANGE_SOURCE } from '../lambda/core/events/state-change-event';
import { ACCOUNT_ID_PATTERN, REGION_PATTERN } from '../lambda/core/names';
import { deadLettersAlarm } from './alarms';
import { acknowledgeDeadLetterQueue } from './function-parts';
import { stackSetSynthesizer } from './stack-set-template';

/** The inventory account's default event bus: the only target the forwarding rule accepts (a region code and an account id, as everywhere). */
export const INVENTORY_EVENT_BUS_ARN_PATTERN = `^arn:aws[a-z-]*:events:${inner(REGION_PATTERN)}:${inner(ACCOUNT_ID_PATTERN)}:event-bus/default$`;

/** A whole-value pattern without its anchors, to be part of a larger one. */
function inner(pattern: RegExp): string {
  return pattern.source.replace(/^\^/, '').replace(/\$$/, '');
}

/**
 * The CloudFormation template that forwards training-job state changes to the inventory account (synthesized by the
 * same app): a rule on this region's default event bus for SageMaker's `Training Job State Change` events, targeting
 * the inventory account's default bus through a role that may put events on that bus only, with a dead-letter queue
 * (and its alarm) for events EventBridge could not deliver after its retries.
 *
 * It is a stack of its own, not part of the member-account role stack, because IAM roles are global to an account
 * while rules are regional: the role stack is deployed once per account (its role has a fixed name, so a copy in a
 * second region would collide), this one once per (account, region) that runs training jobs, its role's name generated
 * per copy. Deploy it in the inventory account's other regions too; in the inventory bus's own account and region the
 * rule is left out (the inventory's rule reads that bus), so one StackSet can cover every account and region. Its
 * template needs no CDK bootstrap: StackSets can deploy it as it is synthesized.
 */
export class MemberAccountForwardingStack extends Stack {
  /** Forwards the state changes; not created in the inventory bus's own account and region. */
  readonly rule: events.Rule;
  /** Assumed by EventBridge to put the events on the inventory bus. */
  readonly role: iam.Role;
  /** Events EventBridge gave up on after 24 hours of retries (the inventory bus refused them or was unreachable). */
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, {
      description: "Forwards SageMaker training-job state changes to the inventory account's event bus (per account and region)",
      synthesizer: stackSetSynthesizer(),
      ...props,
    });
    const busArn = new CfnParameter(this, 'InventoryEventBusArn', {
      type: 'String',
      description:
        "ARN of the inventory account's default event bus in its home region (output InventoryEventBusArn of the inventory stack)",
      allowedPattern: INVENTORY_EVENT_BUS_ARN_PATTERN,
      constraintDescription: 'an event bus ARN such as arn:aws:events:us-east-1:111122223333:event-bus/default',
    });
    const bus = events.EventBus.fromEventBusArn(this, 'InventoryEventBus', busArn.valueAsString);
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.role = new iam.Role(this, 'ForwardRole', {
      // Only EventBridge acting for this account's own rules.
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': this.account } } }),
      description: "Lets EventBridge put SageMaker training-job state changes on the inventory account's event bus",
    });
    this.rule = new events.Rule(this, 'ForwardStateChanges', {
      description: "SageMaker training-job state changes, to the inventory account's event bus",
      eventPattern: { source: [STATE_CHANGE_SOURCE], detailType: [STATE_CHANGE_DETAIL_TYPE] },
      targets: [new targets.EventBus(bus, { role: this.role, deadLetterQueue: this.deadLetterQueue })],
    });
    deadLettersAlarm(
      this,
      'DeadLetters',
      this.deadLetterQueue,
      "A training-job state change could not be forwarded to the inventory account's event bus after EventBridge's retries (the bus policy does not admit this account, or the ARN is wrong). The message names the error; the next snapshot still records the job.",
    );
    this.leaveOutOnInventoryBus(busArn.valueAsString);
    acknowledgeDeadLetterQueue(this.deadLetterQueue, 'the forwarding rule');
  }

  /** In the bus's own account and region the rule would send every event back to the bus it reads: the rule is not created there. */
  private leaveOutOnInventoryBus(busArn: string): void {
    const [, , , region, account] = [0, 1, 2, 3, 4].map((index) => Fn.select(index, Fn.split(':', busArn)));
    const elsewhere = new CfnCondition(this, 'ForwardsToAnotherBus', {
      expression: Fn.conditionNot(Fn.conditionAnd(Fn.conditionEquals(region, Aws.REGION), Fn.conditionEquals(account, Aws.ACCOUNT_ID))),
    });
    (this.rule.node.defaultChild as events.CfnRule).cfnOptions.condition = elsewhere;
    // The queue's policy admits the rule by its ARN, so it exists only with the rule.
    (this.deadLetterQueue.node.findChild('Policy').node.defaultChild as sqs.CfnQueuePolicy).cfnOptions.condition = elsewhere;
  }
}
