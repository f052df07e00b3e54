import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, truncateSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalStore } from '../../lambda/core/publish/local-store';
import { S3Store } from '../../lambda/core/publish/s3-store';
import { createS3Client } from '../../lambda/core/aws/clients';
import { RunBudget } from '../../lambda/core/aws/retry-strategy';
import { PublishError } from '../../lambda/core/errors';
import { OWNER_FILE, SCRATCH_PREFIX } from '../../lambda/core/process/scratch-folder';
import { OPERATIONS } from '../../simulator/operations';
import { SageMakerSimulator, type SimulatedOperation } from '../../simulator/server';
import { runCli as runCliChild } from '../support/cli';
import { runCliInProcess, withoutProgressLines } from '../support/cli-in-process';
import { mismatches, readWarehouse } from '../support/compare';
import { withDuckDb } from '../support/duckdb';
import { S3_ACCESS_DENIED, S3_INTERNAL_ERROR, startFaultProxy, type FaultProxy } from '../support/fault-proxy';
import { LocalWarehouse } from '../../cli/warehouse/local-warehouse';
import { startSimulator, TEST_CREDENTIALS, type RunningSimulator } from '../support/local-simulator';
import { createTestBucket, downloadBucket, listKeys, useMotoS3 } from '../support/moto-server';

const ACCOUNT = SageMakerSimulator.defaultAccountId;
const MEMBER = '210987654321';
const MEMBER_ROLE = `arn:aws:iam::${MEMBER}:role/SageMakerJobInventoryRead`;
const REGIONS = ['us-east-1', 'eu-west-1'];
const BEFORE = '2026-11-01';
const AFTER = '2026-11-02';
const FAST = 'ListTrainingJobs=500,DescribeTrainingJob=1000,ListTags=1000,GetResources=500';

/** Resolves once `count` leases have been taken in a local warehouse (the CLI runs in this process). */
function leasesAcquired(count: number): Promise<void> {
  const acquire = LocalStore.prototype.acquireLease;
  let taken = 0;
  return new Promise((resolve) => {
    const spy = jest.spyOn(LocalStore.prototype, 'acquireLease').mockImplementation(async function (this: LocalStore, ...args) {
      const lease = await acquire.apply(this, args);
      if (lease && ++taken === count) {
        spy.mockRestore();
        resolve();
      }
      return lease;
    });
  });
}

/** The training-job object of AFTER in a request path (the SDK percent-encodes the key's '='). */
const SNAPSHOT_OF_AFTER = /sagemaker_training_job\/snapshot_date(=|%3D)2026-11-02\//;

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** Every table object and run record under a local warehouse, with its hash (the work area and state are the pipeline's own). */
function tableFiles(root: string): Map<string, string> {
  if (!existsSync(root)) return new Map();
  return new Map(
    readdirSync(root, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile() && entry.name.endsWith('.parquet'))
      .map((entry) => join(entry.parentPath, entry.name))
      .filter((path) => !path.slice(root.length).startsWith('/_'))
      .map((path) => [path.slice(root.length + 1), sha256(path)]),
  );
}

function filesOf(files: Map<string, string>, date: string): string[] {
  return [...files.keys()].filter((key) => key.includes(`snapshot_date=${date}/`)).sort();
}

async function expectGroundTruth(
  root: string,
  running: RunningSimulator,
  date: string,
  accounts: string[],
  regions = REGIONS,
): Promise<void> {
  const rows = await withDuckDb((db) => readWarehouse(db, `${root}/sagemaker_training_job/snapshot_date=${date}/*/*.parquet`));
  const world = running.simulator.world;
  const plans = accounts.flatMap((account) => regions.flatMap((region) => world.plans(account, region)));
  expect([...rows.keys()].sort()).toEqual(plans.map((p) => `${date}|${p.arn}`).sort());
  expect(plans.flatMap((plan) => mismatches(rows.get(`${date}|${plan.arn}`)!, world.describe(plan), plan.tags))).toEqual([]);
}

/**
 * Each case: a complete snapshot for BEFORE, then a run for AFTER under one fault. The faulty run
 * publishes, per target, either a complete and correct snapshot or nothing, and says why with a
 * non-zero exit; BEFORE stays byte-identical; a rerun without the fault publishes AFTER correctly.
 */
describe('the fault matrix (local warehouse)', () => {
  let running: RunningSimulator;
  let root: string;
  let before: Map<string, string>;
  afterEach(async () => running?.stop());

  const env = (extra: Record<string, string> = {}) => ({
    AWS_ENDPOINT_URL: running.endpoint,
    AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: '',
    ...extra,
  });
  const args = (date: string, extra: string[] = []) => [
    'snapshot',
    '--regions',
    REGIONS.join(','),
    '--out',
    root,
    '--date',
    date,
    '--limits',
    FAST,
    '--full',
    ...extra,
  ];

  async function prepare(options: Parameters<typeof startSimulator>[0] = {}, extra: string[] = []): Promise<void> {
    running = await startSimulator({ regions: REGIONS, jobsPerRegion: 40, seed: 61, accounts: [ACCOUNT, MEMBER], ...options });
    root = mkdtempSync(join(tmpdir(), 'fault-'));
    const first = await runCliInProcess(args(BEFORE, extra), env());
    expect(first.code).toBe(0);
    before = tableFiles(root);
  }

  /**
   * Runs the CLI for AFTER as a child process, slowed down, and sends it `signal` at its 30th Describe: in the
   * middle of collection; `describes` counts the Describes the simulator has answered since, the rerun's
   * included. The case sets the latency back once the run is over.
   */
  function signalMidCollection(signal: NodeJS.Signals): { run: ReturnType<typeof runCliChild>; describes: () => number } {
    running.simulator.setLatency([20, 40]);
    const run = runCliChild(args(AFTER), env());
    let describes = 0;
    running.simulator.onCall((operation) => {
      if (operation === 'DescribeTrainingJob' && ++describes === 30) run.child.kill(signal);
    });
    return { run, describes: () => describes };
  }

  async function expectRecovered(accounts = [ACCOUNT], extra: string[] = []): Promise<void> {
    running.simulator.setFaults({});
    const rerun = await runCliInProcess(args(AFTER, extra), env());
    expect({ code: rerun.code, stderr: withoutProgressLines(rerun.stderr) }).toEqual({ code: 0, stderr: '' });
    await expectGroundTruth(root, running, AFTER, accounts);
    expect(filesOf(tableFiles(root), BEFORE).map((key) => [key, tableFiles(root).get(key)])).toEqual(
      filesOf(before, BEFORE).map((key) => [key, before.get(key)]),
    );
  }

  function expectNothingPublishedFor(date: string, where: string[]): void {
    const published = filesOf(tableFiles(root), date);
    for (const target of where) expect(published.filter((key) => key.includes(target))).toEqual([]);
  }

  it.each<[string, SimulatedOperation]>([
    ['ListTrainingJobs', 'ListTrainingJobs'],
    ['DescribeTrainingJob', 'DescribeTrainingJob'],
    ['GetResources (tags in bulk)', 'GetResources'],
  ])(
    'a throttling storm on %s that outlasts the budget publishes nothing, says "still throttled", and a rerun succeeds',
    async (_name, operation) => {
      // Prepare
      await prepare();
      running.simulator.setFaults({ throttle: 1, onlyOperations: [operation] });

      // Act
      const faulty = await runCliInProcess(args(AFTER), env({ SM_INVENTORY_TIME_BUDGET: '3' }));

      // Assess
      expect(faulty.code).toBe(2);
      expect(faulty.stdout).toMatch(
        new RegExp(`FAILED {2}${ACCOUNT}/us-east-1: the run's time budget ran out .*${operation}.*still throttled`, 's'),
      );
      expectNothingPublishedFor(AFTER, ['region=us-east-1', 'region=eu-west-1']);
      await expectRecovered();
    },
  );

  it('a throttling storm on STS GetCallerIdentity is retried: the run completes and is correct', async () => {
    // Prepare
    await prepare();
    running.simulator.setFaults({ throttle: 0.6, onlyOperations: ['GetCallerIdentity'] });

    // Act
    const run = await runCliInProcess(args(AFTER), env());

    // Assess
    expect(run.code).toBe(0);
    expect(running.simulator.stats().GetCallerIdentity.throttled).toBeGreaterThan(0);
    await expectGroundTruth(root, running, AFTER, [ACCOUNT]);
  });

  it('STS GetCallerIdentity throttled past the budget stops the run before anything is collected, naming the call', async () => {
    // Prepare
    await prepare();
    running.simulator.setFaults({ throttle: 1, onlyOperations: ['GetCallerIdentity'] });

    // Act
    const faulty = await runCliInProcess(args(AFTER), env({ SM_INVENTORY_TIME_BUDGET: '3' }));

    // Assess
    expect(faulty.code).toBe(1);
    expect(faulty.stderr).toMatch(/cannot identify the caller's account with sts:GetCallerIdentity in us-east-1: .*Throttling/);
    expectNothingPublishedFor(AFTER, ['sagemaker']);
    await expectRecovered();
  });

  it("AssumeRole throttled past the budget fails that member account only; the caller's account is published", async () => {
    // Prepare
    await prepare({}, ['--role-arn', MEMBER_ROLE, '--include-caller-account']);
    running.simulator.setFaults({ throttle: 1, onlyOperations: ['AssumeRole'] });

    // Act
    const faulty = await runCliInProcess(
      args(AFTER, ['--role-arn', MEMBER_ROLE, '--include-caller-account']),
      env({ SM_INVENTORY_TIME_BUDGET: '4' }),
    );

    // Assess
    expect(faulty.code).toBe(2);
    expect(faulty.stdout).toMatch(new RegExp(`FAILED {2}${MEMBER}/us-east-1: .*Throttling`));
    expectNothingPublishedFor(AFTER, [`${MEMBER}.parquet`]);
    await expectGroundTruth(root, running, AFTER, [ACCOUNT]);
    await expectRecovered([ACCOUNT, MEMBER], ['--role-arn', MEMBER_ROLE, '--include-caller-account']);
  });

  it('5xx bursts and reset connections are retried: the run completes and is correct', async () => {
    // Prepare
    await prepare();
    running.simulator.setFaults({ internalError: 0.15, unavailable: 0.1, connectionReset: 0.1 });

    // Act
    const run = await runCliInProcess(args(AFTER), env());

    // Assess
    expect(run.code).toBe(0);
    const stats = Object.values(running.simulator.stats());
    expect(stats.reduce((sum, op) => sum + op.faulted, 0)).toBeGreaterThan(10);
    await expectGroundTruth(root, running, AFTER, [ACCOUNT]);
  });

  /** The timed-out attempts the run reported as they happened, per region, for `operation`. */
  function timedOutAttempts(stderr: string, operation: string): Record<string, number[]> {
    const attempts: Record<string, number[]> = {};
    for (const [, attempt, region] of stderr.matchAll(
      new RegExp(`warning: ${operation} attempt (\\d+) of at most \\d+ in ([a-z0-9-]+) timed out`, 'g'),
    ))
      (attempts[region] ??= []).push(Number(attempt));
    return attempts;
  }

  it('an endpoint that accepts connections and never answers costs the attempts allowed, each reported as it times out', async () => {
    // Prepare
    await prepare();
    const silent = await silentServer();

    // Act
    const faulty = await runCliInProcess(
      args(AFTER),
      env({ AWS_ENDPOINT_URL_SAGEMAKER: silent.endpoint, SM_INVENTORY_REQUEST_TIMEOUT: '1', SM_INVENTORY_MAX_ATTEMPTS: '2' }),
    );
    await silent.stop();

    // Assess
    expect(faulty.code).toBe(2);
    expect(faulty.stdout).toMatch(
      /FAILED {2}123456789012\/us-east-1: ListTrainingJobs failed in us-east-1 for account 123456789012: TimeoutError \(ETIMEDOUT\): no complete answer from 127\.0\.0\.1\/ within 1 s \(the attempt's deadline\) after 2 attempts/,
    );
    expect(timedOutAttempts(faulty.stderr, 'ListTrainingJobs')).toEqual({ 'us-east-1': [1, 2], 'eu-west-1': [1, 2] });
    expect(silent.connections()).toBe(4);
    expectNothingPublishedFor(AFTER, ['sagemaker']);
    await expectRecovered();
  });

  it('an endpoint that never answers fails within the default attempts (6 of 10 s each), saying so at each attempt', async () => {
    // Prepare
    await prepare();
    const silent = await silentServer();

    // Act
    const faulty = await runCliInProcess(args(AFTER), env({ AWS_ENDPOINT_URL_SAGEMAKER: silent.endpoint }));
    await silent.stop();

    // Assess
    expect(faulty.code).toBe(2);
    for (const region of REGIONS)
      expect(faulty.stdout).toMatch(
        new RegExp(
          `FAILED {2}${ACCOUNT}/${region}: ListTrainingJobs failed in ${region} for account ${ACCOUNT}: TimeoutError \\(ETIMEDOUT\\): no complete answer from 127\\.0\\.0\\.1/ within 10 s \\(the attempt's deadline\\) after 6 attempts`,
        ),
      );
    expect(timedOutAttempts(faulty.stderr, 'ListTrainingJobs')).toEqual({
      'us-east-1': [1, 2, 3, 4, 5, 6],
      'eu-west-1': [1, 2, 3, 4, 5, 6],
    });
    expectNothingPublishedFor(AFTER, ['sagemaker']);
    await expectRecovered();
  }, 180_000);

  it('a body trickling one byte every half second fails each attempt at its deadline; nothing is published and a rerun succeeds', async () => {
    // Prepare
    await prepare();
    running.simulator.setFaults({ trickle: 1, trickleIntervalMs: 500, onlyOperations: ['ListTrainingJobs'] });

    // Act
    const faulty = await runCliInProcess(args(AFTER), env({ SM_INVENTORY_REQUEST_TIMEOUT: '2', SM_INVENTORY_MAX_ATTEMPTS: '2' }));

    // Assess
    expect(faulty.code).toBe(2);
    for (const region of REGIONS)
      expect(faulty.stdout).toContain(
        `FAILED  ${ACCOUNT}/${region}: ListTrainingJobs failed in ${region} for account ${ACCOUNT}: TimeoutError (ETIMEDOUT): no complete answer from 127.0.0.1/ within 2 s (the attempt's deadline) after 2 attempts`,
      );
    expect(timedOutAttempts(faulty.stderr, 'ListTrainingJobs')).toEqual({ 'us-east-1': [1, 2], 'eu-west-1': [1, 2] });
    expectNothingPublishedFor(AFTER, ['sagemaker']);
    await expectRecovered();
    // Every trickled answer was cut off by the client before its last byte: none was waited for to the end.
    expect(running.simulator.stats().ListTrainingJobs.cutOff).toBe(4);
  });

  it('answers that stall past the deadline end the run at the deadline, with progress saved, and the rerun continues', async () => {
    // Prepare
    await prepare();
    running.simulator.setFaults({ slowResponse: 1, slowResponseMs: 20_000, onlyOperations: ['DescribeTrainingJob'] });
    running.simulator.resetStats();

    // Act
    const faulty = await runCliInProcess(args(AFTER), env({ SM_INVENTORY_TIME_BUDGET: '3' }));

    // Assess
    expect(faulty.code).toBe(2);
    expect(faulty.stdout).toMatch(
      /FAILED {2}123456789012\/us-east-1: the run's time budget ran out in us-east-1 .* the progress is saved under /,
    );
    // The run ended before any stalled answer came: none was waited for.
    expect(running.simulator.stats().DescribeTrainingJob.accepted).toBe(0);
    expectNothingPublishedFor(AFTER, ['sagemaker']);
    await expectRecovered();
  });

  it('a run with no successful call for the stall period gives up with the cause, long before its time budget', async () => {
    // Prepare
    await prepare();
    running.simulator.setFaults({ throttle: 1, onlyOperations: ['DescribeTrainingJob'] });

    // Act
    const faulty = await runCliInProcess(args(AFTER, ['--stall-period', '2']), env());

    // Assess
    expect(faulty.code).toBe(2);
    for (const region of REGIONS)
      expect(faulty.stdout).toMatch(
        new RegExp(
          `FAILED {2}${ACCOUNT}/${region}: no call succeeded in ${region} for account ${ACCOUNT} for 2 s \\(the stall period, SM_INVENTORY_STALL_PERIOD\\), so it gave up before the time budget; the last failure: DescribeTrainingJob: ThrottlingException`,
        ),
      );
    expectNothingPublishedFor(AFTER, ['sagemaker']);
    await expectRecovered();
  });

  it('a job that stays throttled is set aside after its own cap and named; the rest of its region is published, and a rerun picks it up', async () => {
    // Prepare
    await prepare();
    const victim = running.simulator.world.plans(ACCOUNT, 'us-east-1')[7];
    let throttled = true;
    running.simulator.onCall((operation, input) => {
      if (throttled && operation === 'DescribeTrainingJob' && input.TrainingJobName === victim.name)
        throw OPERATIONS.DescribeTrainingJob.throttlingError();
    });

    // Act
    const faulty = await runCliInProcess(args(AFTER, ['--job-throttle-attempts', '3']), env());

    // Assess
    expect(faulty.code).toBe(2);
    expect(faulty.stdout).toContain(
      `set aside: ${victim.arn}: DescribeTrainingJob kept failing: DescribeTrainingJob was throttled 3 times for this call while it succeeded for others: ThrottlingException`,
    );
    expect(faulty.stderr).toContain(
      `error: 1 (account, region) snapshot(s) published without some jobs: ${ACCOUNT}/us-east-1 (1 set aside)`,
    );
    const published = await withDuckDb((db) => readWarehouse(db, `${root}/sagemaker_training_job/snapshot_date=${AFTER}/*/*.parquet`));
    const others = REGIONS.flatMap((region) => running.simulator.world.plans(ACCOUNT, region)).filter((plan) => plan.arn !== victim.arn);
    expect(
      others.flatMap((plan) => mismatches(published.get(`${AFTER}|${plan.arn}`)!, running.simulator.world.describe(plan), plan.tags)),
    ).toEqual([]);
    throttled = false;
    await expectRecovered();
  });

  it('one region failing leaves the others published and correct', async () => {
    // Prepare
    await prepare();
    running.simulator.setFaults({ internalError: 1, onlyRegions: ['eu-west-1'] });

    // Act
    const faulty = await runCliInProcess(args(AFTER), env({ SM_INVENTORY_TIME_BUDGET: '3' }));

    // Assess
    expect(faulty.code).toBe(2);
    expect(faulty.stdout).toMatch(/FAILED {2}123456789012\/eu-west-1: .*InternalFailure/);
    expectNothingPublishedFor(AFTER, ['region=eu-west-1']);
    await expectGroundTruth(root, running, AFTER, [ACCOUNT], ['us-east-1']);
    await expectRecovered();
  });

  it('two runs of the same date at once: the second is refused for each target while the first completes', async () => {
    // Prepare
    await prepare();
    // Slow enough that the first run still holds its leases when the second asks for them.
    running.simulator.setLatency([150, 200]);
    const leasesTaken = leasesAcquired(REGIONS.length);

    // Act
    const first = runCliInProcess(args(AFTER), env());
    await Promise.race([
      leasesTaken,
      first.then(() => Promise.reject(new Error('the first run ended before it held a lease for every region'))),
    ]);
    const second = await runCliInProcess(args(AFTER), env());
    const firstResult = await first;

    // Assess
    expect(second.code).toBe(2);
    expect(second.stdout).toMatch(
      /FAILED {2}123456789012\/us-east-1: another run of 123456789012\/us-east-1 for 2026-11-02 holds .*lease\.json; this run was refused/,
    );
    expect(firstResult.code).toBe(0);
    running.simulator.setLatency([0, 0]);
    await expectGroundTruth(root, running, AFTER, [ACCOUNT]);
  });

  it('a corrupt previous snapshot makes the next run describe everything, with a warning saying why', async () => {
    // Prepare
    await prepare();
    const [committed] = [...tableFiles(root).keys()].filter((key) =>
      key.startsWith(`sagemaker_training_job/snapshot_date=${BEFORE}/region=us-east-1/${ACCOUNT}.`),
    );
    truncateSync(join(root, committed), 64);

    // Act
    const run = await runCliInProcess(
      args(AFTER).filter((arg) => arg !== '--full'),
      env(),
    );

    // Assess
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(
      /warning: the previous snapshot .*snapshot_date=2026-11-01\/region=us-east-1\/123456789012\.\S+\.parquet cannot be used: .*not a readable Parquet file.*; describing every job instead/,
    );
    expect(run.stdout).toMatch(/123456789012\/us-east-1: .*\n\s+full: 40 described/);
    await expectGroundTruth(root, running, AFTER, [ACCOUNT]);
  });

  it('endless empty tag pages fail the tag scan after three pages, not at the budget; nothing is published and a rerun succeeds', async () => {
    // Prepare
    await prepare();
    running.simulator.answerBadly({ kind: 'endless-empty-pages', operation: 'GetResources' });

    // Act
    const faulty = await runCliInProcess(args(AFTER), env());

    // Assess
    expect(faulty.code).toBe(2);
    for (const region of REGIONS)
      expect(faulty.stdout).toContain(
        `FAILED  ${ACCOUNT}/${region}: GetResources returned 3 pages in a row with no tagged resource it had not already returned, each with a new token, in ${region} for account ${ACCOUNT}; the listing cannot be trusted`,
      );
    expect(running.simulator.stats().GetResources.accepted).toBeLessThan(20);
    expectNothingPublishedFor(AFTER, ['sagemaker']);
    running.simulator.answerBadly(undefined);
    await expectRecovered();
  });

  it('SIGKILL in the middle of collection leaves no partial object; the rerun removes its lease and scratch folder at once and continues', async () => {
    // Prepare
    await prepare();
    const { run } = signalMidCollection('SIGKILL');

    // Act
    const killed = await run.done;

    // Assess
    expect(killed.signal).toBe('SIGKILL');
    expectNothingPublishedFor(AFTER, ['sagemaker']);
    expect(scratchFoldersOf(run.child.pid!).length).toBeGreaterThan(0);
    expect(workFiles(root, 'lease.json').length).toBeGreaterThan(0);
    running.simulator.setLatency([0, 0]);
    await expectRecovered();
    expect(scratchFoldersOf(run.child.pid!)).toEqual([]);
    expect(workFiles(root, 'lease.json')).toEqual([]);
  });

  it('SIGTERM in the middle of collection cancels the calls, saves the progress, releases the leases, says how to resume and exits 143; the rerun completes the date from there', async () => {
    // Prepare
    await prepare();
    const { run, describes } = signalMidCollection('SIGTERM');

    // Act
    const stopped = await run.done;

    // Assess
    expect(stopped.code).toBe(143);
    expect(stopped.stderr).toContain('SIGTERM: stopping; cancelling the calls in flight and saving progress');
    expect(stopped.stderr).toMatch(
      new RegExp(
        `stopped by SIGTERM: .*\\nNot published: .*; their progress is saved and their locks released\\. To continue where it stopped, run the same command with --date ${AFTER}\\.`,
      ),
    );
    expectNothingPublishedFor(AFTER, ['sagemaker']);
    expect(workFiles(root, 'lease.json')).toEqual([]);
    expect(workFiles(root, 'checkpoint.json').length).toBeGreaterThan(0);
    expect(scratchFoldersOf(run.child.pid!)).toEqual([]);
    const describedBefore = describes();
    running.simulator.setLatency([0, 0]);
    await expectRecovered();
    expect(describes() - describedBefore).toBeLessThan(REGIONS.length * 40);
  });
});

/** Files named `name` in a local warehouse's work area (its leases, its checkpoints). */
function workFiles(root: string, name: string): string[] {
  const work = join(root, '_work');
  if (!existsSync(work)) return [];
  return readdirSync(work, { recursive: true })
    .map(String)
    .filter((path) => path.endsWith(`/${name}`));
}

/**
 * The scratch folders in TMPDIR whose owner file names the process `pid`. Another test process may be
 * writing its own owner file at that moment: one that does not parse yet names no process.
 */
function scratchFoldersOf(pid: number): string[] {
  return readdirSync(tmpdir())
    .filter((entry) => entry.startsWith(SCRATCH_PREFIX) && existsSync(join(tmpdir(), entry, OWNER_FILE)))
    .filter((entry) => ownerPidOf(join(tmpdir(), entry, OWNER_FILE)) === pid);
}

function ownerPidOf(ownerFile: string): number | undefined {
  try {
    return (JSON.parse(readFileSync(ownerFile, 'utf8')) as { pid: number }).pid;
  } catch {
    return undefined;
  }
}

describe('the fault matrix (S3, through a proxy in front of the moto server)', () => {
  const local = useMotoS3();
  let running: RunningSimulator;
  afterEach(async () => running?.stop());

  /** 7 MiB in 1 MiB chunks: two multipart parts, so a fault can land on the middle of an upload. */
  async function* sevenMiB(): AsyncIterable<Uint8Array> {
    for (let i = 0; i < 7; i++) yield Buffer.alloc(1024 * 1024, 48 + i);
  }

  async function storeThrough(proxy: string, bucket: string): Promise<S3Store> {
    const budget = new RunBudget();
    budget.deadline = Date.now() + 3000;
    const client = createS3Client({ region: 'us-east-1', endpoint: proxy, credentials: TEST_CREDENTIALS, forcePathStyle: true, budget });
    return new S3Store({ client, bucket, prefix: 'inventory' });
  }

  it.each([
    ['a middle part (UploadPart 2) keeps failing', (method: string, url: string) => method === 'PUT' && /partNumber=2&/.test(url)],
    ['CompleteMultipartUpload keeps failing', (method: string, url: string) => method === 'POST' && /uploadId=/.test(url)],
  ])('when %s, the upload is aborted: nothing new is visible and the earlier object is byte-identical', async (_case, failing) => {
    // Prepare
    const bucket = await createTestBucket(local.s3, 'fault');
    const direct = new S3Store({ client: local.s3, bucket, prefix: 'inventory' });
    await direct.put(
      'table/object.parquet',
      (async function* () {
        yield Buffer.from('earlier object');
      })(),
    );
    const proxy = await startFaultProxy(local.moto.endpoint, (req) => (failing(req.method!, req.url!) ? S3_INTERNAL_ERROR : 'pass'));
    const store = await storeThrough(proxy.endpoint, bucket);

    // Act
    const attempt = store.put('table/object.parquet', sevenMiB());

    // Assess
    await expect(attempt).rejects.toThrow(PublishError);
    await expect(attempt).rejects.toThrow(
      /uploading s3:\/\/.*\/inventory\/table\/object\.parquet failed; the upload was aborted and the previous object, if any, is unchanged/,
    );
    expect(new TextDecoder().decode(await direct.get('table/object.parquet'))).toBe('earlier object');
    expect(proxy.seen.some((line) => line.startsWith('DELETE') && line.includes('uploadId='))).toBe(true);
    await proxy.stop();
  });

  it('a snapshot whose PutObject is refused publishes nothing for it, exits 2 naming S3, and a rerun succeeds', async () => {
    // Prepare
    running = await startSimulator({ regions: ['us-east-1'], jobsPerRegion: 30, seed: 3 });
    const bucket = await createTestBucket(local.s3, 'fault-cli');
    let refuse = true;
    const proxy = await startFaultProxy(local.moto.endpoint, (req) =>
      refuse && req.method === 'PUT' && SNAPSHOT_OF_AFTER.test(req.url!) ? S3_ACCESS_DENIED : 'pass',
    );
    const cli = s3Cli(proxy, bucket);
    expect((await cli(BEFORE)).code).toBe(0);
    const earlier = await listKeys(local.s3, bucket);

    // Act
    const faulty = await cli(AFTER);

    // Assess
    expect(faulty.code).toBe(2);
    expect(faulty.stdout).toMatch(/FAILED {2}123456789012\/us-east-1: .*AccessDenied/);
    expect((await listKeys(local.s3, bucket)).filter((key) => key.includes('snapshot_date=2026-11-02'))).toEqual([]);
    expect((await listKeys(local.s3, bucket)).filter((key) => key.includes('snapshot_date=2026-11-01'))).toEqual(
      earlier.filter((key) => key.includes('snapshot_date=2026-11-01')),
    );
    refuse = false;
    expect((await cli(AFTER)).code).toBe(0);
    const rows = await withDuckDb(async (db) =>
      readWarehouse(db, `${await downloadBucket(local.s3, bucket)}/inventory/sagemaker_training_job/snapshot_date=2026-11-02/*/*.parquet`),
    );
    expect(rows.size).toBe(30);
    await proxy.stop();
  });

  /** What Athena shows of a warehouse on S3, read through the shipped views by DuckDB over a copy: current and the run table. */
  async function visible(bucket: string): Promise<{ current: readonly unknown[]; runs: readonly unknown[] }> {
    const warehouse = await LocalWarehouse.open(join(await downloadBucket(local.s3, bucket), 'inventory'));
    try {
      const current = await warehouse.query(
        'SELECT _key, training_job_status, snapshot_date FROM sagemaker_training_job_current ORDER BY _key',
      );
      const runs = await warehouse.query('SELECT * EXCLUDE ("$path") FROM sagemaker_inventory_run ORDER BY snapshot_date, region');
      return { current: current.rows, runs: runs.rows };
    } finally {
      warehouse.close();
    }
  }

  /** Every table object (the work area and state aside) with the hash of its bytes. */
  async function tableObjects(bucket: string): Promise<[string, string][]> {
    const root = await downloadBucket(local.s3, bucket);
    return (await listKeys(local.s3, bucket)).filter((key) => !key.startsWith('inventory/_')).map((key) => [key, sha256(join(root, key))]);
  }

  /** The CLI against the simulator, its S3 through `proxy`. */
  /** The CLI's environment for a snapshot to S3 through `proxy` (the credentials aside: a child process gets its own). */
  function s3CliEnv(proxy: FaultProxy) {
    return {
      AWS_ENDPOINT_URL: running.endpoint,
      AWS_ENDPOINT_URL_S3: proxy.endpoint,
      AWS_REGION: 'us-east-1',
      SM_INVENTORY_S3_FORCE_PATH_STYLE: 'true',
    };
  }

  function s3SnapshotArgs(bucket: string, date: string): string[] {
    return ['snapshot', '--regions', 'us-east-1', '--out', `s3://${bucket}/inventory`, '--date', date, '--limits', FAST];
  }

  function s3Cli(proxy: FaultProxy, bucket: string) {
    const env = {
      ...s3CliEnv(proxy),
      AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
    };
    return (date: string) => runCliInProcess(s3SnapshotArgs(bucket, date), env);
  }

  it.each([
    ['the run record', (url: string) => /\/sagemaker_inventory_run\/snapshot_date(=|%3D)2026-11-01\//.test(url)],
    ['the state', (url: string) => url.includes('/_state/')],
    ['the ledger object', (url: string) => /\/sagemaker_training_job_ledger\/snapshot_date(=|%3D)2026-11-01\//.test(url)],
  ])(
    'a re-run of a date whose write of %s fails commits nothing: current, the run table and every object stay byte-identical, the CLI says so, and a rerun succeeds',
    async (_step, failing) => {
      // Prepare: a committed first run of the date, then 15 more jobs for the re-run to find.
      running = await startSimulator({ regions: ['us-east-1'], jobsPerRegion: 30, seed: 3 });
      const bucket = await createTestBucket(local.s3, 'fault-commit');
      let refuse = false;
      const proxy = await startFaultProxy(local.moto.endpoint, (req) =>
        refuse && req.method === 'PUT' && failing(req.url!) ? S3_ACCESS_DENIED : 'pass',
      );
      const cli = s3Cli(proxy, bucket);
      expect((await cli(BEFORE)).code).toBe(0);
      running.simulator.world.advance(3_600_000, { newJobsPerDay: 360 });
      const [objects, shown] = [await tableObjects(bucket), await visible(bucket)];
      refuse = true;

      // Act
      const faulty = await cli(BEFORE);

      // Assess
      expect(faulty.code).toBe(2);
      expect(faulty.stdout).toMatch(
        /FAILED {2}123456789012\/us-east-1: .*AccessDenied.*; nothing of 123456789012\/us-east-1 on 2026-11-01 was committed: current, the run table and the ledger show what they showed before\n {10}unchanged: Athena and current show 123456789012\/us-east-1 as before this run/,
      );
      expect(faulty.stdout).toMatch(/ 0 of 1 \(account, region\) objects/);
      expect(await tableObjects(bucket)).toEqual(objects);
      expect(await visible(bucket)).toEqual(shown);
      refuse = false;
      expect((await cli(BEFORE)).code).toBe(0);
      const after = await visible(bucket);
      expect(after.current).toHaveLength(running.simulator.world.plans(ACCOUNT, 'us-east-1').length);
      expect(after.current.length).toBeGreaterThan(shown.current.length);
      await proxy.stop();
    },
  );

  it('a lease that cannot be released after the commit is a warning on a published target, never FAILED; earlier objects stay byte-identical', async () => {
    // Prepare
    running = await startSimulator({ regions: ['us-east-1'], jobsPerRegion: 30, seed: 3 });
    const bucket = await createTestBucket(local.s3, 'fault-lease');
    let refuse = false;
    // The lease is read only when it is released (it is taken with a conditional write).
    const proxy = await startFaultProxy(local.moto.endpoint, (req) =>
      refuse && req.method === 'GET' && req.url!.includes('/lease.json') ? S3_ACCESS_DENIED : 'pass',
    );
    const cli = s3Cli(proxy, bucket);
    expect((await cli(BEFORE)).code).toBe(0);
    const earlier = await tableObjects(bucket);
    refuse = true;

    // Act
    const run = await cli(AFTER);

    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/ok {6}123456789012\/us-east-1: 30 jobs, .* published → s3:\/\/.*\/snapshot_date=2026-11-02\//);
    expect(run.stdout).toMatch(/warning: the lease s3:\/\/.*\/lease\.json could not be released \(.*AccessDenied.*\); it expires at /);
    expect(run.stdout).not.toMatch(/FAILED/);
    expect((await tableObjects(bucket)).filter(([key]) => key.includes('snapshot_date=2026-11-01/'))).toEqual(earlier);
    const shown = await visible(bucket);
    expect(shown.current).toHaveLength(30);
    expect(new Set(shown.current.map((row) => (row as { snapshot_date: string }).snapshot_date))).toEqual(new Set([AFTER]));
    await proxy.stop();
  });

  it('SIGKILL during the upload leaves no object visible; the earlier one stays', async () => {
    // Prepare
    running = await startSimulator({ regions: ['us-east-1'], jobsPerRegion: 30, seed: 3 });
    const bucket = await createTestBucket(local.s3, 'fault-kill');
    let hold = false;
    let held: () => void = () => undefined;
    const uploading = new Promise<void>((resolve) => (held = resolve));
    const proxy = await startFaultProxy(local.moto.endpoint, (req) => {
      if (hold && req.method === 'PUT' && SNAPSHOT_OF_AFTER.test(req.url!)) {
        held();
        return 'hang';
      }
      return 'pass';
    });
    expect((await s3Cli(proxy, bucket)(BEFORE)).code).toBe(0);
    const earlier = (await listKeys(local.s3, bucket)).filter((key) => key.includes('sagemaker_training_job'));
    hold = true;

    // Act
    const run = runCliChild(s3SnapshotArgs(bucket, AFTER), s3CliEnv(proxy));
    await uploading;
    run.child.kill('SIGKILL');
    const killed = await run.done;

    // Assess
    expect(killed.signal).toBe('SIGKILL');
    expect((await listKeys(local.s3, bucket)).filter((key) => key.includes('sagemaker_training_job'))).toEqual(earlier);
    await proxy.stop();
  });
});

/** A TCP server that accepts every connection and never answers. */
async function silentServer(): Promise<{ endpoint: string; connections(): number; stop(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    connections++;
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    connections: () => connections,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
