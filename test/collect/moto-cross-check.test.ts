import { CreateTrainingJobCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { createSourceClients } from '../../lambda/core/aws/clients';
import { TrainingJobCollector } from '../../lambda/core/collect/training-job-collector';
import { TrainingJobRowMapper } from '../../lambda/core/rows/training-job-row';
import { drain, TEST_CREDENTIALS } from '../support/local-simulator';
import { startMoto, type RunningMoto } from '../support/moto-server';

/** moto's default account: what its ARNs carry. */
const MOTO_ACCOUNT = '123456789012';

describe('the collector against an independent emulator (moto)', () => {
  let moto: RunningMoto;
  beforeAll(async () => {
    moto = await startMoto();
  }, 60_000);
  afterAll(async () => moto?.stop());

  it('returns every training job moto holds, with its tags, each one mappable to a row', async () => {
    // Prepare: jobs created through moto's own SageMaker API.
    const region = 'eu-central-1';
    const sagemaker = new SageMakerClient({ region, endpoint: moto.endpoint, credentials: TEST_CREDENTIALS });
    const created = new Map<string, Record<string, string>>();
    for (let i = 0; i < 130; i++) {
      const name = `moto-job-${String(i).padStart(3, '0')}`;
      const tags: Record<string, string> = i % 3 === 0 ? {} : { team: `team-${i % 4}`, project: 'cross-check' };
      await sagemaker.send(
        new CreateTrainingJobCommand({
          TrainingJobName: name,
          AlgorithmSpecification: { TrainingImage: '763104351884.dkr.ecr.eu-central-1.amazonaws.com/pytorch-training:2.3.0-gpu-py311', TrainingInputMode: 'File' },
          RoleArn: `arn:aws:iam::${MOTO_ACCOUNT}:role/SageMakerRole`,
          OutputDataConfig: { S3OutputPath: 's3://artifacts/out/' },
          ResourceConfig: { InstanceType: 'ml.m5.xlarge', InstanceCount: 1, VolumeSizeInGB: 30 },
          StoppingCondition: { MaxRuntimeInSeconds: 3600 },
          HyperParameters: { epochs: String(i) },
          Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
        }),
      );
      created.set(name, tags);
    }
    sagemaker.destroy();
    const clients = createSourceClients({ region, endpoint: moto.endpoint, credentials: TEST_CREDENTIALS, maxAttempts: 3 });
    // moto's Tagging API does not index SageMaker jobs, so tags come from ListTags here.
    const collector = new TrainingJobCollector({ ...clients, accountId: MOTO_ACCOUNT, region, tagStrategy: 'per-job', limits: { ListTrainingJobs: 100, DescribeTrainingJob: 200, ListTags: 200 } });

    // Act
    const records = await drain(collector.records());

    // Assess
    for (const client of Object.values(clients)) client.destroy();
    expect(new Map(records.map((r) => [r.job.TrainingJobName!, r.tags]))).toEqual(created);
    const mapper = new TrainingJobRowMapper();
    for (const record of records) {
      const { row } = mapper.map(record);
      expect(row.hyper_parameters).toEqual(new Map([['epochs', String(Number(record.job.TrainingJobName!.slice(-3)))]]));
    }
  });
});
