import type { DescribeTrainingJobResponse } from '@aws-sdk/client-sagemaker';
import type { TrainingJobRecord } from '../../lambda/core/rows/training-job-row';
import { describeJobAt, TrainingJobGenerator } from '../../simulator/world/job-generator';

export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';
const NOW = Date.UTC(2026, 10, 1, 12, 0, 0);

/** API field name → column name, written independently of the mapper: AutoMLJobArn → auto_ml_job_arn. */
export function snakeCase(field: string): string {
  return field
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();
}

/** A minimal job: only the members DescribeTrainingJob always returns. */
export function minimalJob(name = 'minimal-job'): DescribeTrainingJobResponse {
  return {
    TrainingJobName: name,
    TrainingJobArn: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:training-job/${name}`,
    TrainingJobStatus: 'InProgress',
    SecondaryStatus: 'Starting',
    CreationTime: new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 678)),
    ModelArtifacts: undefined,
    StoppingCondition: { MaxRuntimeInSeconds: 3600 },
    AlgorithmSpecification: undefined,
  };
}

/** A finished job on a heterogeneous cluster: no top-level InstanceType/InstanceCount, two groups of different types. */
export function heterogeneousClusterJob(name = 'heterogeneous-cluster'): DescribeTrainingJobResponse {
  return {
    ...minimalJob(name),
    TrainingJobStatus: 'Completed',
    SecondaryStatus: 'Completed',
    ResourceConfig: {
      VolumeSizeInGB: 100,
      InstanceGroups: [
        { InstanceGroupName: 'data-loaders', InstanceType: 'ml.c5.4xlarge', InstanceCount: 2 },
        { InstanceGroupName: 'trainers', InstanceType: 'ml.p4d.24xlarge', InstanceCount: 4 },
      ],
    },
    TrainingStartTime: new Date(Date.UTC(2026, 0, 2, 3, 10, 0)),
    TrainingEndTime: new Date(Date.UTC(2026, 0, 2, 5, 10, 0)),
    TrainingTimeInSeconds: 7200,
    BillableTimeInSeconds: 7200,
  };
}

/** A finished job placed by instance preference: SageMaker selected the second type, with that preference's own count. */
export function instancePreferenceJob(name = 'instance-preferences'): DescribeTrainingJobResponse {
  return {
    ...minimalJob(name),
    TrainingJobStatus: 'Completed',
    SecondaryStatus: 'Completed',
    ResourceConfig: {
      VolumeSizeInGB: 50,
      InstancePreferences: [
        { InstanceType: 'ml.g5.12xlarge', InstanceCount: 1 },
        { InstanceType: 'ml.g5.2xlarge', InstanceCount: 4 },
      ],
      SelectedInstanceType: 'ml.g5.2xlarge',
      SelectedInstanceCount: 4,
    },
    TrainingStartTime: new Date(Date.UTC(2026, 0, 2, 3, 10, 0)),
    TrainingEndTime: new Date(Date.UTC(2026, 0, 2, 3, 16, 39)),
    TrainingTimeInSeconds: 399,
    BillableTimeInSeconds: 399,
  };
}

/**
 * Fixture records covering every column, nulls, empty collections, unicode, large numbers, a
 * 1,000-entry map and each capacity shape, plus realistic generated jobs.
 */
export function fixtureRecords(): TrainingJobRecord[] {
  const generator = new TrainingJobGenerator({ accountId: ACCOUNT, region: REGION, seed: 99 });
  const generated = Array.from({ length: 300 }, (_, i) => generator.plan(NOW - (i + 1) * 3_600_000));
  const records: TrainingJobRecord[] = generated.map((plan) => ({ job: describeJobAt(plan, NOW)!, tags: plan.tags, region: REGION }));

  const empty: DescribeTrainingJobResponse = {
    ...minimalJob('empty-collections'),
    HyperParameters: {},
    Environment: {},
    InputDataConfig: [],
    FinalMetricDataList: [],
    SecondaryStatusTransitions: [],
    DebugRuleConfigurations: [],
    ExperimentConfig: {},
  };
  const huge: Record<string, string> = {};
  for (let i = 0; i < 1000; i++) huge[`param_${String(i).padStart(4, '0')}`] = `value-${i}-${'é'.repeat(i % 5)}`;
  const extremes: DescribeTrainingJobResponse = {
    ...minimalJob('extremes-unicode'),
    TrainingJobStatus: 'Failed',
    SecondaryStatus: 'Failed',
    FailureReason: 'AlgorithmError: 模型训练失败 — ошибка 🚀 "quoted" \\ backslash\nnew line',
    HyperParameters: huge,
    Environment: { EMPTY: '', UNICODE_ключ: 'значение ✓' },
    // The most seconds a job is believed to have run (100 years): past 32 bits, so it must stay an exact int64.
    TrainingTimeInSeconds: 3_153_600_000,
    BillableTimeInSeconds: 0,
    // The earliest time a job can have (SageMaker opened in 2017), to the millisecond.
    TrainingStartTime: new Date(Date.UTC(2017, 0, 1, 0, 0, 0, 1)),
    TrainingEndTime: new Date(Date.UTC(2099, 11, 31, 23, 59, 59, 999)),
    LastModifiedTime: new Date(Date.UTC(2026, 5, 30, 12, 0, 0, 0)),
    EnableManagedSpotTraining: false,
    EnableNetworkIsolation: true,
    EnableInterContainerTrafficEncryption: false,
    FinalMetricDataList: [{ MetricName: 'loss', Value: -1.5e-300, Timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, 5)) }],
  };
  records.push({ job: minimalJob(), tags: undefined, region: REGION });
  records.push({ job: empty, tags: {}, region: REGION });
  records.push({ job: extremes, tags: { team: 'vision', 'ünïcødé key': '値 🚀', empty: '' }, region: REGION });
  records.push({ job: heterogeneousClusterJob(), tags: { team: 'vision' }, region: REGION });
  records.push({ job: instancePreferenceJob(), tags: {}, region: REGION });
  return records;
}
