import { Metrics } from '@aws-lambda-powertools/metrics';
import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../../lambda/core/names';
import { recordOperationMetrics, recordRunMetrics } from '../../lambda/functions/snapshot/run-metrics';
import type { TargetOutcome } from '../../lambda/functions/snapshot/step-events';
import { SageMakerTrainingJobInventory } from '../../lib/sagemaker-training-job-inventory';
import { testApp } from '../support/cdk-app';

interface EmfDocument {
  _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] };
  [key: string]: unknown;
}

/** One metric as CloudWatch stores it: namespace, name and the dimensions with their values. */
interface EmittedMetric {
  namespace: string;
  name: string;
  dimensions: Record<string, unknown>;
}

const OUTCOME: TargetOutcome = {
  accountId: '123456789012',
  region: 'us-east-1',
  status: 'incomplete',
  mode: 'incremental',
  jobsWritten: 10,
  jobsDescribed: 4,
  jobsCarried: 6,
  jobsNew: 1,
  jobsGone: 0,
  jobsSetAside: 1,
  jobsVanished: 0,
  bytesWritten: 2048,
  apiCalls: 12,
  throttles: 1,
  unknownApiFields: [],
  durationMs: 1500,
};

/** What the snapshot function emits for a run, as EMF documents on stdout, turned into the metrics CloudWatch stores. */
function emittedMetrics(): EmittedMetric[] {
  const output: string[] = [];
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    output.push(String(chunk));
    return true;
  });
  try {
    const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });
    recordRunMetrics(metrics, { targets: [OUTCOME], durationMs: 1500, skippedAccounts: 0 });
    recordOperationMetrics(metrics, [{ DescribeTrainingJob: { calls: 5, throttles: 1, errors: 0, retries: 1 } }]);
  } finally {
    write.mockRestore();
  }
  const documents = output.filter((line) => line.includes('"_aws"')).map((line) => JSON.parse(line) as EmfDocument);
  return documents.flatMap((document) =>
    document._aws.CloudWatchMetrics.flatMap((directive) =>
      directive.Metrics.map((metric) => ({
        namespace: directive.Namespace,
        name: metric.Name,
        dimensions: Object.fromEntries(directive.Dimensions.flat().map((key) => [key, document[key]])),
      })),
    ),
  );
}

const asEmitted = (metric: cloudwatch.Metric): EmittedMetric => ({
  namespace: metric.namespace,
  name: metric.metricName,
  dimensions: metric.dimensions ?? {},
});

describe("the construct's metric methods", () => {
  const inventory = new SageMakerTrainingJobInventory(new Stack(testApp(), 'S', { env: { region: 'us-east-1' } }), 'I');
  const emitted = emittedMetrics();

  it.each([
    ['metricSnapshotsWritten', inventory.metricSnapshotsWritten()],
    ['metricSnapshotsFailed', inventory.metricSnapshotsFailed()],
    ['metricSnapshotsIncomplete', inventory.metricSnapshotsIncomplete()],
    ['metricJobsWritten', inventory.metricJobsWritten()],
    ['metricRunDuration', inventory.metricRunDuration()],
    ['metric(JobsSetAside)', inventory.metric('JobsSetAside')],
    ["metricApiCalls('DescribeTrainingJob')", inventory.metricApiCalls('DescribeTrainingJob')],
    ["metricThrottles('DescribeTrainingJob')", inventory.metricThrottles('DescribeTrainingJob')],
    ["metricRetries('DescribeTrainingJob')", inventory.metricRetries('DescribeTrainingJob')],
  ])('%s names a metric the function emits, with its namespace and dimensions', (_method, metric) => {
    // Assess
    expect(emitted).toContainEqual(asEmitted(metric));
  });

  it('lets the caller choose the statistic and period', () => {
    // Act
    const metric = inventory.metricJobsWritten({ statistic: 'Average' });

    // Assess
    expect(metric.statistic).toBe('Average');
    expect(metric.period.toMinutes()).toBe(5);
  });
});

describe('the removalPolicy prop', () => {
  const synth = (removalPolicy?: RemovalPolicy) => {
    const stack = new Stack(testApp(), 'S', { env: { region: 'us-east-1' } });
    new SageMakerTrainingJobInventory(stack, 'I', { removalPolicy });
    return Template.fromStack(stack);
  };
  const deletionPolicies = (template: Template, type: string) =>
    Object.values(template.findResources(type)).map((resource) => (resource as { DeletionPolicy?: string }).DeletionPolicy);

  it('retains the key, the buckets and the log groups by default', () => {
    // Act
    const template = synth();

    // Assess
    for (const type of ['AWS::KMS::Key', 'AWS::S3::Bucket', 'AWS::Logs::LogGroup']) {
      expect(new Set(deletionPolicies(template, type))).toEqual(new Set(['Retain']));
    }
  });

  it('deletes them with the stack when told to', () => {
    // Act
    const template = synth(RemovalPolicy.DESTROY);

    // Assess
    for (const type of ['AWS::KMS::Key', 'AWS::S3::Bucket', 'AWS::Logs::LogGroup']) {
      expect(new Set(deletionPolicies(template, type))).toEqual(new Set(['Delete']));
    }
  });
});
