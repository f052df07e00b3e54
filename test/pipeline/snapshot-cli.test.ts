import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SageMakerSimulator } from '../../simulator/server';
import { runCli } from '../support/cli';
import { withoutProgressLines } from '../support/cli-in-process';
import { mismatches, readWarehouse } from '../support/compare';
import { queryRows, withDuckDb } from '../support/duckdb';
import { startSimulator, type RunningSimulator } from '../support/local-simulator';
import { createTestBucket, downloadBucket, listKeys, useMotoS3 } from '../support/moto-server';
import { withoutGeneration } from '../support/object-names';

const ACCOUNT = SageMakerSimulator.defaultAccountId;
const REGIONS = ['us-east-1', 'eu-west-1'];
const FAST_LIMITS = 'ListTrainingJobs=200,DescribeTrainingJob=500,ListTags=500,GetResources=200';

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** The table objects under a warehouse root (its _work and _state folders are the pipeline's own). */
function filesUnder(directory: string): string[] {
  if (!existsSync(directory)) return [];
  return readdirSync(directory, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((path) => !/\/_(work|state)\//.test(path.slice(directory.length)))
    .sort();
}

/** The files under a warehouse with each run's generation replaced by `<generation>`. */
function namesUnder(directory: string): string[] {
  return filesUnder(directory).map(withoutGeneration).sort();
}

/**
 * A first run's objects of 2026-11-01, sorted as a listing is: each region's run record, and the snapshot
 * and ledger (every job seen for the first time) it commits, under the run's generation.
 */
function objectsFor(root: string, accounts: string[]): string[] {
  const name = (table: string, account: string) =>
    table === 'sagemaker_inventory_run' ? `${account}.parquet` : `${account}.<generation>.parquet`;
  return ['sagemaker_inventory_run', 'sagemaker_training_job', 'sagemaker_training_job_ledger']
    .flatMap((table) =>
      accounts.flatMap((a) => REGIONS.map((r) => `${root}/${table}/snapshot_date=2026-11-01/region=${r}/${name(table, a)}`)),
    )
    .sort();
}

function expectMatchesGroundTruth(
  rows: Map<string, Record<string, unknown>>,
  running: RunningSimulator,
  date: string,
  accounts = [ACCOUNT],
) {
  const world = running.simulator.world;
  const truth = accounts.flatMap((account) => REGIONS.flatMap((region) => world.plans(account, region)));
  expect([...rows.keys()].filter((k) => k.startsWith(date)).sort()).toEqual(truth.map((p) => `${date}|${p.arn}`).sort());
  const wrong = truth.flatMap((plan) => mismatches(rows.get(`${date}|${plan.arn}`)!, world.describe(plan), plan.tags));
  expect(wrong).toEqual([]);
}

describe('sm-inventory snapshot, a first run over two regions', () => {
  let running: RunningSimulator;
  const out = mkdtempSync(join(tmpdir(), 'warehouse-'));
  let result: Awaited<ReturnType<typeof runCli>['done']>;

  beforeAll(async () => {
    running = await startSimulator({ regions: REGIONS, jobsPerRegion: 250, seed: 21 });
    result = await runCli(['snapshot', '--regions', REGIONS.join(','), '--out', out, '--date', '2026-11-01', '--limits', FAST_LIMITS], {
      AWS_ENDPOINT_URL: running.endpoint,
    }).done;
  });
  afterAll(async () => running?.stop());

  it('exits 0 with nothing on stderr', () => {
    // Assess
    expect(withoutProgressLines(result.stderr)).toBe('');
    expect(result.code).toBe(0);
  });

  it('writes one snapshot object and one run record per region, nothing else', () => {
    // Assess
    expect(namesUnder(out)).toEqual(objectsFor(out, [ACCOUNT]));
  });

  it('writes every job of every region, each column as the API returned it', async () => {
    // Act
    const rows = await withDuckDb((db) => readWarehouse(db, `${out}/sagemaker_training_job/*/*/*.parquet`));

    // Assess
    expectMatchesGroundTruth(rows, running, '2026-11-01');
  });

  it("records each region's run as complete and full, with its counts and its object", async () => {
    // Act
    const runs = await withDuckDb((db) =>
      queryRows(
        db,
        `SELECT region, account_id, status, mode, jobs_written, jobs_described, snapshot_object, ledger_object FROM read_parquet('${out}/sagemaker_inventory_run/*/*/*.parquet', hive_partitioning = true) ORDER BY region`,
      ),
    );

    // Assess
    expect(
      runs.map((run) => ({
        ...run,
        snapshot_object: withoutGeneration(String(run.snapshot_object)),
        ledger_object: withoutGeneration(String(run.ledger_object)),
      })),
    ).toEqual(
      ['eu-west-1', 'us-east-1'].map((region) => ({
        region,
        account_id: ACCOUNT,
        status: 'complete',
        mode: 'full',
        jobs_written: 250n,
        jobs_described: 250n,
        snapshot_object: join(out, `sagemaker_training_job/snapshot_date=2026-11-01/region=${region}/${ACCOUNT}.<generation>.parquet`),
        ledger_object: join(out, `sagemaker_training_job_ledger/snapshot_date=2026-11-01/region=${region}/${ACCOUNT}.<generation>.parquet`),
      })),
    );
  });
});

describe('sm-inventory snapshot of member accounts through their roles, one of them refused', () => {
  const member = '210987654321';
  const broken = '999999999999';
  let running: RunningSimulator;
  const out = mkdtempSync(join(tmpdir(), 'warehouse-'));
  let result: Awaited<ReturnType<typeof runCli>['done']>;

  beforeAll(async () => {
    running = await startSimulator({
      accounts: [ACCOUNT, member],
      regions: REGIONS,
      jobsPerRegion: 30,
      rejectedAccessKeys: [`ASIASIM${broken}`],
    });
    result = await runCli(
      [
        'snapshot',
        '--regions',
        REGIONS.join(','),
        '--out',
        out,
        '--date',
        '2026-11-01',
        '--limits',
        FAST_LIMITS,
        '--role-arn',
        `arn:aws:iam::${member}:role/InventoryRead`,
        `arn:aws:iam::${broken}:role/InventoryRead`,
        '--include-caller-account',
      ],
      { AWS_ENDPOINT_URL: running.endpoint },
    ).done;
  });
  afterAll(async () => running?.stop());

  it("exits 2 naming the failed account's regions", () => {
    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/2 \(account, region\) snapshot\(s\) failed: 999999999999\/us-east-1, 999999999999\/eu-west-1/);
  });

  it('says why the refused account failed', () => {
    // Assess
    expect(result.stdout).toMatch(
      /FAILED {2}999999999999\/us-east-1: ListTrainingJobs failed in us-east-1 for account 999999999999: UnrecognizedClientException/,
    );
  });

  it("writes the caller's and the member's snapshots, each job as the API returned it", async () => {
    // Act
    const rows = await withDuckDb((db) => readWarehouse(db, `${out}/sagemaker_training_job/*/*/*.parquet`));

    // Assess
    expect(namesUnder(out)).toEqual(objectsFor(out, [ACCOUNT, member]));
    expectMatchesGroundTruth(rows, running, '2026-11-01', [ACCOUNT, member]);
  });
});

describe('sm-inventory snapshot', () => {
  let running: RunningSimulator;
  afterEach(async () => running?.stop());

  const env = () => ({ AWS_ENDPOINT_URL: running.endpoint });

  it('gives one object per (account, region) when the same date runs twice, holding the second run', async () => {
    // Prepare
    running = await startSimulator({ regions: REGIONS, jobsPerRegion: 40, seed: 4 });
    const out = mkdtempSync(join(tmpdir(), 'warehouse-'));
    const args = ['snapshot', '--regions', REGIONS.join(','), '--out', out, '--date', '2026-11-01', '--limits', FAST_LIMITS];
    await runCli(args, env()).done;
    running.simulator.world.advance(3_600_000, { newJobsPerDay: 48 });

    // Act
    const second = await runCli(args, env()).done;

    // Assess
    expect(second.code).toBe(0);
    expect(namesUnder(out)).toEqual(objectsFor(out, [ACCOUNT]));
    const rows = await withDuckDb((db) => readWarehouse(db, `${out}/sagemaker_training_job/*/*/*.parquet`));
    expectMatchesGroundTruth(rows, running, '2026-11-01');
  });

  it('leaves the previous snapshot byte-identical and no partial file when faults outlast the retries', async () => {
    // Prepare
    running = await startSimulator({ regions: REGIONS, jobsPerRegion: 120, seed: 8 });
    const out = mkdtempSync(join(tmpdir(), 'warehouse-'));
    const args = ['snapshot', '--regions', REGIONS.join(','), '--out', out, '--date', '2026-11-01', '--limits', FAST_LIMITS];
    await runCli(args, env()).done;
    const before = filesUnder(out).map((f) => [f, sha256(f)]);
    let describes = 0;
    running.simulator.onCall((operation) => {
      if (operation === 'DescribeTrainingJob' && ++describes === 60) running.simulator.setFaults({ internalError: 1 });
    });

    // Act
    const result = await runCli([...args, '--full'], { ...env(), SM_INVENTORY_TIME_BUDGET: '3' }).done;

    // Assess
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(
      /FAILED {2}123456789012\/(us-east-1|eu-west-1): the run's time budget ran out in .* the progress is saved under /,
    );
    expect(filesUnder(out).map((f) => [f, sha256(f)])).toEqual(before);
  });

  it('leaves the previous snapshot byte-identical and no visible partial object when the process is killed', async () => {
    // Prepare
    running = await startSimulator({ regions: REGIONS, jobsPerRegion: 400, seed: 12 });
    const out = mkdtempSync(join(tmpdir(), 'warehouse-'));
    const args = ['snapshot', '--regions', REGIONS.join(','), '--out', out, '--date', '2026-11-01', '--limits', FAST_LIMITS];
    await runCli(args, env()).done;
    const before = filesUnder(out).map((f) => [f, sha256(f)]);
    running.simulator.setLatency([20, 40]);
    const run = runCli([...args, '--full'], env());
    let describes = 0;
    running.simulator.onCall((operation) => {
      if (operation === 'DescribeTrainingJob' && ++describes === 150) run.child.kill('SIGKILL');
    });

    // Act
    const result = await run.done;

    // Assess
    expect(result.signal).toBe('SIGKILL');
    const parquet = filesUnder(out).filter((f) => f.endsWith('.parquet'));
    expect(parquet.map((f) => [f, sha256(f)])).toEqual(before);
  });

  it('rejects a bad flag value before any API call, naming it', async () => {
    // Prepare
    running = await startSimulator({ jobsPerRegion: 3 });

    // Act
    const result = await runCli(['snapshot', '--regions', 'us-east-1,mars-north-1', '--out', mkdtempSync(join(tmpdir(), 'w-'))], env())
      .done;

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('--regions has "mars-north-1"; allowed: AWS Region codes such as us-east-1');
    expect(Object.values(running.simulator.stats()).reduce((sum, c) => sum + c.accepted + c.rejected, 0)).toBe(0);
  });
});

describe('sm-inventory snapshot to S3 (moto server)', () => {
  let running: RunningSimulator;
  const local = useMotoS3();
  afterEach(async () => running?.stop());

  it('uploads one object per region that DuckDB reads back with every job and column correct', async () => {
    // Prepare
    running = await startSimulator({ regions: REGIONS, jobsPerRegion: 150, seed: 31 });
    const { moto, s3 } = local;
    const bucket = await createTestBucket(s3, 'warehouse');

    // Act
    const result = await runCli(
      [
        'snapshot',
        '--regions',
        REGIONS.join(','),
        '--out',
        `s3://${bucket}/inventory`,
        '--date',
        '2026-11-01',
        '--limits',
        FAST_LIMITS,
        '--s3-force-path-style',
      ],
      { AWS_ENDPOINT_URL: running.endpoint, AWS_ENDPOINT_URL_S3: moto.endpoint },
    ).done;

    // Assess
    expect(withoutProgressLines(result.stderr)).toBe('');
    expect(result.code).toBe(0);
    expect(
      (await listKeys(s3, bucket))
        .filter((key) => !key.startsWith('inventory/_'))
        .map(withoutGeneration)
        .sort(),
    ).toEqual(objectsFor('inventory', [ACCOUNT]));
    const downloaded = await downloadBucket(s3, bucket);
    const rows = await withDuckDb((db) => readWarehouse(db, `${downloaded}/inventory/sagemaker_training_job/*/*/*.parquet`));
    expectMatchesGroundTruth(rows, running, '2026-11-01');
  });
});
