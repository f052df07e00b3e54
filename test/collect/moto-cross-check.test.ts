import { CreateTrainingJobCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { createSourceClients } from '../../lambda/core/aws/clients';
import { TEST_CREDENTIALS } from '../support/local-simulator';
import { startMoto, type RunningMoto } from '../support/moto-server';
import { publishedRows, runTargetOnce } from '../support/target-run';

/** moto's default account: what its ARNs carry. */
const MOTO_ACCOUNT = '123456789012';

describe('a snapshot of an independent emulator (moto)', () => {
  let moto: RunningMoto;
  beforeAll(async () => {
    moto = await startMoto();
  }, 60_000);
  afterAll(async () => moto?.stop());

  it('holds every training job moto holds, with its tags and hyperparameters', async () => {
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
          AlgorithmSpecification: {
            TrainingImage: '763104351884.dkr.ecr.eu-central-1.amazonaws.com/pytorch-training:2.3.0-gpu-py311',
            TrainingInputMode: 'File',
          },
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

    // Act: moto's Tagging API does not index SageMaker jobs, so tags come from ListTags here.
    const { step, store } = await runTargetOnce({ clients, accountId: MOTO_ACCOUNT, region, config: { tagStrategy: 'per-job' } });

    // Assess
    for (const client of Object.values(clients)) client.destroy();
    expect(step.status).toBe('published');
    const rows = await publishedRows(store, MOTO_ACCOUNT, region);
    expect(new Map(rows.map((row) => [row.training_job_name, Object.fromEntries(row.tags as Map<string, string>)]))).toEqual(created);
    for (const row of rows) {
      expect(row.hyper_parameters).toEqual(new Map([['epochs', String(Number(String(row.training_job_name).slice(-3)))]]));
    }
  });
});
