import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_TARGETS_PER_EXECUTION } from '../../lambda/functions/snapshot/resolve-step';
import { cut, outcomeOf, SKIPPED_IN_STATE, type TargetOutcome } from '../../lambda/functions/snapshot/step-events';
import { lambdaContext } from '../stepfunctions/local-state-machine';
import { startSimulator, TEST_CREDENTIALS } from '../support/local-simulator';

type HandlerModule = typeof import('../../lambda/functions/snapshot/handler');

/** A fresh copy of the function, as a cold start with this environment loads it. */
function loadHandler(env: Record<string, string>): HandlerModule['handler'] {
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIASTEPS',
    AWS_SECRET_ACCESS_KEY: 'steps',
    SM_INVENTORY_OUTPUT: mkdtempSync(join(tmpdir(), 'steps-')),
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    ...env,
  });
  let loaded: HandlerModule | undefined;
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a fresh copy per test is the point: it re-runs the cold start
    loaded = require('../../lambda/functions/snapshot/handler') as HandlerModule;
  });
  return loaded!.handler;
}

function outcome(overrides: Partial<TargetOutcome>): TargetOutcome {
  return {
    accountId: '123456789012',
    region: 'us-east-1',
    status: 'succeeded',
    mode: 'incremental',
    jobsWritten: 1000,
    jobsDescribed: 12,
    jobsCarried: 988,
    jobsNew: 5,
    jobsGone: 2,
    jobsSetAside: 0,
    jobsVanished: 0,
    bytesWritten: 4096,
    apiCalls: 40,
    throttles: 1,
    unknownApiFields: [],
    durationMs: 5000,
    ...overrides,
  };
}

describe("the snapshot function's steps", () => {
  const saved = { ...process.env };
  let output: string[];
  beforeEach(() => {
    output = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      output.push(String(chunk));
      return true;
    });
  });
  afterEach(() => {
    jest.restoreAllMocks();
    process.env = { ...saved };
  });
  const emf = () =>
    output
      .flatMap((chunk) => chunk.split('\n'))
      .filter((line) => line.includes('"_aws"'))
      .map((line) => JSON.parse(line));

  it('summarizes a run into its totals, then one metrics document per target with its mode, account and region', async () => {
    // Prepare
    const handler = loadHandler({});
    const outcomes = [
      outcome({}),
      outcome({ region: 'eu-west-1', mode: 'full', jobsWritten: 300, jobsDescribed: 300, jobsCarried: 0, jobsNew: 300, jobsGone: 0 }),
    ];

    // Act
    const summary = await handler(
      { step: 'summarize', snapshotDate: '2026-11-02', startedAt: Date.now() - 1000, outcomes, skipped: [] },
      lambdaContext(60_000),
    );

    // Assess
    expect(summary).toMatchObject({
      ok: true,
      targets: 2,
      succeeded: 2,
      failed: 0,
      jobsWritten: 1300,
      message: '2 of 2 (account, region) snapshots written for 2026-11-02 (1300 jobs)',
    });
    const [totals, ...perTarget] = emf();
    expect(totals).toMatchObject({
      JobsWritten: 1300,
      JobsDescribed: 312,
      JobsCarried: 988,
      JobsNew: 305,
      JobsGone: 2,
      JobsSetAside: 0,
      SnapshotsFull: 1,
      SnapshotsIncremental: 1,
      SnapshotsWritten: 2,
      SnapshotsFailed: 0,
      AccountsSkipped: 0,
    });
    expect(totals).not.toHaveProperty('Mode');
    expect(perTarget).toEqual([
      expect.objectContaining({ Mode: 'incremental', accountId: '123456789012', region: 'us-east-1', JobsDescribed: 12, JobsCarried: 988 }),
      expect.objectContaining({ Mode: 'full', accountId: '123456789012', region: 'eu-west-1', JobsDescribed: 300, JobsCarried: 0 }),
    ]);
  });

  it('counts a snapshot published without some jobs as incomplete, with the jobs set aside, for its alarm', async () => {
    // Prepare
    const handler = loadHandler({});
    const outcomes = [outcome({}), outcome({ region: 'eu-west-1', status: 'incomplete', jobsWritten: 97, jobsSetAside: 3 })];

    // Act
    await handler(
      { step: 'summarize', snapshotDate: '2026-11-02', startedAt: Date.now() - 1000, outcomes, skipped: [] },
      lambdaContext(60_000),
    );

    // Assess
    const [totals] = emf();
    expect(totals).toMatchObject({ SnapshotsIncomplete: 1, JobsSetAside: 3, SnapshotsWritten: 2, SnapshotsFailed: 0 });
  });

  it('fails the run when a target failed, or when there was nothing to snapshot, saying why', async () => {
    // Prepare
    const handler = loadHandler({});
    const caught = { accountId: '210987654321', region: 'us-east-1', status: 'failed', error: 'States.Timeout' };
    const skipped = [
      { accountId: '333344445555', roleArn: 'arn:aws:iam::333344445555:role/SageMakerJobInventoryRead', reason: 'cannot assume it' },
    ];

    // Act
    const failed = await handler(
      { step: 'summarize', snapshotDate: '2026-11-02', startedAt: Date.now(), outcomes: [outcome({}), caught], skipped },
      lambdaContext(60_000),
    );
    const empty = await handler(
      { step: 'summarize', snapshotDate: '2026-11-02', startedAt: Date.now(), outcomes: [], skipped },
      lambdaContext(60_000),
    );

    // Assess
    expect(failed).toMatchObject({
      ok: false,
      failed: 1,
      skippedAccounts: 1,
      message:
        '1 of 2 (account, region) snapshots written for 2026-11-02 (1000 jobs); 1 failed: 210987654321/us-east-1: the collect task failed with States.Timeout after its retries; ' +
        "the execution's history has the cause; 1 account(s) skipped: 333344445555",
    });
    expect(empty).toMatchObject({
      ok: false,
      targets: 0,
      message:
        'nothing was snapshotted for 2026-11-02: no (account, region) to snapshot; 1 account(s) skipped: 333344445555 (cannot assume it)',
    });
  });

  it("keeps the largest execution state it allows, every target failed with a long error, under Step Functions' 256 KiB", () => {
    // Prepare: the state after the Map, each target replaced by its outcome, as Summarize receives it.
    const long = 'x'.repeat(5000);
    const targets = Array.from({ length: MAX_TARGETS_PER_EXECUTION }, (_, i) => ({
      accountId: String(100000000000 + i),
      region: 'ap-southeast-2',
      roleArn: `arn:aws-us-gov:iam::${100000000000 + i}:role/SageMakerJobInventoryRead`,
    }));
    const outcomes = targets.map((target) =>
      outcomeOf({
        ...target,
        status: 'failed',
        mode: 'incremental',
        jobsWritten: 999_999_999,
        jobsDescribed: 999_999_999,
        jobsCarried: 999_999_999,
        jobsNew: 999_999_999,
        jobsGone: 999_999_999,
        setAside: [],
        bytesWritten: 999_999_999_999,
        unknownFields: { MlflowConfig: 1, SomeFutureField: 1, AnotherFutureField: 1 },
        durationMs: 999_999_999,
        error: long,
      }),
    );
    const skipped = Array.from({ length: 1000 }, (_, i) => ({
      accountId: String(200000000000 + i),
      roleArn: targets[0].roleArn,
      reason: long,
    }));
    const named = skipped.slice(0, SKIPPED_IN_STATE).map((account) => ({ ...account, reason: cut(account.reason) }));

    // Act
    const state = {
      snapshotDate: '2026-11-01',
      full: false,
      holder: 'h'.repeat(80),
      targets: outcomes,
      skipped: named,
      skippedCount: skipped.length,
      startedAt: Date.now(),
    };

    // Assess
    expect(Buffer.byteLength(JSON.stringify(state))).toBeLessThan(256 * 1024);
  });

  it.each([
    [{ step: 'publish' }, 'function event: step is "publish"; allowed: resolve, collect, summarize'],
    [
      { step: 'collect', target: { accountId: '1234', region: 'us-east-1' }, snapshotDate: '2026-11-01', full: false, holder: 'x' },
      'collect event: target.accountId is "1234"; allowed: a 12-digit account id',
    ],
    [
      { step: 'collect', target: { accountId: '123456789012', region: 'us-east-1' }, snapshotDate: '2026-11-01', full: 'yes', holder: 'x' },
      'collect event: full is "yes"; allowed: true or false',
    ],
    [
      { step: 'resolve', input: { snapshotDate: '2026-13-01' }, execution: 'x' },
      'snapshot date "2026-13-01" is not allowed; allowed: a calendar date as YYYY-MM-DD',
    ],
  ])('refuses the malformed event %j, naming the field and what is allowed', async (event, message) => {
    const handler = loadHandler({});
    await expect(handler(event as never, lambdaContext(60_000))).rejects.toThrow(message);
  });

  it('fails a step that is throttled to the end of its budget as TransientStepError, which the state machine retries by name', async () => {
    // Prepare: STS throttles every call.
    const running = await startSimulator({ jobsPerRegion: 1, faults: { throttle: 1 } });
    const handler = loadHandler({
      AWS_ENDPOINT_URL: running.endpoint,
      AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
    });

    // Act: 31 s left, less the 30 s kept back, leaves 1 s of retries.
    const attempt = handler({ step: 'resolve', input: {}, execution: 'exec-1' }, lambdaContext(31_000));

    // Assess
    await expect(attempt).rejects.toMatchObject({
      name: 'TransientStepError',
      message: expect.stringMatching(
        /^the resolve step met a passing failure and may be retried: cannot identify the caller's account with sts:GetCallerIdentity in us-east-1: Throttling/,
      ),
    });
    expect(running.simulator.stats().GetCallerIdentity.throttled).toBeGreaterThan(1);
    await running.stop();
  });
});
