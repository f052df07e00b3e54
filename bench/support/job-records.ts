import type { TrainingJobRecord } from '../../lambda/core/rows/training-job-row';
import { describeJobAt, TrainingJobGenerator } from '../../simulator/world/job-generator';

/**
 * A pool of realistic jobs (Describe responses of the simulator's generator), replayed under fresh names
 * (`<prefix>-<i>`) so the stream is as long as asked without holding it.
 */
export function* jobRecords(count: number, options: { prefix?: string; now?: number } = {}): Generator<TrainingJobRecord> {
  const now = options.now ?? Date.UTC(2026, 10, 1);
  const generator = new TrainingJobGenerator({ accountId: '123456789012', region: 'us-east-1', seed: 5 });
  const pool = Array.from({ length: 1000 }, (_, i) => generator.plan(now - i * 600_000)).map((plan) => ({
    job: describeJobAt(plan, now)!,
    tags: plan.tags,
  }));
  for (let i = 0; i < count; i++) {
    const { job, tags } = pool[i % pool.length];
    const name = `${options.prefix ?? 'bench-job'}-${i}`;
    yield {
      job: { ...job, TrainingJobName: name, TrainingJobArn: `arn:aws:sagemaker:us-east-1:123456789012:training-job/${name}` },
      tags,
      region: 'us-east-1',
    };
  }
}
