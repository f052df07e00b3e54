import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalWarehouse } from '../../cli/warehouse/local-warehouse';
import { INVENTORY_RUN_SCHEMA } from '../../lambda/core/schema/table-schema';
import { SageMakerSimulator } from '../../simulator/server';
import { ACCOUNT, minimalJob } from '../support/fixtures';
import type { RunningSimulator } from '../support/local-simulator';
import { SimulatedWarehouse } from '../support/simulated-warehouse';
import { publishFixtureSnapshot } from './warehouse-writer';

const sortedRows = (rows: readonly Record<string, unknown>[]) =>
  [...rows].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

describe("current, after a region's every job was deleted (the real pipeline against the simulator)", () => {
  let setup: SimulatedWarehouse;
  let running: RunningSimulator;
  let warehouse: LocalWarehouse;

  beforeAll(async () => {
    // Prepare: two regions snapshotted, then every eu-west-1 job deleted and both snapshotted again.
    setup = await SimulatedWarehouse.start({ regions: ['us-east-1', 'eu-west-1'], jobsPerRegion: 15, seed: 12 });
    running = setup.running;
    const world = setup.world;
    await setup.snapshot('2026-11-01');
    for (const plan of world.plans(SageMakerSimulator.defaultAccountId, 'eu-west-1'))
      world.deleteJob(plan.accountId, plan.region, plan.name);
    world.advance(86_400_000, { newJobsPerDay: 0 });
    // The region really was emptied, so the shrink guard is told the deletions are real.
    await setup.snapshot('2026-11-02', undefined, { SM_INVENTORY_ALLOW_SHRINK: 'true' });
    warehouse = await setup.open();
  }, 60_000);
  afterAll(async () => setup?.stop());

  it("shows no jobs for the emptied region, where the latest snapshot date with rows would show yesterday's", async () => {
    // Act
    const { rows } = await warehouse.query(
      'SELECT region, snapshot_date, count(*) AS jobs FROM sagemaker_training_job_current GROUP BY region, snapshot_date',
    );

    // Assess
    const usEast = running.simulator.world.plans(SageMakerSimulator.defaultAccountId, 'us-east-1').length;
    expect(rows).toEqual([{ region: 'us-east-1', snapshot_date: '2026-11-02', jobs: String(usEast) }]);
  });

  it("records the emptied region's run as published with 0 jobs", async () => {
    // Act
    const { rows } = await warehouse.query(
      'SELECT region, last_snapshot_date, last_status, jobs_written, runs FROM sagemaker_inventory_freshness ORDER BY region',
    );

    // Assess
    const usEast = running.simulator.world.plans(SageMakerSimulator.defaultAccountId, 'us-east-1').length;
    expect(rows).toEqual([
      { region: 'eu-west-1', last_snapshot_date: '2026-11-02', last_status: 'complete', jobs_written: '0', runs: '2' },
      { region: 'us-east-1', last_snapshot_date: '2026-11-02', last_status: 'complete', jobs_written: String(usEast), runs: '2' },
    ]);
  });
});

describe('current and freshness follow the run table (hand-written runs)', () => {
  const root = mkdtempSync(join(tmpdir(), 'runs-'));
  const job = (name: string) => ({ job: minimalJob(name), tags: {}, region: 'eu-west-1' });
  const finishedAt = Date.parse('2026-11-02T02:10:00Z');
  let warehouse: LocalWarehouse;

  beforeAll(async () => {
    // eu-west-1: day 2's object was written but its run never finished publishing (no run row).
    await publishFixtureSnapshot(root, { date: '2026-11-01', accountId: ACCOUNT, region: 'eu-west-1', records: [job('kept-from-day-1')] });
    await publishFixtureSnapshot(root, {
      date: '2026-11-02',
      accountId: ACCOUNT,
      region: 'eu-west-1',
      records: [job('unpublished-day-2')],
      run: 'none',
    });
    // us-west-2: day 2's run set some jobs aside; what it did publish is current.
    const west = (name: string) => ({
      job: { ...minimalJob(name), TrainingJobArn: `arn:aws:sagemaker:us-west-2:${ACCOUNT}:training-job/${name}` },
      tags: {},
      region: 'us-west-2',
    });
    await publishFixtureSnapshot(root, { date: '2026-11-01', accountId: ACCOUNT, region: 'us-west-2', records: [west('west-day-1')] });
    await publishFixtureSnapshot(root, {
      date: '2026-11-02',
      accountId: ACCOUNT,
      region: 'us-west-2',
      records: [west('west-day-2')],
      run: { status: 'incomplete', finishedAt },
    });
    warehouse = await LocalWarehouse.open(root);
  });
  afterAll(() => warehouse?.close());

  it("takes each (account, region)'s latest published run, complete or incomplete, and ignores an object with no run row", async () => {
    // Act
    const { rows } = await warehouse.query('SELECT training_job_name, region, snapshot_date FROM sagemaker_training_job_current');

    // Assess
    expect(sortedRows(rows)).toEqual(
      sortedRows([
        { training_job_name: 'kept-from-day-1', region: 'eu-west-1', snapshot_date: '2026-11-01' },
        { training_job_name: 'west-day-2', region: 'us-west-2', snapshot_date: '2026-11-02' },
      ]),
    );
  });

  it('says when each (account, region) last published, how long ago, and when it was last complete', async () => {
    // Prepare
    const queriedAt = Date.now();

    // Act
    const { rows } = await warehouse.query('SELECT * FROM sagemaker_inventory_freshness ORDER BY region');

    // Assess
    const hoursAgo = (queriedAt - finishedAt) / 3_600_000;
    expect(Math.abs(Number(rows[1].hours_since_last_run) - hoursAgo)).toBeLessThan(0.01);
    expect(rows.map(({ hours_since_last_run: _hours, ...rest }) => rest)).toEqual([
      {
        account_id: ACCOUNT,
        region: 'eu-west-1',
        last_snapshot_date: '2026-11-01',
        last_status: 'complete',
        last_mode: 'full',
        jobs_written: '1',
        jobs_set_aside: '0',
        last_finished_at: '2026-11-01 02:10:00',
        last_complete_snapshot_date: '2026-11-01',
        runs: '1',
        days_without_run: '1',
        stale: false,
        last_snapshot_partition: '2026-11-01',
      },
      {
        account_id: ACCOUNT,
        region: 'us-west-2',
        last_snapshot_date: '2026-11-02',
        last_status: 'incomplete',
        last_mode: 'full',
        jobs_written: '1',
        jobs_set_aside: '1',
        last_finished_at: '2026-11-02 02:10:00',
        last_complete_snapshot_date: '2026-11-01',
        runs: '2',
        days_without_run: '0',
        stale: false,
        last_snapshot_partition: '2026-11-02',
      },
    ]);
  });

  it('opens a warehouse whose run table has no files yet: the run table is empty, with its columns, and so is current', async () => {
    // Prepare: a copy of the warehouse as a version before the run table would have left it.
    const copy = mkdtempSync(join(tmpdir(), 'no-runs-'));
    cpSync(root, copy, { recursive: true });
    rmSync(join(copy, INVENTORY_RUN_SCHEMA.table), { recursive: true, force: true });

    // Act
    const older = await LocalWarehouse.open(copy);
    try {
      const runs = await older.query('SELECT * FROM sagemaker_inventory_run');
      const current = await older.query('SELECT count(*) AS jobs FROM sagemaker_training_job_current');

      // Assess
      expect(runs).toEqual({
        columns: [...[...INVENTORY_RUN_SCHEMA.columns, ...INVENTORY_RUN_SCHEMA.partitionKeys].map((c) => c.name), '$path'],
        rows: [],
      });
      expect(current.rows).toEqual([{ jobs: '0' }]);
    } finally {
      older.close();
    }
  });
});

describe('an (account, region) that stops being a target (hand-written runs, staleAfterDays 2)', () => {
  const root = mkdtempSync(join(tmpdir(), 'stale-'));
  const LEFT = '210987654321';
  const job = (accountId: string, name: string) => ({
    job: { ...minimalJob(name), TrainingJobArn: `arn:aws:sagemaker:eu-west-1:${accountId}:training-job/${name}` },
    tags: {},
    region: 'eu-west-1',
  });
  const jobsOn = async (lastDay: string) => {
    const copy = mkdtempSync(join(tmpdir(), 'stale-copy-'));
    cpSync(root, copy, { recursive: true });
    for (const day of ['2026-11-04', '2026-11-05'].filter((d) => d > lastDay))
      for (const table of ['sagemaker_training_job', INVENTORY_RUN_SCHEMA.table])
        rmSync(join(copy, table, `snapshot_date=${day}`), { recursive: true, force: true });
    const warehouse = await LocalWarehouse.open(copy, { staleAfterDays: 2 });
    try {
      const current = await warehouse.query(
        `SELECT account_id FROM sagemaker_training_job_current WHERE training_job_name = 'left-with-account'`,
      );
      const freshness = await warehouse.query(
        `SELECT days_without_run, stale FROM sagemaker_inventory_freshness WHERE account_id = '${LEFT}'`,
      );
      const all = await warehouse.query(`SELECT deleted FROM sagemaker_training_job_all WHERE training_job_name = 'left-with-account'`);
      return { current: current.rows.length, freshness: freshness.rows[0], all: all.rows };
    } finally {
      warehouse.close();
    }
  };

  beforeAll(async () => {
    // The second account is excluded after its run of 2026-11-02; the first keeps running every day.
    for (const day of ['2026-11-01', '2026-11-02', '2026-11-03', '2026-11-04', '2026-11-05'])
      await publishFixtureSnapshot(root, { date: day, accountId: ACCOUNT, region: 'eu-west-1', records: [job(ACCOUNT, 'stays')] });
    for (const day of ['2026-11-01', '2026-11-02'])
      await publishFixtureSnapshot(root, { date: day, accountId: LEFT, region: 'eu-west-1', records: [job(LEFT, 'left-with-account')] });
  });

  it('keeps its jobs in current while it has gone at most the configured days without a run', async () => {
    // Act
    const seen = await jobsOn('2026-11-04');

    // Assess: 2026-11-02 to 2026-11-04 is 2 days without a run.
    expect(seen).toEqual({ current: 1, freshness: { days_without_run: '2', stale: false }, all: [{ deleted: false }] });
  });

  it('leaves current after the configured days, shows stale in the freshness view, and stays in the history', async () => {
    // Act
    const seen = await jobsOn('2026-11-05');

    // Assess: 3 days without a run, more than 2.
    expect(seen).toEqual({ current: 0, freshness: { days_without_run: '3', stale: true }, all: [{ deleted: false }] });
  });
});
