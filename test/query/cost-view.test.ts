import type { DescribeTrainingJobResponse } from '@aws-sdk/client-sagemaker';
import type { LocalWarehouse } from '../../cli/warehouse/local-warehouse';
import { utcDate } from '../../lambda/core/publish/layout';
import { SageMakerSimulator } from '../../simulator/server';
import { INSTANCE_TYPES } from '../../simulator/world/job-generator';
import { groupSum } from '../support/compare';
import { SimulatedWarehouse } from '../support/simulated-warehouse';

const ACCOUNT = SageMakerSimulator.defaultAccountId;
const REGIONS = ['us-east-1', 'eu-west-1'];
const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 20, 12);
/** Two weekly price reads: one before a price cut on the P-family instances, one after. */
const PRICE_DATES = [utcDate(new Date(NOW - 90 * DAY)), utcDate(new Date(NOW - 30 * DAY))];
/** Not offered in eu-west-1 in this world: its jobs there, and clusters using it, have no price. */
const UNPRICED = { region: 'eu-west-1', instanceType: 'ml.g5.2xlarge' };

interface Expected {
  readonly job: DescribeTrainingJobResponse;
  readonly tags: Readonly<Record<string, string>>;
  readonly status: 'priced' | 'priced_with_later_price' | 'no_price' | 'not_billed_yet' | 'training_plan' | 'no_instance_type';
  readonly instanceType: string | null;
  readonly priceDate: string | null;
  readonly compute: number | null;
  readonly warmPool: number | null;
  readonly total: number | null;
  readonly onDemand: number | null;
  readonly savings: number | null;
  readonly month: string;
}

const cents = (usd: number) => Math.round(usd * 100) / 100;

/** The (type, count) pairs a job is billed for, read straight from the API's ResourceConfig. */
function billedGroups(job: DescribeTrainingJobResponse): { type: string; count: number }[] {
  const config = job.ResourceConfig!;
  if (config.InstanceGroups?.length) return config.InstanceGroups.map((g) => ({ type: g.InstanceType!, count: g.InstanceCount! }));
  if (config.InstanceType) return [{ type: config.InstanceType, count: config.InstanceCount! }];
  if (config.SelectedInstanceType)
    return [{ type: config.SelectedInstanceType, count: config.SelectedInstanceCount ?? config.InstanceCount! }];
  return [];
}

/** Prepaid: a training plan on the job, or on the preference SageMaker selected. */
function onTrainingPlan(job: DescribeTrainingJobResponse): boolean {
  const config = job.ResourceConfig!;
  const selected = config.InstancePreferences?.find((p) => p.InstanceType === config.SelectedInstanceType);
  return (
    config.TrainingPlanArn !== undefined || (config.SelectedInstanceType !== undefined && (selected?.TrainingPlanArns?.length ?? 0) > 0)
  );
}

describe('the cost view and the cost queries, against prices and jobs from the simulator', () => {
  let setup: SimulatedWarehouse;
  let warehouse: LocalWarehouse;
  let expected: Expected[];
  /** The training rate the simulator listed, per price snapshot date and `region|type`. */
  const listed = new Map<string, Map<string, number>>();

  function priceAt(region: string, type: string, day: string): { rate: number; date: string; later: boolean } | undefined {
    const dates = PRICE_DATES.filter((date) => listed.get(date)!.has(`${region}|${type}`));
    if (dates.length === 0) return undefined;
    const notAfter = dates.filter((date) => date <= day).pop();
    const date = notAfter ?? dates[0];
    return { rate: listed.get(date)!.get(`${region}|${type}`)!, date, later: notAfter === undefined };
  }

  function expectedCost(job: DescribeTrainingJobResponse, region: string, tags: Record<string, string>): Expected {
    const end = job.TrainingEndTime ?? job.CreationTime!;
    const day = end.toISOString().slice(0, 10);
    const groups = billedGroups(job);
    const prices = groups.map((g) => priceAt(region, g.type, day));
    const instanceType = groups.length > 1 ? 'mixed' : (groups[0]?.type ?? null);
    const none = { compute: null, warmPool: null, total: null, onDemand: null, savings: null };
    const base = { job, tags, instanceType, month: end.toISOString().slice(0, 7) };
    const priceDate =
      prices.every((p) => p) && prices.length > 0
        ? prices
            .map((p) => p!.date)
            .sort()
            .pop()!
        : null;
    if (onTrainingPlan(job)) return { ...base, ...none, status: 'training_plan', priceDate };
    if (groups.length === 0 && !job.ResourceConfig!.InstancePreferences?.length)
      return { ...base, ...none, status: 'no_instance_type', priceDate };
    if (job.BillableTimeInSeconds === undefined) return { ...base, ...none, status: 'not_billed_yet', priceDate };
    if (priceDate === null) return { ...base, ...none, status: 'no_price', priceDate };
    const hourly = groups.reduce((sum, g, i) => sum + g.count * prices[i]!.rate, 0);
    const compute = (job.BillableTimeInSeconds * hourly) / 3600;
    const warmPool = ((job.WarmPoolStatus?.ResourceRetainedBillableTimeInSeconds ?? 0) * hourly) / 3600;
    const onDemand = ((job.EnableManagedSpotTraining ? job.TrainingTimeInSeconds! : job.BillableTimeInSeconds) * hourly) / 3600;
    return {
      ...base,
      status: prices.some((p) => p!.later) ? 'priced_with_later_price' : 'priced',
      priceDate,
      compute,
      warmPool,
      total: compute + warmPool,
      onDemand,
      savings: onDemand - compute,
    };
  }

  beforeAll(async () => {
    setup = await SimulatedWarehouse.start({ regions: REGIONS, jobsPerRegion: 250, seed: 1313, now: NOW, historyDays: 150 });
    const world = setup.world;
    world.prices.withdraw(UNPRICED.region, UNPRICED.instanceType);
    for (const [index, date] of PRICE_DATES.entries()) {
      if (index === 1) {
        for (const region of REGIONS) {
          for (const type of ['ml.p3.2xlarge', 'ml.p3.8xlarge', 'ml.p4d.24xlarge', 'ml.p5.48xlarge']) {
            world.prices.reprice(
              region,
              type,
              Math.round(world.prices.trainingRate(region, type)! * 0.75 * 10_000) / 10_000,
              `${date}T00:00:00Z`,
            );
          }
        }
      }
      await setup.prices(date);
      const rates = new Map<string, number>();
      for (const region of REGIONS) {
        for (const [type] of INSTANCE_TYPES) {
          const rate = world.prices.trainingRate(region, type);
          if (rate !== undefined) rates.set(`${region}|${type}`, rate);
        }
      }
      listed.set(date, rates);
    }

    await setup.snapshot(utcDate(new Date(NOW)));
    expected = REGIONS.flatMap((region) =>
      world.plans(ACCOUNT, region).map((plan) => expectedCost(world.describe(plan), region, plan.tags)),
    );
    warehouse = await setup.open();
  }, 120_000);
  afterAll(async () => setup?.stop());

  it('covers every case the costs must handle: on-demand, spot, warm pools, clusters, preferences, no price, older than every price', () => {
    // Assess: the world holds each case, so the comparison below exercises each one.
    const priced = expected.filter((e) => e.total !== null);
    expect(new Set(expected.map((e) => e.status))).toEqual(
      new Set(['priced', 'priced_with_later_price', 'no_price', 'not_billed_yet', 'training_plan', 'no_instance_type']),
    );
    // Prepaid both ways: a plan on the job, and a plan on the selected preference.
    expect(expected.filter((e) => e.status === 'training_plan' && e.job.ResourceConfig!.TrainingPlanArn).length).toBeGreaterThan(0);
    expect(expected.filter((e) => e.status === 'training_plan' && e.job.ResourceConfig!.SelectedInstanceType).length).toBeGreaterThan(0);
    expect(priced.filter((e) => e.job.EnableManagedSpotTraining && e.savings! > 0).length).toBeGreaterThan(5);
    expect(priced.filter((e) => !e.job.EnableManagedSpotTraining).length).toBeGreaterThan(5);
    expect(priced.filter((e) => e.warmPool! > 0).length).toBeGreaterThan(0);
    expect(priced.filter((e) => e.instanceType === 'mixed').length).toBeGreaterThan(0);
    expect(priced.filter((e) => e.job.ResourceConfig!.SelectedInstanceType).length).toBeGreaterThan(0);
    expect(expected.filter((e) => e.status === 'no_price' && e.instanceType !== 'mixed').length).toBeGreaterThan(0);
    // A cluster with one unpriced group is not priced at all, rather than priced in part.
    expect(expected.filter((e) => e.status === 'no_price' && e.instanceType === 'mixed').length).toBeGreaterThan(0);
    // Jobs priced by each of the two snapshots, across the price cut.
    expect(new Set(priced.map((e) => e.priceDate))).toEqual(new Set(PRICE_DATES));
  });

  it("prices every job as computed from the API's job and the listed prices, to the cent", async () => {
    // Act
    const { rows } = await warehouse.query('SELECT * FROM sagemaker_training_job_cost');

    // Assess
    const byArn = new Map(rows.map((row) => [row._key as string, row]));
    expect(byArn.size).toBe(expected.length);
    const wrong: string[] = [];
    for (const e of expected) {
      const row = byArn.get(e.job.TrainingJobArn!)!;
      const checks: [string, unknown, unknown][] = [
        ['cost_status', row.cost_status, e.status],
        ['instance_type', row.instance_type, e.instanceType],
        ['price_snapshot_date', row.price_snapshot_date, e.priceDate],
        ['cost_month', row.cost_month, e.month],
      ];
      for (const [column, value] of [
        ['compute_cost_usd', e.compute],
        ['warm_pool_cost_usd', e.warmPool],
        ['total_cost_usd', e.total],
        ['on_demand_equivalent_usd', e.onDemand],
        ['spot_savings_usd', e.savings],
      ] as const) {
        const stored = row[column] === null ? null : Number(row[column]);
        checks.push([column, stored === null || value === null ? stored : Math.abs(stored - value) < 0.005 ? value : stored, value]);
      }
      for (const [column, actual, wanted] of checks) {
        if (actual !== wanted) wrong.push(`${e.job.TrainingJobName}.${column}: ${JSON.stringify(actual)} ≠ ${JSON.stringify(wanted)}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("gives the flat view, for QuickSight, each job's cost as computed independently, to the cent", async () => {
    // Act
    const { rows } = await warehouse.query(
      'SELECT training_job_arn, total_cost_usd, compute_cost_usd, cost_status, usd_per_hour FROM sagemaker_training_job_flat',
    );

    // Assess
    const byArn = new Map(rows.map((row) => [row.training_job_arn as string, row]));
    const wrong = expected.flatMap((e) => {
      const row = byArn.get(e.job.TrainingJobArn!);
      const total = row?.total_cost_usd === null || row === undefined ? null : Number(row.total_cost_usd);
      const matches =
        row !== undefined &&
        row.cost_status === e.status &&
        (total === null ? e.total === null : e.total !== null && Math.abs(total - e.total) < 0.005);
      return matches ? [] : [`${e.job.TrainingJobName}: ${JSON.stringify(row)} ≠ ${e.status} ${e.total}`];
    });
    expect(byArn.size).toBe(expected.length);
    expect(wrong).toEqual([]);
  });

  it('costs a cluster whose API answer also has a top-level InstanceType and InstanceCount by its groups alone, once', async () => {
    // Prepare: the clusters the API describes both ways, and their instances counted from the groups only.
    const both = expected.filter(
      (e) => e.job.ResourceConfig!.InstanceGroups?.length && e.job.ResourceConfig!.InstanceType && e.total !== null,
    );
    const groupInstances = (e: Expected) => e.job.ResourceConfig!.InstanceGroups!.reduce((sum, g) => sum + g.InstanceCount!, 0);

    // Act
    const { rows } = await warehouse.query('SELECT _key, instance_count, total_cost_usd FROM sagemaker_training_job_cost');

    // Assess
    const byArn = new Map(rows.map((row) => [row._key as string, row]));
    expect(both.length).toBeGreaterThan(0);
    expect(
      both.map((e) => [
        Number(byArn.get(e.job.TrainingJobArn!)!.instance_count),
        cents(Number(byArn.get(e.job.TrainingJobArn!)!.total_cost_usd)),
      ]),
    ).toEqual(both.map((e) => [groupInstances(e), cents(e.total!)]));
  });

  it('gives training-plan and instance-less (serverless) jobs their own cost_status and no cost, never an instance-hour price', async () => {
    // Prepare
    const unpriced = expected.filter((e) => e.status === 'training_plan' || e.status === 'no_instance_type');

    // Act
    const { rows } = await warehouse.query(
      "SELECT _key, cost_status, compute_cost_usd, total_cost_usd FROM sagemaker_training_job_cost WHERE cost_status IN ('training_plan', 'no_instance_type')",
    );

    // Assess
    expect(unpriced.filter((e) => e.status === 'no_instance_type').length).toBeGreaterThan(0);
    expect(rows.map((r) => [r._key, r.cost_status, r.compute_cost_usd, r.total_cost_usd]).sort()).toEqual(
      unpriced.map((e) => [e.job.TrainingJobArn, e.status, null, null]).sort(),
    );
  });

  it('cost_by_month and cost_by_team_and_month add the jobs up to the cent', async () => {
    // Prepare
    const priced = expected.filter((e) => e.total !== null);
    const byMonth = groupSum(
      priced,
      (e) => e.month,
      (e) => e.total!,
    );
    const withoutPrice = groupSum(
      expected,
      (e) => e.month,
      (e) => (e.status === 'no_price' ? 1 : 0),
    );
    const byTeam = groupSum(
      priced,
      (e) => `${e.month}|${e.tags.team ?? '(untagged)'}`,
      (e) => e.total!,
    );

    // Act
    const months = await warehouse.query('cost_by_month');
    const teams = await warehouse.query('cost_by_team_and_month');

    // Assess
    expect(
      Object.fromEntries(
        months.rows.map((r) => [r.month, [Number(r.jobs_without_price), r.total_cost_usd === null ? null : Number(r.total_cost_usd)]]),
      ),
    ).toEqual(
      Object.fromEntries([...withoutPrice].map(([month, n]) => [month, [n, byMonth.has(month) ? cents(byMonth.get(month)!) : null]])),
    );
    expect(Object.fromEntries(teams.rows.map((r) => [`${r.month}|${r.team}`, Number(r.total_cost_usd)]))).toEqual(
      Object.fromEntries([...byTeam].map(([key, usd]) => [key, cents(usd)])),
    );
  });

  it('cost_by_instance_type and spot_savings_by_month add the jobs up to the cent', async () => {
    // Prepare
    const priced = expected.filter((e) => e.total !== null);
    const byType = groupSum(
      priced,
      (e) => e.instanceType!,
      (e) => e.total!,
    );
    const spot = priced.filter((e) => e.job.EnableManagedSpotTraining);
    const savings = groupSum(
      spot,
      (e) => e.month,
      (e) => e.savings!,
    );

    // Act
    const types = await warehouse.query('cost_by_instance_type');
    const spotMonths = await warehouse.query('spot_savings_by_month');

    // Assess
    expect(Object.fromEntries(types.rows.map((r) => [r.instance_type, Number(r.total_cost_usd)]))).toEqual(
      Object.fromEntries([...byType].map(([k, v]) => [k, cents(v)])),
    );
    expect(Object.fromEntries(spotMonths.rows.map((r) => [r.month, Number(r.spot_savings_usd)]))).toEqual(
      Object.fromEntries([...savings].map(([k, v]) => [k, cents(v)])),
    );
  });

  it('most_expensive_jobs lists the 20 costliest jobs, most expensive first', async () => {
    // Prepare
    const top = expected
      .filter((e) => e.total !== null)
      .sort((a, b) => b.total! - a.total!)
      .slice(0, 20);

    // Act
    const { rows } = await warehouse.query('most_expensive_jobs');

    // Assess
    expect(rows.map((r) => [r.training_job_name, Number(r.total_cost_usd)])).toEqual(
      top.map((e) => [e.job.TrainingJobName, cents(e.total!)]),
    );
  });

  it('failed_and_stopped_spend_by_team sums what failed and stopped jobs cost, per team and status', async () => {
    // Prepare
    const wasted = expected.filter((e) => e.total !== null && ['Failed', 'Stopped'].includes(e.job.TrainingJobStatus!));
    const byTeam = groupSum(
      wasted,
      (e) => `${e.tags.team ?? '(untagged)'}|${e.job.TrainingJobStatus}`,
      (e) => e.total!,
    );

    // Act
    const { rows } = await warehouse.query('failed_and_stopped_spend_by_team');

    // Assess
    expect(Object.fromEntries(rows.map((r) => [`${r.team}|${r.training_job_status}`, Number(r.total_cost_usd)]))).toEqual(
      Object.fromEntries([...byTeam].map(([k, v]) => [k, cents(v)])),
    );
  });
});
