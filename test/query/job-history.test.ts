import type { DescribeTrainingJobResponse } from '@aws-sdk/client-sagemaker';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalWarehouse } from '../../cli/warehouse/local-warehouse';
import { createPricingClient } from '../../lambda/core/aws/clients';
import { readConfig } from '../../lambda/core/pipeline/config';
import { runSnapshot } from '../../lambda/core/pipeline/snapshot';
import { runPriceSnapshot } from '../../lambda/core/pricing/price-snapshot';
import { LocalStore } from '../../lambda/core/publish/local-store';
import { SageMakerSimulator } from '../../simulator/server';
import { AwsError } from '../../simulator/protocol';
import type { TrainingJobPlan } from '../../simulator/world/job-generator';
import { startSimulator, TEST_CREDENTIALS, type RunningSimulator } from '../support/local-simulator';

const ACCOUNT = SageMakerSimulator.defaultAccountId;
const REGION = 'us-east-1';
const NOW = Date.UTC(2026, 10, 1, 12);
const DAYS = ['2026-11-01', '2026-11-02', '2026-11-03'];
const QUIET_DAY = { newJobsPerDay: 0, deleteRate: 0, tagChangeRate: 0 };

/** An on-demand job of one instance type that ended long ago: its cost never changes. */
function settledSingleType(plan: TrainingJobPlan, job: DescribeTrainingJobResponse): boolean {
  const config = job.ResourceConfig!;
  return (
    job.TrainingJobStatus === 'Completed' &&
    job.BillableTimeInSeconds !== undefined &&
    job.WarmPoolStatus === undefined &&
    config.InstanceType !== undefined &&
    config.InstanceGroups === undefined &&
    config.TrainingPlanArn === undefined &&
    plan.createdAt < NOW - 40 * 86_400_000
  );
}

describe('history survives deletion (the real pipeline against the simulator, three days)', () => {
  let running: RunningSimulator;
  let out: string;
  let afterDayOne: LocalWarehouse;
  let warehouse: LocalWarehouse;
  let deleted: { plan: TrainingJobPlan; job: DescribeTrainingJobResponse };
  let reused: { before: TrainingJobPlan; after: TrainingJobPlan };
  let failing: { kept: TrainingJobPlan; created: TrainingJobPlan };

  beforeAll(async () => {
    // Prepare: day 1 snapshotted and priced; one job deleted and one name reused before day 2; on day 3 (a full
    // describe) an old job and a new one cannot be described.
    running = await startSimulator({ regions: [REGION], jobsPerRegion: 60, seed: 2020, now: NOW, historyDays: 120 });
    const world = running.simulator.world;
    out = mkdtempSync(join(tmpdir(), 'history-'));
    const pricing = createPricingClient({ endpoint: running.endpoint, credentials: TEST_CREDENTIALS });
    await runPriceSnapshot({ pricing, store: new LocalStore(out), regions: [REGION], snapshotDate: DAYS[0] });
    pricing.destroy();
    process.env.AWS_ENDPOINT_URL = running.endpoint;
    const config = readConfig({ SM_INVENTORY_REGIONS: REGION, SM_INVENTORY_OUTPUT: out });
    const snapshot = async (date: string, full = false) =>
      expect((await runSnapshot(config, { credentials: TEST_CREDENTIALS, snapshotDate: date, full })).failed).toEqual([]);

    await snapshot(DAYS[0]);
    const dayOneCopy = mkdtempSync(join(tmpdir(), 'history-day-1-'));
    cpSync(out, dayOneCopy, { recursive: true });
    afterDayOne = await LocalWarehouse.open(dayOneCopy);

    const settled = world.plans(ACCOUNT, REGION).filter((plan) => settledSingleType(plan, world.describe(plan)));
    deleted = { plan: settled[0], job: world.describe(settled[0]) };
    world.deleteJob(ACCOUNT, REGION, settled[0].name);
    world.deleteJob(ACCOUNT, REGION, settled[1].name);
    reused = { before: settled[1], after: world.createJobNamed(ACCOUNT, REGION, settled[1].name) };
    world.advance(86_400_000, QUIET_DAY);
    await snapshot(DAYS[1]);

    world.advance(86_400_000, QUIET_DAY);
    failing = { kept: settled[2], created: world.createJobNamed(ACCOUNT, REGION, 'created-on-day-3-and-never-described') };
    running.simulator.onCall((operation, input) => {
      if (operation === 'DescribeTrainingJob' && [failing.kept.name, failing.created.name].includes(String(input.TrainingJobName)))
        throw new AwsError(400, 'ValidationException', 'Training job name is not valid.');
    });
    await snapshot(DAYS[2], true);
    warehouse = await LocalWarehouse.open(out);
  }, 120_000);
  afterAll(async () => {
    afterDayOne?.close();
    warehouse?.close();
    delete process.env.AWS_ENDPOINT_URL;
    await running?.stop();
  });

  it('keeps the cost of a job deleted on day 2 in cost_by_month on day 3', async () => {
    // Prepare: its cost from the API's numbers and the listed price; its month's total as it was on day 1.
    const { job } = deleted;
    const rate = running.simulator.world.prices.trainingRate(REGION, job.ResourceConfig!.InstanceType!)!;
    const cost = (job.BillableTimeInSeconds! * job.ResourceConfig!.InstanceCount! * rate) / 3600;
    const month = job.TrainingEndTime!.toISOString().slice(0, 7);
    const monthOnDayOne = (await afterDayOne.query('cost_by_month')).rows.find((row) => row.month === month)!;

    // Act
    const row = (
      await warehouse.query(`SELECT deleted, total_cost_usd FROM sagemaker_training_job_cost WHERE _key = '${job.TrainingJobArn}'`)
    ).rows;
    const monthOnDayThree = (await warehouse.query('cost_by_month')).rows.find((r) => r.month === month)!;

    // Assess
    expect(row.map((r) => [r.deleted, Math.round(Number(r.total_cost_usd) * 100) / 100])).toEqual([['true', Math.round(cost * 100) / 100]]);
    expect([monthOnDayThree.jobs, monthOnDayThree.total_cost_usd]).toEqual([monthOnDayOne.jobs, monthOnDayOne.total_cost_usd]);
  });

  it('shows the deleted job once in the history, with its first and last snapshot dates, and not in current', async () => {
    // Act
    const all = await warehouse.query(
      `SELECT first_snapshot_date, last_snapshot_date, deleted FROM sagemaker_training_job_all WHERE _key = '${deleted.plan.arn}'`,
    );
    const current = await warehouse.query(`SELECT count(*) AS n FROM sagemaker_training_job_current WHERE _key = '${deleted.plan.arn}'`);

    // Assess
    expect(all.rows).toEqual([{ first_snapshot_date: DAYS[0], last_snapshot_date: DAYS[0], deleted: true }]);
    expect(current.rows).toEqual([{ n: '0' }]);
  });

  it('counts a name reused after deletion as two jobs, told apart by creation time', async () => {
    // Act
    const all = await warehouse.query(
      `SELECT training_job_name, creation_time, deleted, first_snapshot_date FROM sagemaker_training_job_all WHERE _key = '${reused.before.arn}' ORDER BY creation_time`,
    );
    const current = await warehouse.query(`SELECT creation_time FROM sagemaker_training_job_current WHERE _key = '${reused.before.arn}'`);

    // Assess
    const at = (ms: number) =>
      new Date(ms)
        .toISOString()
        .replace('T', ' ')
        .replace(/(\.000)?Z$/, '');
    expect(all.rows).toEqual([
      { training_job_name: reused.before.name, creation_time: at(reused.before.createdAt), deleted: true, first_snapshot_date: DAYS[0] },
      { training_job_name: reused.after.name, creation_time: at(reused.after.createdAt), deleted: false, first_snapshot_date: DAYS[1] },
    ]);
    expect(current.rows).toEqual([{ creation_time: at(reused.after.createdAt) }]);
  });

  it("keeps a set-aside job's previous row in today's snapshot and names both set-aside jobs in the run record", async () => {
    // Act
    const current = await warehouse.query(
      `SELECT training_job_name, snapshot_date FROM sagemaker_training_job_current WHERE training_job_name IN ('${failing.kept.name}', '${failing.created.name}')`,
    );
    const runs = await warehouse.query(
      `SELECT status, jobs_set_aside, set_aside_jobs FROM sagemaker_inventory_run WHERE snapshot_date = '${DAYS[2]}'`,
    );

    // Assess
    expect(current.rows).toEqual([{ training_job_name: failing.kept.name, snapshot_date: DAYS[2] }]);
    expect(runs.rows.map((r) => [r.status, r.jobs_set_aside])).toEqual([['incomplete', '2']]);
    const named = (JSON.parse(String(runs.rows[0].set_aside_jobs)) as { name: string; kept_previous_row: boolean }[])
      .map((job) => [job.name, job.kept_previous_row])
      .sort();
    expect(named).toEqual(
      [
        [failing.kept.name, true],
        [failing.created.name, false],
      ].sort(),
    );
  });

  it('records each event once in the ledger: every job first seen, and the two that left', async () => {
    // Act
    const { rows } = await warehouse.query(
      'SELECT snapshot_date, event, count(*) AS n FROM sagemaker_training_job_ledger GROUP BY snapshot_date, event ORDER BY snapshot_date, event',
    );

    // Assess: day 1 sees the 60 jobs, day 2 the reused name's new job and the two departures, day 3 nothing new.
    expect(rows).toEqual([
      { snapshot_date: DAYS[0], event: 'first_seen', n: '60' },
      { snapshot_date: DAYS[1], event: 'deleted', n: '2' },
      { snapshot_date: DAYS[1], event: 'first_seen', n: '1' },
    ]);
  });
});
