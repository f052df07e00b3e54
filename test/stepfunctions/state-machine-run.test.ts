import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalStore } from '../../lambda/core/publish/local-store';
import { SageMakerSimulator } from '../../simulator/server';
import { startSimulator, TEST_CREDENTIALS, type RunningSimulator } from '../support/local-simulator';
import { publishedRows } from '../support/target-run';
import { runLocally, type LambdaHandler, type TaskInvocation } from './local-state-machine';
import { synthesizedDefinition } from './state-machine-definition';

const CALLER = SageMakerSimulator.defaultAccountId;
const MEMBER = '210987654321';
const MEMBER_ROLE = `arn:aws:iam::${MEMBER}:role/SageMakerJobInventoryRead`;
const DAY_1 = '2026-11-01';
const DAY_2 = '2026-11-02';
/** A Lambda with 32 s left keeps 30 s back: each invocation gets a 2 s budget, so 60 jobs at 15 Describe/s take several. */
const SHORT_INVOCATION_MS = 32_000;

const { asl } = synthesizedDefinition({ regions: ['us-east-1', 'eu-west-1'], memberAccountRoleArns: [MEMBER_ROLE] });

interface LoadedFunction {
  readonly handler: LambdaHandler;
  /** Training-job objects published, by `<account>/<region>/<date>`. */
  readonly published: Map<string, number>;
  readonly output: string;
}

/** Loads the snapshot function as Lambda would (a cold start reading this environment), counting what its store publishes. */
function loadFunction(running: RunningSimulator, settings: Record<string, string>): LoadedFunction {
  const output = mkdtempSync(join(tmpdir(), 'state-machine-'));
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: running.endpoint,
    AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
    AWS_REGION: 'us-east-1',
    SM_INVENTORY_OUTPUT: output,
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
    ...settings,
  });
  const published = new Map<string, number>();
  let handler: LambdaHandler | undefined;
  jest.isolateModules(() => {
    /* eslint-disable @typescript-eslint/no-require-imports -- the function's own copy of its modules, as a cold start loads them */
    const store = require('../../lambda/core/publish/local-store') as typeof import('../../lambda/core/publish/local-store');
    const original = store.LocalStore.prototype.put;
    jest.spyOn(store.LocalStore.prototype, 'put').mockImplementation(function (this: LocalStore, key: string, body) {
      const object = /^sagemaker_training_job\/snapshot_date=([^/]+)\/region=([^/]+)\/(\d{12})\./.exec(key);
      if (object) {
        const [, date, region, account] = object;
        published.set(`${account}/${region}/${date}`, (published.get(`${account}/${region}/${date}`) ?? 0) + 1);
      }
      return original.call(this, key, body);
    });
    handler = (require('../../lambda/functions/snapshot/handler') as typeof import('../../lambda/functions/snapshot/handler'))
      .handler as LambdaHandler;
    /* eslint-enable @typescript-eslint/no-require-imports */
  });
  return { handler: handler!, published, output };
}

const collects = (invocations: readonly TaskInvocation[], region?: string) =>
  invocations.filter((i) => i.state === 'Collect' && (region === undefined || (i.payload.target as { region: string }).region === region));

describe('the snapshot state machine, run locally against the simulator', () => {
  let running: RunningSimulator;
  const saved = { ...process.env };
  afterEach(async () => {
    jest.restoreAllMocks();
    process.env = { ...saved };
    await running?.stop();
  });

  it('publishes every target once, each through several resumed invocations, with every job present once', async () => {
    // Prepare
    running = await startSimulator({
      accounts: [CALLER, MEMBER],
      regions: ['us-east-1', 'eu-west-1'],
      jobsPerRegion: 60,
      seed: 11,
      limits: { DescribeTrainingJob: 15 },
    });
    const fn = loadFunction(running, {
      SM_INVENTORY_REGIONS: 'us-east-1,eu-west-1',
      SM_INVENTORY_ROLE_ARNS: MEMBER_ROLE,
      SM_INVENTORY_INCLUDE_CALLER_ACCOUNT: 'true',
      SM_INVENTORY_LIMITS: 'ListTrainingJobs=50,DescribeTrainingJob=15,GetResources=50',
    });

    // Act
    const run = await runLocally(asl, fn.handler, { input: { snapshotDate: DAY_1 }, remainingMs: SHORT_INVOCATION_MS });

    // Assess
    expect(run.failure).toBeUndefined();
    expect(run.output).toMatchObject({ ok: true, targets: 4, succeeded: 4, failed: 0, jobsWritten: 240 });
    const targets = [CALLER, MEMBER].flatMap((accountId) => ['us-east-1', 'eu-west-1'].map((region) => ({ accountId, region })));
    for (const { accountId, region } of targets) {
      const invocations = collects(run.invocations).filter(
        (i) =>
          (i.payload.target as { accountId: string; region: string }).accountId === accountId &&
          (i.payload.target as { region: string }).region === region,
      );
      expect(invocations.length).toBeGreaterThanOrEqual(3);
      expect(invocations.slice(0, -1).every((i) => (i.answer as { status: string }).status === 'continuing')).toBe(true);
      expect(fn.published.get(`${accountId}/${region}/${DAY_1}`)).toBe(1);
      const rows = await publishedRows(new LocalStore(fn.output), accountId, region, DAY_1);
      // Sorted, with duplicates kept: each job exactly once.
      expect(rows.map((row) => row._key).sort()).toEqual(
        running.simulator.world
          .plans(accountId, region)
          .map((plan) => plan.arn)
          .sort(),
      );
    }
    // Every invocation of one execution held the leases as the same holder: the execution's name.
    expect(new Set(collects(run.invocations).map((i) => i.payload.holder)).size).toBe(1);
  });

  it('gives up a target whose API keeps failing, publishes the others, and ends in the Fail state naming it', async () => {
    // Prepare
    running = await startSimulator({ regions: ['us-east-1', 'eu-west-1'], jobsPerRegion: 20, seed: 12 });
    running.simulator.setFaults({ internalError: 1, onlyRegions: ['eu-west-1'] });
    const fn = loadFunction(running, {
      SM_INVENTORY_REGIONS: 'us-east-1,eu-west-1',
      SM_INVENTORY_LIMITS: 'ListTrainingJobs=50,DescribeTrainingJob=100,GetResources=50',
    });

    // Act
    const run = await runLocally(asl, fn.handler, { input: { snapshotDate: DAY_1 }, remainingMs: SHORT_INVOCATION_MS });

    // Assess
    expect(run.failure?.error).toBe('SnapshotTargetsFailed');
    expect(run.failure?.cause).toMatch(
      new RegExp(
        `^1 of 2 \\(account, region\\) snapshots written for ${DAY_1} \\(20 jobs\\); 1 failed: ${CALLER}/eu-west-1: no progress in 3 invocations in a row \\(0 jobs listed, 0 described\\): .*InternalFailure`,
      ),
    );
    expect(collects(run.invocations, 'eu-west-1')).toHaveLength(4);
    expect(fn.published.get(`${CALLER}/us-east-1/${DAY_1}`)).toBe(1);
    expect(fn.published.get(`${CALLER}/eu-west-1/${DAY_1}`)).toBeUndefined();
  });

  it('retries a throttled or timed-out invocation, and records a target whose task keeps failing without stopping the others', async () => {
    // Prepare
    running = await startSimulator({ regions: ['us-east-1', 'eu-west-1'], jobsPerRegion: 10, seed: 13 });
    const fn = loadFunction(running, {
      SM_INVENTORY_REGIONS: 'us-east-1,eu-west-1',
      SM_INVENTORY_LIMITS: 'ListTrainingJobs=50,DescribeTrainingJob=100,GetResources=50',
    });
    const lambdaError = (name: string) => Object.assign(new Error(`injected ${name}`), { name });
    let usEast = 0;
    const inject = (state: string, payload: Record<string, unknown>) => {
      if (state !== 'Collect') return undefined;
      if ((payload.target as { region: string }).region === 'eu-west-1') return lambdaError('Runtime.ExitError');
      usEast++;
      return usEast === 1 ? lambdaError('Lambda.TooManyRequestsException') : usEast === 2 ? lambdaError('States.Timeout') : undefined;
    };

    // Act
    const run = await runLocally(asl, fn.handler, { input: { snapshotDate: DAY_1 }, remainingMs: 120_000, inject });

    // Assess
    expect(collects(run.invocations, 'us-east-1').map((i) => i.error ?? (i.answer as { status: string }).status)).toEqual([
      'Lambda.TooManyRequestsException',
      'States.Timeout',
      'done',
    ]);
    expect(collects(run.invocations, 'eu-west-1').map((i) => i.error)).toEqual(['Runtime.ExitError']);
    expect(fn.published.get(`${CALLER}/us-east-1/${DAY_1}`)).toBe(1);
    expect(run.failure).toEqual({
      error: 'SnapshotTargetsFailed',
      cause: `1 of 2 (account, region) snapshots written for ${DAY_1} (10 jobs); 1 failed: ${CALLER}/eu-west-1: the collect task failed with Runtime.ExitError after its retries; the execution's history has the cause`,
    });
  });

  it('runs incrementally from the previous day, describes everything when the input asks for it, and rejects an input it does not know', async () => {
    // Prepare
    running = await startSimulator({ regions: ['us-east-1'], jobsPerRegion: 30, seed: 14, historyDays: 365 });
    const fn = loadFunction(running, {
      SM_INVENTORY_REGIONS: 'us-east-1',
      SM_INVENTORY_LIMITS: 'ListTrainingJobs=50,DescribeTrainingJob=100,GetResources=50',
    });
    const outcome = (invocations: readonly TaskInvocation[]) =>
      (collects(invocations).at(-1)!.answer as { outcome: { mode: string; jobsDescribed: number; jobsCarried: number } }).outcome;
    await runLocally(asl, fn.handler, { input: { snapshotDate: DAY_1 }, remainingMs: 120_000 });

    // Act
    const daily = await runLocally(asl, fn.handler, { input: { snapshotDate: DAY_2 }, remainingMs: 120_000 });
    const forced = await runLocally(asl, fn.handler, { input: { snapshotDate: DAY_2, full: true }, remainingMs: 120_000 });
    const mistyped = await runLocally(asl, fn.handler, { input: { snapshotDate: DAY_2, fullDescribe: true }, remainingMs: 120_000 });

    // Assess
    expect(outcome(daily.invocations)).toMatchObject({ mode: 'incremental', jobsCarried: expect.any(Number) });
    expect(outcome(daily.invocations).jobsCarried).toBeGreaterThan(0);
    expect(outcome(forced.invocations)).toMatchObject({ mode: 'full', jobsDescribed: 30, jobsCarried: 0 });
    expect(mistyped.failure).toEqual({
      error: 'ConfigError',
      cause: 'execution input event: key fullDescribe is true; allowed: only snapshotDate and full',
    });
    expect(collects(mistyped.invocations)).toEqual([]);
  });
});
