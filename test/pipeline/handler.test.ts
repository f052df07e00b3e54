import type { Context } from 'aws-lambda';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, TEST_CREDENTIALS, type RunningSimulator } from '../support/local-simulator';

type HandlerModule = typeof import('../../lambda/functions/snapshot/handler');

function lambdaContext(remainingMs = 300_000): Context {
  return {
    functionName: 'inventory',
    functionVersion: '1',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:inventory',
    memoryLimitInMB: '1024',
    awsRequestId: 'req-1',
    logGroupName: '/aws/lambda/inventory',
    logStreamName: 's',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => remainingMs,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** Loads the handler as Lambda would: a fresh module whose cold start reads this environment. */
function loadHandler(env: Record<string, string>): HandlerModule {
  Object.assign(process.env, env);
  let loaded: HandlerModule | undefined;
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a fresh copy per test is the point: it re-runs the cold start
    loaded = require('../../lambda/functions/snapshot/handler') as HandlerModule;
  });
  return loaded!;
}

describe('the Lambda handler', () => {
  let running: RunningSimulator;
  let output: string[];
  const saved = { ...process.env };

  beforeEach(() => {
    output = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      output.push(String(chunk));
      return true;
    });
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    process.env = { ...saved };
    await running?.stop();
  });

  const baseEnv = (out: string) => ({
    AWS_ENDPOINT_URL: running.endpoint,
    AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
    AWS_REGION: 'us-east-1',
    SM_INVENTORY_REGIONS: 'us-east-1,eu-west-1',
    SM_INVENTORY_OUTPUT: out,
    SM_INVENTORY_LIMITS: 'ListTrainingJobs=100,DescribeTrainingJob=500,GetResources=100',
  });

  it('writes one object per region for the event date and publishes EMF metrics', async () => {
    // Prepare
    running = await startSimulator({ regions: ['us-east-1', 'eu-west-1'], jobsPerRegion: 40 });
    const out = mkdtempSync(join(tmpdir(), 'lambda-'));
    const { handler } = loadHandler(baseEnv(out));

    // Act
    const result = await handler({ snapshotDate: '2026-10-31' }, lambdaContext());

    // Assess
    expect(result.jobsWritten).toBe(80);
    expect(result.objects.map((o) => o.slice(out.length)).sort()).toEqual([
      '/sagemaker_training_job/snapshot_date=2026-10-31/region=eu-west-1/123456789012.parquet',
      '/sagemaker_training_job/snapshot_date=2026-10-31/region=us-east-1/123456789012.parquet',
    ]);
    const emf = output.map((line) => line.trim()).filter((line) => line.includes('"_aws"')).map((line) => JSON.parse(line));
    const jobsWritten = emf.find((m) => 'JobsWritten' in m);
    expect(jobsWritten).toMatchObject({ JobsWritten: 80, SnapshotsWritten: 2, SnapshotsFailed: 0, service: 'sagemaker-job-inventory' });
    // Per-operation figures are single metrics (their own Operation dimension), one EMF document each.
    const describeCalls = Object.assign({}, ...emf.filter((m) => m.Operation === 'DescribeTrainingJob'));
    expect(describeCalls).toMatchObject({ ApiCalls: 80, Throttles: 0, Retries: 0 });
  });

  it('fails the invocation, naming the failed region, after publishing the regions that worked', async () => {
    // Prepare
    running = await startSimulator({ regions: ['us-east-1', 'eu-west-1'], jobsPerRegion: 10 });
    running.simulator.setFaults({ internalError: 1, onlyRegions: ['eu-west-1'] });
    const out = mkdtempSync(join(tmpdir(), 'lambda-'));
    const { handler } = loadHandler(baseEnv(out));

    // Act: 35 s left, less the 30 s kept for reporting, leaves a 5 s budget for the 5xx retries.
    const attempt = handler({ snapshotDate: '2026-10-31' }, lambdaContext(35_000));

    // Assess
    await expect(attempt).rejects.toThrow(
      /^1 of 2 \(account, region\) snapshots failed for 2026-10-31: 123456789012\/eu-west-1: TimeBudgetExhaustedError: the run's time budget ran out .*\((ListTrainingJobs|GetResources) failed in eu-west-1 .*still failing when the run's time budget ran out \(InternalFailure/,
    );
    expect(readdirSync(join(out, 'sagemaker_training_job', 'snapshot_date=2026-10-31'))).toEqual(['region=us-east-1']);
    const emf = output.filter((line) => line.includes('"_aws"')).map((line) => JSON.parse(line));
    expect(emf.find((m) => 'SnapshotsFailed' in m)).toMatchObject({ SnapshotsFailed: 1, SnapshotsWritten: 1, JobsWritten: 10 });
  });

  it('refuses to start with a bad setting, naming the variable and what is allowed', () => {
    expect(() => loadHandler({ AWS_REGION: 'us-east-1', SM_INVENTORY_OUTPUT: 's3://Bad_Bucket/x' })).toThrow(
      'SM_INVENTORY_OUTPUT: output root s3://Bad_Bucket/x has bucket name "Bad_Bucket"; allowed: 3-63 lower-case letters, digits, dots and hyphens',
    );
  });

  it('rejects an event date that is not a calendar date', async () => {
    running = await startSimulator({ jobsPerRegion: 1 });
    const { handler } = loadHandler(baseEnv(mkdtempSync(join(tmpdir(), 'lambda-'))));
    await expect(handler({ snapshotDate: '2026-02-30' }, lambdaContext())).rejects.toThrow(
      'snapshot date "2026-02-30" is not allowed; allowed: a calendar date as YYYY-MM-DD',
    );
  });
});
