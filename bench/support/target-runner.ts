import { createSourceClients } from '../../lambda/core/aws/clients';
import type { OperationStats } from '../../lambda/core/collect/call-stats';
import type { ApiRateLimits } from '../../lambda/core/collect/rate-limited-sender';
import { advanceTarget, settingsFingerprintOf, type TargetResult } from '../../lambda/core/pipeline/target-run';
import type { WarehouseStore } from '../../lambda/core/publish/store';
import { DEFAULT_REDACTION } from '../../lambda/core/rows/redaction';
import { TrainingJobRowMapper } from '../../lambda/core/rows/training-job-row';
import { TRAINING_JOB_SCHEMA } from '../../lambda/core/schema/table-schema';
import { DEFAULT_GIVE_UP_LIMITS, DEFAULT_SHRINK_GUARD } from '../../lambda/core/pipeline/config';

export const BENCH_ACCOUNT = '123456789012';
export const BENCH_REGION = 'us-east-1';
export const BENCH_CREDENTIALS = { accessKeyId: 'AKIABENCH', secretAccessKey: 'bench' };

export interface TimedRun {
  readonly result: TargetResult;
  readonly wallS: number;
  readonly operations: Readonly<Record<string, OperationStats>>;
  readonly calls: number;
  /** From the moment every job is in (the `publishing` event) to the end of the run: the merge, the commit and the clean-up. */
  readonly mergePublishS: number;
}

/** One (account, region, date) snapshot in one unbounded invocation, as the pipeline runs it. */
export async function runTarget(options: {
  readonly endpoint: string;
  readonly store: WarehouseStore;
  readonly snapshotDate: string;
  readonly limits: ApiRateLimits;
  readonly full?: boolean;
  readonly concurrency?: number;
  /** Called when every job is in and the merge starts. */
  readonly onPublishing?: () => void;
}): Promise<TimedRun> {
  // The simulator builds a listing of every job on its first page; at 300,000 jobs on a loaded machine
  // that takes longer than the 10 s attempt deadline a real endpoint gets.
  const clients = createSourceClients({
    region: BENCH_REGION,
    endpoint: options.endpoint,
    credentials: BENCH_CREDENTIALS,
    attemptTimeoutMs: 120_000,
  });
  const started = performance.now();
  let publishStarted: number | undefined;
  try {
    const step = await advanceTarget(
      {
        store: options.store,
        clients,
        target: { accountId: BENCH_ACCOUNT, region: BENCH_REGION },
        snapshotDate: options.snapshotDate,
        schema: TRAINING_JOB_SCHEMA,
        config: {
          limits: options.limits,
          concurrency: options.concurrency ?? 8,
          tagStrategy: 'bulk',
          compression: 'zstd',
          rowGroupRows: 1000,
          fullEveryDays: 7,
          shrinkGuard: DEFAULT_SHRINK_GUARD,
          ...DEFAULT_GIVE_UP_LIMITS,
        },
        mapper: new TrainingJobRowMapper(),
        settingsFingerprint: settingsFingerprintOf(DEFAULT_REDACTION),
        holder: `bench-${options.snapshotDate}-${options.full ? 'full' : 'daily'}`,
        full: options.full,
        events: {
          publishing: () => {
            publishStarted = performance.now();
            options.onPublishing?.();
          },
        },
      },
      { softStopAt: Number.POSITIVE_INFINITY, deadline: Number.POSITIVE_INFINITY },
    );
    const ended = performance.now();
    const wallS = (ended - started) / 1000;
    const mergePublishS = (ended - (publishStarted ?? ended)) / 1000;
    if (step.status !== 'published') throw new Error(`the run did not publish: ${JSON.stringify(step)}`);
    const operations = step.result.collect!.operations;
    return { result: step.result, wallS, mergePublishS, operations, calls: Object.values(operations).reduce((sum, s) => sum + s.calls, 0) };
  } finally {
    for (const client of Object.values(clients)) client.destroy();
  }
}

/** The least time `operations`' calls can take at `limits`: each operation's calls over its rate, the slowest one (they run side by side). */
export function lowerBoundS(
  operations: Readonly<Record<string, OperationStats>>,
  limits: ApiRateLimits,
): { boundS: number; byOperation: string } {
  const perOperation = Object.entries(operations).map(
    ([operation, stats]) => [operation, stats.calls / limits[operation as keyof ApiRateLimits]] as const,
  );
  return {
    boundS: Math.max(...perOperation.map(([, seconds]) => seconds)),
    byOperation: perOperation.map(([operation, seconds]) => `${operation} ${seconds.toFixed(1)} s`).join(', '),
  };
}

export function scaledLimits(reference: Readonly<Record<string, number | undefined>>, scale: number): ApiRateLimits {
  return {
    ListTrainingJobs: reference.ListTrainingJobs! * scale,
    DescribeTrainingJob: reference.DescribeTrainingJob! * scale,
    ListTags: reference.ListTags! * scale,
    GetResources: reference.GetResources! * scale,
  };
}

export const callsOf = (operations: Readonly<Record<string, OperationStats>>) =>
  Object.entries(operations)
    .map(([operation, stats]) => `${operation} ${stats.calls}`)
    .join(', ');
