import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/** One alarm of the inventory: what it watches and what it means to the operator who gets it. */
export interface InventoryAlarmProps {
  /** What went wrong and where to look; the notification shows it. */
  readonly description: string;
  readonly metric: cloudwatch.IMetric;
  /**
   * `atLeastOnce`: alarm when the metric reaches 1 in one period (a failure happened); missing data is fine.
   * `noneInTwoPeriods`: alarm when it stays below 1 for two periods (something expected did not happen);
   * missing data is what that looks like.
   * @default 'atLeastOnce'
   */
  readonly when?: 'atLeastOnce' | 'noneInTwoPeriods';
}

/** Every alarm of the inventory is one of two shapes; this builds them, notifying `topic` when given. */
export function inventoryAlarm(scope: Construct, id: string, props: InventoryAlarmProps, topic?: sns.ITopic): cloudwatch.Alarm {
  const missing = props.when === 'noneInTwoPeriods';
  const alarm = new cloudwatch.Alarm(scope, id, {
    alarmDescription: props.description,
    metric: props.metric,
    threshold: 1,
    evaluationPeriods: missing ? 2 : 1,
    comparisonOperator: missing
      ? cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD
      : cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: missing ? cloudwatch.TreatMissingData.BREACHING : cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  if (topic) {
    alarm.addAlarmAction(new cloudwatchActions.SnsAction(topic));
    alarm.addOkAction(new cloudwatchActions.SnsAction(topic));
  }
  return alarm;
}

/** The period every "it happened" alarm counts over. */
export const ALARM_PERIOD = Duration.minutes(5);

/** Alarms when `fn` fails at least once in five minutes. */
export function functionErrorsAlarm(scope: Construct, id: string, fn: lambda.IFunction, description: string, topic?: sns.ITopic) {
  return inventoryAlarm(scope, id, { description, metric: fn.metricErrors({ period: ALARM_PERIOD, statistic: 'Sum' }) }, topic);
}

/** Alarms when a schedule's dead-letter queue holds a message: an invocation was given up after its retries. */
export function deadLettersAlarm(scope: Construct, id: string, queue: sqs.IQueue, description: string, topic?: sns.ITopic) {
  const metric = queue.metricApproximateNumberOfMessagesVisible({ period: ALARM_PERIOD, statistic: 'Maximum' });
  return inventoryAlarm(scope, id, { description, metric }, topic);
}
