import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { STATE_CHANGE_DETAIL_TYPE, STATE_CHANGE_SOURCE } from '../../lambda/core/events/state-change-event';
import { EVENTS_SERVICE_NAME, METRIC, METRICS_NAMESPACE, SERVICE_NAME } from '../../lambda/core/names';
import { readConfig } from '../../lambda/core/pipeline/config';
import { TRAINING_JOB_CHANGE_SCHEMA } from '../../lambda/core/schema/table-schema';
import { SageMakerTrainingJobInventory } from '../../lib/sagemaker-training-job-inventory';
import { testApp } from '../support/cdk-app';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- synthesized CloudFormation is untyped JSON
type Json = any;

type InventoryProps = ConstructorParameters<typeof SageMakerTrainingJobInventory>[2];

function synth(props: InventoryProps = { liveEvents: {} }) {
  const stack = new Stack(testApp(), 'S', { env: { account: '111122223333', region: 'us-east-1' } });
  const inventory = new SageMakerTrainingJobInventory(stack, 'I', props);
  return { stack, inventory, template: Template.fromStack(stack) };
}

/** The environment of the function with this Powertools service name. */
function environmentOf(template: Template, service: string): Record<string, string> {
  const functions = Object.values(template.findResources('AWS::Lambda::Function')).filter(
    (f: Json) => f.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === service,
  );
  expect(functions).toHaveLength(1);
  return (functions[0] as Json).Properties.Environment.Variables;
}

describe('the live path (liveEvents)', () => {
  const { stack, inventory, template } = synth();
  const live = inventory.liveEvents!;
  const ref = (construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as never);

  it('sends SageMaker training-job state changes on the default bus to the queue', () => {
    // Assess
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: [STATE_CHANGE_SOURCE], 'detail-type': [STATE_CHANGE_DETAIL_TYPE] },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [ref(live.queue), 'Arn'] } })],
    });
    expect(template.findResources('AWS::Events::Rule', { Properties: { EventBusName: Match.anyValue() } })).toEqual({});
  });

  it('lets only the rule send to the queue, and nothing reach it without TLS', () => {
    // Act
    const statements = Object.values(template.findResources('AWS::SQS::QueuePolicy'))
      .filter((p: Json) => JSON.stringify(p.Properties.Queues).includes(ref(live.queue)))
      .flatMap((p: Json) => p.Properties.PolicyDocument.Statement);

    // Assess
    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        expect.objectContaining({
          Effect: 'Allow',
          Action: ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'],
          Principal: { Service: 'events.amazonaws.com' },
          Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [ref(live.rule), 'Arn'] } } },
        }),
      ]),
    );
  });

  it('encrypts both queues, redrives to the dead-letter queue after five receives and keeps a visibility timeout of six function timeouts plus the window', () => {
    // Assess
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      VisibilityTimeout: 6 * 180 + 60,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [ref(live.deadLetterQueue), 'Arn'] }, maxReceiveCount: 5 },
    });
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 86_400 });
  });

  it('consumes the queue in batches of 100 gathered for a minute, at most two at once, reporting batch item failures', () => {
    // Assess
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [ref(live.queue), 'Arn'] },
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 60,
      ScalingConfig: { MaximumConcurrency: 2 },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it("gives the events function the snapshot's settings, its dead-letter queue, and a valid environment", () => {
    // Prepare
    const events = stack.resolve(environmentOf(template, EVENTS_SERVICE_NAME));
    const snapshot = stack.resolve(environmentOf(template, SERVICE_NAME));

    // Assess
    expect(events.SM_INVENTORY_DEAD_LETTER_QUEUE_URL).toEqual({ Ref: ref(live.deadLetterQueue) });
    for (const name of ['SM_INVENTORY_REGIONS', 'SM_INVENTORY_OUTPUT', 'SM_INVENTORY_ROLE_ARNS', 'SM_INVENTORY_KMS_KEY_ARN'])
      expect(events[name]).toEqual(snapshot[name]);
    const concrete = { ...events, SM_INVENTORY_DEAD_LETTER_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/111122223333/dlq' };
    expect(() =>
      readConfig({ ...concrete, SM_INVENTORY_OUTPUT: 's3://bucket/inventory', SM_INVENTORY_KMS_KEY_ARN: undefined }),
    ).not.toThrow();
  });

  it.each([
    [{}, '0.8', '0.1'],
    [{ collector: { rateShare: 0.5 }, liveEvents: { rateShare: 0.3, maxConcurrency: 3 } }, '0.35', '0.05'],
    [{ collector: { rateShare: 0.7 }, liveEvents: { rateShare: 0.2, maxConcurrency: 2 } }, '0.56', '0.07'],
  ])('with %j, runs the snapshot at rate share %s and each events batch at %s', (props: Json, snapshotShare, eventsShare) => {
    // Act
    const { template: t } = synth({ ...props, liveEvents: props.liveEvents ?? {} });

    // Assess
    expect(environmentOf(t, SERVICE_NAME).SM_INVENTORY_RATE_SHARE).toBe(snapshotShare);
    expect(environmentOf(t, EVENTS_SERVICE_NAME).SM_INVENTORY_RATE_SHARE).toBe(eventsShare);
  });

  it('never lets the snapshot and every concurrent events batch together exceed the collector rate share', () => {
    // Prepare
    const cases = [0.05, 0.2, 0.5, 0.95].flatMap((rateShare) =>
      [2, 3, 7, 10].flatMap((maxConcurrency) => [0.3, 0.7, 1].map((collector) => ({ rateShare, maxConcurrency, collector }))),
    );

    // Act
    const totals = cases.map(({ rateShare, maxConcurrency, collector }) => {
      const { template: t } = synth({ collector: { rateShare: collector }, liveEvents: { rateShare, maxConcurrency } });
      const snapshot = Number(environmentOf(t, SERVICE_NAME).SM_INVENTORY_RATE_SHARE);
      const events = Number(environmentOf(t, EVENTS_SERVICE_NAME).SM_INVENTORY_RATE_SHARE);
      return { collector, total: snapshot + maxConcurrency * events };
    });

    // Assess
    expect(totals.filter(({ collector, total }) => total > collector + 1e-12)).toEqual([]);
  });

  it('writes under the change table only, describes jobs and sends to its dead-letter queue', () => {
    // Prepare
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p: Json) =>
      p.Properties.Roles.some((r: Json) => r.Ref === ref(live.role)),
    );
    const statements = stack.resolve(policies.flatMap((p: Json) => p.Properties.PolicyDocument.Statement));
    const text = JSON.stringify(statements);

    // Assess
    expect(text).toContain(`/inventory/${TRAINING_JOB_CHANGE_SCHEMA.table}/*`);
    expect(text).toContain('sagemaker:DescribeTrainingJob');
    expect(text).toContain('sqs:SendMessage');
    expect(text).not.toContain('sagemaker:ListTrainingJobs');
    expect(text).not.toContain('s3:DeleteObject');
  });

  it('alarms on dead letters, an old message, function errors, refused and dead-lettered events', () => {
    // Act
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a: Json) => a.Properties);

    // Assess
    expect(live.alarms).toHaveLength(5);
    for (const name of [METRIC.EventsRefused, METRIC.EventsDeadLettered])
      expect(alarms).toContainEqual(
        expect.objectContaining({
          MetricName: name,
          Namespace: METRICS_NAMESPACE,
          Dimensions: [{ Name: 'service', Value: EVENTS_SERVICE_NAME }],
          Threshold: 1,
        }),
      );
    expect(JSON.stringify(alarms)).toContain(`IF(age >= ${6 * 180 + 60}, 1, 0)`);
  });

  it('exposes metrics under the events service dimension', () => {
    // Act
    const metric = live.metricEventsApplied();

    // Assess
    expect(metric.metricName).toBe(METRIC.EventsApplied);
    expect(metric.dimensions).toEqual({ service: EVENTS_SERVICE_NAME });
  });

  it('creates nothing of it without the prop', () => {
    // Act
    const { inventory: without, template: t } = synth({});

    // Assess
    expect(without.liveEvents).toBeUndefined();
    t.resourceCountIs('AWS::Events::Rule', 0);
    t.resourceCountIs('AWS::Lambda::EventSourceMapping', 0);
    expect(environmentOf(t, SERVICE_NAME).SM_INVENTORY_RATE_SHARE).toBeUndefined();
  });

  it.each([
    [{ rateShare: 0.99 }, 'liveEvents.rateShare is 0.99; allowed: a number from 0.05 to 0.95'],
    [{ maxConcurrency: 1 }, 'liveEvents.maxConcurrency is 1; allowed: a whole number from 2 to 20'],
    [{ batchSize: 20_000 }, 'liveEvents.batchSize is 20000; allowed: a whole number from 1 to 10000'],
    [{ maxBatchingWindow: Duration.minutes(6) }, 'liveEvents.maxBatchingWindow is "6 minutes"; allowed: 0 to 300 seconds'],
    [{ maxReceiveCount: 0 }, 'liveEvents.maxReceiveCount is 0; allowed: a whole number from 1 to 100'],
    [{ timeout: Duration.seconds(30) }, 'liveEvents.timeout is "30 seconds"; allowed: 1 to 15 minutes'],
    [{ memorySize: 128 }, 'liveEvents.memorySize is 128; allowed: a whole number from 256 to 10240'],
  ])('rejects %j, naming the construct, the prop and what is allowed', (liveEvents, message) => {
    // Act
    const attempt = () => synth({ liveEvents });

    // Assess
    expect(attempt).toThrow(`S/I: ${message}`);
  });

  it('rejects a split that leaves each events batch less than the least rate share, naming the values', () => {
    // Act
    const attempt = () => synth({ collector: { rateShare: 0.01 }, liveEvents: { rateShare: 0.05, maxConcurrency: 20 } });

    // Assess
    expect(attempt).toThrow(
      'S/I: liveEvents.rateShare 0.05 of collector.rateShare 0.01, over liveEvents.maxConcurrency 20 batches, gives each batch a rate share of 0.000025; allowed: at least 0.001',
    );
  });
});
