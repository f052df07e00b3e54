import type { DescribeTrainingJobResponse } from '@aws-sdk/client-sagemaker';
import type { LocalWarehouse } from '../../cli/warehouse/local-warehouse';
import { SageMakerSimulator } from '../../simulator/server';
import { groupSum } from '../support/compare';
import { SimulatedWarehouse } from '../support/simulated-warehouse';
import { billableInstanceSeconds, capacityOf } from './capacity-truth';

const ACCOUNT = SageMakerSimulator.defaultAccountId;
const REGIONS = ['us-east-1', 'eu-west-1'];
const DAY = 86_400_000;

/** What the API said about one job in one snapshot: the ground truth the SQL is checked against. */
interface Truth {
  readonly arn: string;
  readonly region: string;
  readonly date: string;
  readonly job: DescribeTrainingJobResponse;
  readonly tags: Readonly<Record<string, string>>;
}

const cents = (hours: number) => Math.round(hours * 100) / 100;
const instanceSeconds = (t: Truth) => billableInstanceSeconds(t.job)!;
const instanceHours = (t: Truth) => instanceSeconds(t) / 3600;
const instanceType = (t: Truth) => capacityOf(t.job).instanceType!;
const instanceCount = (t: Truth) => capacityOf(t.job).instanceCount!;
const month = (t: Truth) => t.job.CreationTime!.toISOString().slice(0, 7);

describe('the shipped views and named queries, over three daily snapshots (one region failing on the last day)', () => {
  let setup: SimulatedWarehouse;
  let warehouse: LocalWarehouse;
  const snapshots: Truth[][] = [];
  let current: Truth[];
  /** Every job any snapshot held, as the last one that held it said: what the historical views (flat, cost) cover. */
  let everSeen: Truth[];
  let queriedAt: number;

  beforeAll(async () => {
    // Simulated "now" is real now, so current_timestamp in the SQL and the simulator agree.
    setup = await SimulatedWarehouse.start({
      regions: REGIONS,
      jobsPerRegion: 300,
      seed: 2024,
      now: Date.now() - 2 * DAY,
      historyDays: 120,
    });
    const world = setup.world;
    const dates = ['2026-11-25', '2026-11-26', '2026-11-27'];
    for (const [day, date] of dates.entries()) {
      if (day > 0) world.advance(DAY, { newJobsPerDay: 30, tagChangeRate: 0.05, deleteRate: 0.01 });
      // On the last day eu-west-1 "fails": only us-east-1 is written.
      const regions = day === 2 ? ['us-east-1'] : REGIONS;
      await setup.snapshot(date, regions);
      snapshots.push(
        regions.flatMap((region) =>
          world.plans(ACCOUNT, region).map((plan) => ({ arn: plan.arn, region, date, job: world.describe(plan), tags: plan.tags })),
        ),
      );
    }
    current = [...snapshots[2], ...snapshots[1].filter((t) => t.region === 'eu-west-1')];
    everSeen = [...new Map(snapshots.flat().map((t) => [t.arn, t])).values()];
    warehouse = await setup.open();
    queriedAt = Date.now();
  }, 120_000);
  afterAll(async () => setup?.stop());

  it('current: each job once, from the latest published run of its own region', async () => {
    // Act
    const { rows } = await warehouse.query('SELECT _key, snapshot_date, training_job_status FROM sagemaker_training_job_current');

    // Assess
    const actual = rows.map((r) => `${r._key}|${r.snapshot_date}|${r.training_job_status}`).sort();
    expect(actual).toEqual(current.map((t) => `${t.arn}|${t.date}|${t.job.TrainingJobStatus}`).sort());
  });

  it('flat: only scalar columns, so QuickSight can read every one', async () => {
    // Act
    const { rows } = await warehouse.query('DESCRIBE sagemaker_training_job_flat');

    // Assess
    const nonScalar = rows.filter((r) => /MAP|STRUCT|\[\]|UNION/.test(String(r.column_type)));
    expect(nonScalar).toEqual([]);
  });

  it('flat: a column per cost tag', async () => {
    // Act
    const { rows } = await warehouse.query('DESCRIBE sagemaker_training_job_flat');

    // Assess
    expect(rows.map((r) => r.column_name)).toEqual(
      expect.arrayContaining(['tag_team', 'tag_project', 'tag_cost_center', 'tag_sagemaker_domain_arn', 'tag_sagemaker_user_profile_arn']),
    );
  });

  it('flat: sizes, hours, savings, months, algorithm and tags as the API says', async () => {
    // Act
    const { rows } = await warehouse.query('SELECT * FROM sagemaker_training_job_flat');

    // Assess
    const byArn = new Map(rows.map((r) => [r.training_job_arn as string, r]));
    expect(byArn.size).toBe(everSeen.length);
    const wrong: string[] = [];
    for (const t of everSeen) {
      const row = byArn.get(t.arn)!;
      const spot = t.job.EnableManagedSpotTraining === true && (t.job.TrainingTimeInSeconds ?? 0) > 0;
      const capacity = capacityOf(t.job);
      const expected: Record<string, unknown> = {
        snapshot_date: t.date,
        deleted: String(!current.some((c) => c.arn === t.arn)),
        capacity_shape: capacity.shape,
        instance_type: capacity.instanceType,
        instance_count: capacity.instanceCount === null ? null : String(capacity.instanceCount),
        volume_size_in_gb: String(t.job.ResourceConfig!.VolumeSizeInGB),
        managed_spot_training: String(t.job.EnableManagedSpotTraining === true),
        max_runtime_in_seconds: String(t.job.StoppingCondition!.MaxRuntimeInSeconds),
        billable_instance_hours: billableInstanceSeconds(t.job) === undefined ? null : instanceHours(t).toFixed(6),
        spot_savings_percent: spot ? ((1 - t.job.BillableTimeInSeconds! / t.job.TrainingTimeInSeconds!) * 100).toFixed(6) : null,
        creation_month: month(t),
        creation_date: t.job.CreationTime!.toISOString().slice(0, 10),
        algorithm_or_image: t.job.AlgorithmSpecification?.AlgorithmName ?? t.job.AlgorithmSpecification?.TrainingImage,
        tag_team: t.tags.team ?? null,
        tag_cost_center: t.tags['cost-center'] ?? null,
        tag_sagemaker_domain_arn: t.tags['sagemaker:domain-arn'] ?? null,
      };
      for (const [column, value] of Object.entries(expected)) {
        const stored = row[column];
        const actual = typeof value === 'string' && /^-?\d+\.\d{6}$/.test(value) && stored !== null ? Number(stored).toFixed(6) : stored;
        if (JSON.stringify(actual) !== JSON.stringify(value))
          wrong.push(`${t.job.TrainingJobName}.${column}: ${JSON.stringify(actual)} ≠ ${JSON.stringify(value)}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('flat: heterogeneous clusters and instance-preference jobs are counted, with their instance type and count', async () => {
    // Prepare: the jobs of each shape, and the ones a cluster of several types makes 'mixed'.
    const byShape = groupSum(
      everSeen,
      (t) => capacityOf(t.job).shape,
      () => 1,
    );
    const mixed = everSeen.filter((t) => capacityOf(t.job).instanceType === 'mixed');
    const selected = everSeen.filter(
      (t) => capacityOf(t.job).shape === 'instance_preferences' && t.job.BillableTimeInSeconds !== undefined,
    );

    // Act
    const { rows } = await warehouse.query(
      "SELECT capacity_shape, count(*) AS jobs, count(CASE WHEN instance_type = 'mixed' THEN 1 END) AS mixed, sum(billable_instance_seconds) AS seconds FROM sagemaker_training_job_flat GROUP BY capacity_shape",
    );

    // Assess
    expect(byShape.get('instance_groups')).toBeGreaterThan(0);
    expect(byShape.get('instance_preferences')).toBeGreaterThan(0);
    expect(mixed.length).toBeGreaterThan(0);
    expect(selected.length).toBeGreaterThan(0);
    const seconds = groupSum(
      everSeen.filter((t) => billableInstanceSeconds(t.job) !== undefined),
      (t) => capacityOf(t.job).shape,
      instanceSeconds,
    );
    expect(Object.fromEntries(rows.map((r) => [r.capacity_shape, [Number(r.jobs), Number(r.mixed), Number(r.seconds)]]))).toEqual(
      Object.fromEntries(
        [...byShape].map(([shape, jobs]) => [shape, [jobs, shape === 'instance_groups' ? mixed.length : 0, seconds.get(shape)]]),
      ),
    );
  });

  it("history: every status change between consecutive snapshots, and each job's first sighting", async () => {
    // Prepare
    const expected: string[] = [];
    const seen = new Map<string, string>();
    for (const snapshot of snapshots) {
      for (const t of snapshot) {
        const previous = seen.get(t.arn);
        if (previous !== t.job.TrainingJobStatus) expected.push(`${t.arn}|${previous ?? ''}|${t.job.TrainingJobStatus}|${t.date}`);
        seen.set(t.arn, t.job.TrainingJobStatus!);
      }
    }

    // Act
    const { rows } = await warehouse.query('SELECT * FROM sagemaker_training_job_history');

    // Assess
    expect(rows.map((r) => `${r.training_job_arn}|${r.from_status ?? ''}|${r.to_status}|${r.first_seen_date}`).sort()).toEqual(
      expected.sort(),
    );
    expect(rows.some((r) => r.from_status === 'InProgress')).toBe(true);
  });

  it('billable_hours_by_team_and_month: cost per team and month equal to the ground truth, to the cent', async () => {
    // Prepare
    const billed = everSeen.filter((t) => billableInstanceSeconds(t.job) !== undefined);
    const expected = groupSum(billed, (t) => `${month(t)}|${t.tags.team ?? '(untagged)'}`, instanceSeconds);

    // Act
    const { rows } = await warehouse.query('billable_hours_by_team_and_month');

    // Assess
    expect(Object.fromEntries(rows.map((r) => [`${r.month}|${r.team}`, Number(r.billable_instance_hours)]))).toEqual(
      Object.fromEntries([...expected].map(([k, seconds]) => [k, cents(seconds / 3600)])),
    );
  });

  it('billable_hours_by_instance_type_and_month agrees with the ground truth, to the cent', async () => {
    // Prepare
    const billed = everSeen.filter((t) => billableInstanceSeconds(t.job) !== undefined);
    // Whole seconds summed, then one division, as the query does: summing each job's hours would round differently.
    const byType = groupSum(billed, (t) => `${month(t)}|${instanceType(t)}`, instanceSeconds);

    // Act
    const { rows } = await warehouse.query('billable_hours_by_instance_type_and_month');

    // Assess
    expect(Object.fromEntries(rows.map((r) => [`${r.month}|${r.instance_type}`, Number(r.billable_instance_hours)]))).toEqual(
      Object.fromEntries([...byType].map(([k, seconds]) => [k, cents(seconds / 3600)])),
    );
  });

  it('spot_savings agrees with the ground truth, per instance type', async () => {
    // Prepare
    const spot = everSeen.filter((t) => t.job.EnableManagedSpotTraining && (t.job.TrainingTimeInSeconds ?? 0) > 0);
    const trained = groupSum(spot, instanceType, (t) => t.job.TrainingTimeInSeconds! * instanceCount(t));
    const paid = groupSum(spot, instanceType, instanceSeconds);

    // Act
    const savings = await warehouse.query('spot_savings');

    // Assess
    expect(Object.fromEntries(savings.rows.map((r) => [r.instance_type, Number(r.savings_percent)]))).toEqual(
      Object.fromEntries([...trained].map(([type, seconds]) => [type, Math.round((1 - paid.get(type)! / seconds) * 1000) / 10])),
    );
  });

  it('jobs_by_status counts what the API reported', async () => {
    // Prepare
    const byStatus = groupSum(
      current,
      (t) => `${t.job.TrainingJobStatus}|${t.job.SecondaryStatus}`,
      () => 1,
    );

    // Act
    const statuses = await warehouse.query('jobs_by_status');

    // Assess
    expect(Object.fromEntries(statuses.rows.map((r) => [`${r.training_job_status}|${r.secondary_status}`, Number(r.jobs)]))).toEqual(
      Object.fromEntries(byStatus),
    );
  });

  it('failed_jobs_by_reason counts the failures by month and reason as the API reported them', async () => {
    // Prepare
    const failed = everSeen.filter((t) => t.job.TrainingJobStatus === 'Failed');
    const byReason = groupSum(
      failed,
      (t) => `${month(t)}|${t.job.FailureReason!.split(':')[0]}`,
      () => 1,
    );

    // Act
    const reasons = await warehouse.query('failed_jobs_by_reason');

    // Assess
    expect(Object.fromEntries(reasons.rows.map((r) => [`${r.month}|${r.failure_category}`, Number(r.failed_jobs)]))).toEqual(
      Object.fromEntries(byReason),
    );
  });

  it('jobs_without_team_tag counts the jobs no team owns, with their hours', async () => {
    // Prepare
    const untagged = everSeen.filter((t) => t.tags.team === undefined);
    const jobs = groupSum(
      untagged,
      (t) => `${t.region}|${month(t)}`,
      () => 1,
    );
    const seconds = groupSum(
      untagged,
      (t) => `${t.region}|${month(t)}`,
      (t) => billableInstanceSeconds(t.job) ?? 0,
    );

    // Act
    const { rows } = await warehouse.query('jobs_without_team_tag');

    // Assess
    expect(Object.fromEntries(rows.map((r) => [`${r.region}|${r.month}`, [Number(r.jobs), Number(r.billable_instance_hours)]]))).toEqual(
      Object.fromEntries([...jobs].map(([k, n]) => [k, [n, cents(seconds.get(k)! / 3600)]])),
    );
  });

  it('warm_pool_usage sums retained instance-hours per pool status and instance type', async () => {
    // Prepare
    const pooled = current.filter((t) => t.job.WarmPoolStatus !== undefined);
    const retained = groupSum(
      pooled,
      (t) => `${t.job.WarmPoolStatus!.Status}|${instanceType(t)}`,
      (t) => (t.job.WarmPoolStatus!.ResourceRetainedBillableTimeInSeconds ?? 0) * instanceCount(t),
    );

    // Act
    const { rows } = await warehouse.query('warm_pool_usage');

    // Assess
    expect(pooled.length).toBeGreaterThan(0);
    expect(Object.fromEntries(rows.map((r) => [`${r.warm_pool_status}|${r.instance_type}`, Number(r.retained_instance_hours)]))).toEqual(
      Object.fromEntries([...retained].map(([k, seconds]) => [k, cents(seconds / 3600)])),
    );
  });

  it('long_running_jobs lists the in-progress jobs past 80% of their maximum runtime', async () => {
    // Act
    const { rows } = await warehouse.query('long_running_jobs');

    // Assess
    const elapsed = (t: Truth) => (queriedAt - (t.job.TrainingStartTime ?? t.job.CreationTime!).getTime()) / 1000;
    const over = current.filter(
      (t) => t.job.TrainingJobStatus === 'InProgress' && elapsed(t) >= 0.8 * t.job.StoppingCondition!.MaxRuntimeInSeconds!,
    );
    // Jobs within a minute of the 80% line may fall either side between the two clocks; all others must agree.
    const margin = (t: Truth) => Math.abs(elapsed(t) - 0.8 * t.job.StoppingCondition!.MaxRuntimeInSeconds!) > 60;
    const listed = new Set(rows.map((r) => r.training_job_name));
    for (const t of current.filter((t) => t.job.TrainingJobStatus === 'InProgress' && margin(t))) {
      expect([t.job.TrainingJobName, listed.has(t.job.TrainingJobName)]).toEqual([t.job.TrainingJobName, over.includes(t)]);
    }
  });
});
