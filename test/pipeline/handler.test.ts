import type { Context } from 'aws-lambda';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, TEST_CREDENTIALS, type RunningSimulator } from '../support/local-simulator';
import { withoutGeneration } from '../support/object-names';

type HandlerModule = typeof import('../../lambda/functions/snapshot/handler');
type InventoryResult = import('../../lambda/functions/snapshot/handler').InventoryResult;

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

/** The environment the stack gives the function, pointed at a local simulator and warehouse folder. */
const baseEnv = (running: RunningSimulator, out: string) => ({
  AWS_ENDPOINT_URL: running.endpoint,
  AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
  AWS_REGION: 'us-east-1',
  SM_INVENTORY_REGIONS: 'us-east-1,eu-west-1',
  SM_INVENTORY_OUTPUT: out,
  SM_INVENTORY_LIMITS: 'ListTrainingJobs=100,DescribeTrainingJob=500,GetResources=100',
});

/** Keeps what the function prints (its logs and EMF metrics) instead of showing it. */
function captureStdout(): string[] {
  const output: string[] = [];
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    output.push(String(chunk));
    return true;
  });
  return output;
}

/** The EMF metric documents among what the function printed. */
const emfDocuments = (output: string[]) =>
  output
    .map((line) => line.trim())
    .filter((line) => line.includes('"_aws"'))
    .map((line) => JSON.parse(line));

/** One invocation per block: the simulator, the environment and the captured output live for the block's tests. */
function invokeOnce(
  options: Parameters<typeof startSimulator>[0],
  { remainingMs, faults }: { remainingMs?: number; faults?: Parameters<RunningSimulator['simulator']['setFaults']>[0] } = {},
) {
  const saved = { ...process.env };
  const invocation = { out: '', output: [] as string[], outcome: undefined as unknown as Promise<InventoryResult> };
  let running: RunningSimulator | undefined;

  beforeAll(async () => {
    running = await startSimulator(options);
    if (faults) running.simulator.setFaults(faults);
    invocation.out = mkdtempSync(join(tmpdir(), 'lambda-'));
    invocation.output = captureStdout();
    const { handler } = loadHandler(baseEnv(running, invocation.out));
    invocation.outcome = handler({ snapshotDate: '2026-10-31' }, lambdaContext(remainingMs));
    await invocation.outcome.catch(() => undefined);
    jest.restoreAllMocks();
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    process.env = { ...saved };
    await running?.stop();
  });
  return invocation;
}

describe('the Lambda handler, on a run where every region works', () => {
  const invocation = invokeOnce({ regions: ['us-east-1', 'eu-west-1'], jobsPerRegion: 40 });

  it('writes one object per region for the event date', async () => {
    // Act
    const result = await invocation.outcome;

    // Assess
    expect(result.jobsWritten).toBe(80);
    expect(result.objects.map((o) => withoutGeneration(o.slice(invocation.out.length))).sort()).toEqual([
      '/sagemaker_training_job/snapshot_date=2026-10-31/region=eu-west-1/123456789012.<generation>.parquet',
      '/sagemaker_training_job/snapshot_date=2026-10-31/region=us-east-1/123456789012.<generation>.parquet',
    ]);
  });

  it("publishes the run's figures as EMF metrics", () => {
    // Act
    const jobsWritten = emfDocuments(invocation.output).find((m) => 'JobsWritten' in m);

    // Assess
    expect(jobsWritten).toMatchObject({ JobsWritten: 80, SnapshotsWritten: 2, SnapshotsFailed: 0, service: 'sagemaker-job-inventory' });
  });

  it('publishes per-operation figures as single metrics, one EMF document each under its own Operation dimension', () => {
    // Act
    const describeCalls = Object.assign({}, ...emfDocuments(invocation.output).filter((m) => m.Operation === 'DescribeTrainingJob'));

    // Assess
    expect(describeCalls).toMatchObject({ ApiCalls: 80, Throttles: 0, Retries: 0 });
  });
});

describe('the Lambda handler, on a run where one region keeps failing', () => {
  // 35 s left, less the 30 s kept for reporting, leaves a 5 s budget for the 5xx retries.
  const invocation = invokeOnce(
    { regions: ['us-east-1', 'eu-west-1'], jobsPerRegion: 10 },
    { remainingMs: 35_000, faults: { internalError: 1, onlyRegions: ['eu-west-1'] } },
  );

  it('fails the invocation, naming the failed region and why', async () => {
    // Assess
    await expect(invocation.outcome).rejects.toThrow(
      /^1 of 2 \(account, region\) snapshots failed for 2026-10-31: 123456789012\/eu-west-1: the run's time budget ran out .*\((ListTrainingJobs|GetResources) failed in eu-west-1 .*still failing when the run's time budget ran out \(InternalFailure/,
    );
  });

  it('publishes the regions that worked', () => {
    // Assess
    expect(readdirSync(join(invocation.out, 'sagemaker_training_job', 'snapshot_date=2026-10-31'))).toEqual(['region=us-east-1']);
  });

  it('counts the failed and the written snapshots in its EMF metrics', () => {
    // Act
    const counts = emfDocuments(invocation.output).find((m) => 'SnapshotsFailed' in m);

    // Assess
    expect(counts).toMatchObject({ SnapshotsFailed: 1, SnapshotsWritten: 1, JobsWritten: 10 });
  });
});

describe('the Lambda handler, given bad input', () => {
  let running: RunningSimulator | undefined;
  const saved = { ...process.env };
  afterEach(async () => {
    process.env = { ...saved };
    await running?.stop();
  });

  it('refuses to start with a bad setting, naming the variable and what is allowed', () => {
    // Act
    const attempt = () => loadHandler({ AWS_REGION: 'us-east-1', SM_INVENTORY_OUTPUT: 's3://Bad_Bucket/x' });

    // Assess
    expect(attempt).toThrow(
      'SM_INVENTORY_OUTPUT: output root s3://Bad_Bucket/x has bucket name "Bad_Bucket"; allowed: 3-63 lower-case letters, digits, dots and hyphens',
    );
  });

  it('rejects an event date that is not a calendar date', async () => {
    // Prepare
    running = await startSimulator({ jobsPerRegion: 1 });
    const { handler } = loadHandler(baseEnv(running, mkdtempSync(join(tmpdir(), 'lambda-'))));

    // Act
    const attempt = handler({ snapshotDate: '2026-02-30' }, lambdaContext());

    // Assess
    await expect(attempt).rejects.toThrow('snapshot date "2026-02-30" is not allowed; allowed: a calendar date as YYYY-MM-DD');
  });
});
