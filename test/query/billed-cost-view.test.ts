import type { LocalWarehouse } from '../../cli/warehouse/local-warehouse';
import { utcDate } from '../../lambda/core/publish/layout';
import { SageMakerSimulator } from '../../simulator/server';
import { coveredBySavingsPlan, SIMULATED_BILL, type CurLine } from '../../simulator/world/cost-and-usage-report';
import { describeJobAt, TIME } from '../../simulator/world/job-generator';
import { SimulatedWarehouse } from '../support/simulated-warehouse';

const ACCOUNT = SageMakerSimulator.defaultAccountId;
const REGIONS = ['us-east-1', 'eu-west-1'];
/** Early on the first of a month: jobs still running since the previous month are billed in both periods. */
const NOW = Date.UTC(2026, 11, 1, 5);

const cents = (usd: number) => Math.round(usd * 100) / 100;
const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);

/** Effective (amortized) cost of one line, as AWS's CUR query library defines it, computed here without the SQL. */
function effectiveCost(line: CurLine): number {
  switch (line.line_item_line_item_type) {
    case 'SavingsPlanCoveredUsage':
      return line.savings_plan_savings_plan_effective_cost ?? 0;
    case 'SavingsPlanNegation':
      return 0;
    case 'DiscountedUsage':
      return line.reservation_effective_cost ?? 0;
    default:
      return line.line_item_unblended_cost;
  }
}

/** The simulator's usage types: `<prefix>-Train:ml.<type>`, `<prefix>-TrainWarmPool:ml.<type>`, `<prefix>-Train:VolumeUsage.gp2`. */
function usageKind(line: CurLine): 'compute' | 'warm_pool' | 'storage' {
  if (line.line_item_usage_type.endsWith(':VolumeUsage.gp2')) return 'storage';
  return line.line_item_usage_type.includes('-TrainWarmPool:') ? 'warm_pool' : 'compute';
}

function isTrainingJobLine(line: CurLine): boolean {
  return (
    line.line_item_product_code === 'AmazonSageMaker' &&
    /^arn:aws:sagemaker:[a-z0-9-]+:\d{12}:training-job\//i.test(line.line_item_resource_id)
  );
}

interface ExpectedBill {
  readonly unblended: number;
  readonly effective: number;
  readonly publicOnDemand: number;
  readonly byKind: Record<'compute' | 'warm_pool' | 'storage', number>;
  readonly lines: number;
  readonly periods: number;
}

function expectedBill(lines: readonly CurLine[]): ExpectedBill {
  const byKind = { compute: 0, warm_pool: 0, storage: 0 };
  for (const line of lines) byKind[usageKind(line)] += effectiveCost(line);
  return {
    unblended: sum(lines.map((l) => l.line_item_unblended_cost)),
    effective: sum(lines.map(effectiveCost)),
    publicOnDemand: sum(lines.map((l) => l.pricing_public_on_demand_cost ?? 0)),
    byKind,
    lines: lines.length,
    periods: new Set(lines.map((l) => l.billing_period)).size,
  };
}

describe('the billed-cost view and queries, against the CUR 2.0 export the simulator writes', () => {
  let setup: SimulatedWarehouse;
  let warehouse: LocalWarehouse;
  let bill: CurLine[];
  /** Training-job lines by lower-cased ARN. */
  const linesByArn = new Map<string, CurLine[]>();
  let rows: readonly Record<string, unknown>[];
  /** A job whose lines name it in upper case, as a resource ID may. */
  let upperCased: string;
  /** A job created moments before the last snapshot: no instance has started, so no line names it. */
  const JUST_CREATED = 'just-created-still-starting';
  const deletedUnseen: string[] = [];
  const deletedSeen: string[] = [];

  function endedJobNames(region: string, count: number): string[] {
    const world = setup.world;
    return world
      .plans(ACCOUNT, region)
      .filter((plan) => describeJobAt(plan, world.now())?.TrainingEndTime)
      .slice(0, count)
      .map((plan) => plan.name);
  }

  beforeAll(async () => {
    setup = await SimulatedWarehouse.start({ regions: REGIONS, jobsPerRegion: 220, now: NOW - TIME.DAY, seed: 22 });
    // Jobs deleted before any snapshot saw them: billed, in no inventory row.
    for (const name of endedJobNames('us-east-1', 2)) {
      deletedUnseen.push(setup.world.findByName(ACCOUNT, 'us-east-1', name)!.arn);
      setup.world.deleteJob(ACCOUNT, 'us-east-1', name);
    }
    await setup.snapshot(utcDate(new Date(setup.world.now())));
    await setup.prices(utcDate(new Date(setup.world.now() - 200 * TIME.DAY)));
    // Jobs deleted after a snapshot saw them: the inventory explains their spend, though they left current.
    for (const name of endedJobNames('eu-west-1', 3)) {
      deletedSeen.push(setup.world.findByName(ACCOUNT, 'eu-west-1', name)!.arn);
      setup.world.deleteJob(ACCOUNT, 'eu-west-1', name);
    }
    setup.world.advance(TIME.DAY, { deleteRate: 0 });
    setup.world.createJobNamed(ACCOUNT, 'us-east-1', JUST_CREATED);
    await setup.snapshot(utcDate(new Date(setup.world.now())));
    upperCased = endedJobNames('us-east-1', 1)[0];
    const upperArn = setup.world.findByName(ACCOUNT, 'us-east-1', upperCased)!.arn;
    bill = setup.world
      .costAndUsageReport()
      .map((line) =>
        line.line_item_resource_id === upperArn
          ? { ...line, line_item_resource_id: upperArn.replace(/\/.*$/, `/${upperCased.toUpperCase()}`) }
          : line,
      );
    for (const line of bill.filter(isTrainingJobLine)) {
      const arn = line.line_item_resource_id.toLowerCase();
      linesByArn.set(arn, [...(linesByArn.get(arn) ?? []), line]);
    }
    warehouse = await setup.open({ curExport: await setup.costAndUsageReport(bill) });
    rows = (await warehouse.query('SELECT * FROM sagemaker_training_job_billed_cost')).rows;
  }, 120_000);
  afterAll(() => setup?.stop());

  it('matches every job of current to the cent: unblended, effective, public on-demand and each usage kind', () => {
    // Prepare
    const round = (value: unknown) => (value === null ? null : cents(value as number));

    // Act
    const actual = rows.map((row) => ({
      arn: row.training_job_arn,
      unblended: round(row.unblended_cost_usd),
      effective: round(row.effective_cost_usd),
      publicOnDemand: round(row.public_on_demand_cost_usd),
      compute: round(row.compute_effective_cost_usd),
      warmPool: round(row.warm_pool_effective_cost_usd),
      storage: round(row.storage_effective_cost_usd),
      lines: Number(row.billed_line_items),
    }));

    // Assess
    const expected = rows.map((row) => {
      const lines = linesByArn.get((row.training_job_arn as string).toLowerCase()) ?? [];
      const bill = expectedBill(lines);
      const costs = (value: number) => (lines.length === 0 ? null : cents(value));
      return {
        arn: row.training_job_arn,
        unblended: costs(bill.unblended),
        effective: costs(bill.effective),
        publicOnDemand: costs(bill.publicOnDemand),
        compute: costs(bill.byKind.compute),
        warmPool: costs(bill.byKind.warm_pool),
        storage: costs(bill.byKind.storage),
        lines: bill.lines,
      };
    });
    expect(rows.length).toBeGreaterThan(300);
    expect(actual).toEqual(expected);
  });

  it('gives a job no line names NULL costs and billing_status not_in_bill, never 0', () => {
    // Act
    const unbilled = rows.filter((row) => !linesByArn.has((row.training_job_arn as string).toLowerCase()));

    // Assess
    expect(unbilled.map((row) => row.training_job_name)).toContain(JUST_CREATED);
    for (const row of unbilled) {
      expect(row).toMatchObject({
        billing_status: 'not_in_bill',
        unblended_cost_usd: null,
        effective_cost_usd: null,
        billed_line_items: '0',
      });
    }
  });

  it('nets a Savings Plan job to its plan rate: unblended compute cancels out, effective compute is the plan share of on-demand', () => {
    // Prepare
    const covered = rows.filter((row) => {
      const plan = setup.world.everyPlanEver().find((p) => p.arn === row.training_job_arn);
      return plan && coveredBySavingsPlan(plan) && (row.compute_effective_cost_usd as number) > 0;
    });

    // Act
    const checks = covered.map((row) => {
      const lines = linesByArn.get(row.training_job_arn as string)!;
      const compute = lines.filter((l) => usageKind(l) === 'compute');
      return {
        computeUnblended: cents(sum(compute.map((l) => l.line_item_unblended_cost))),
        effectiveCompute: cents(row.compute_effective_cost_usd as number),
        unblendedBesidesCompute: cents((row.unblended_cost_usd as number) - sum(compute.map((l) => l.line_item_unblended_cost))),
      };
    });

    // Assess
    expect(covered.length).toBeGreaterThan(0);
    expect(checks).toEqual(
      covered.map((row) => {
        const lines = linesByArn.get(row.training_job_arn as string)!;
        const onDemand = sum(
          lines.filter((l) => l.line_item_line_item_type === 'SavingsPlanCoveredUsage').map((l) => l.line_item_unblended_cost),
        );
        const others = lines.filter((l) => usageKind(l) !== 'compute');
        return {
          computeUnblended: 0,
          effectiveCompute: cents(onDemand * SIMULATED_BILL.savingsPlanRate),
          unblendedBesidesCompute: cents(sum(others.map((l) => l.line_item_unblended_cost))),
        };
      }),
    );
  });

  it("bills a finished managed spot job's compute on its billable seconds, as the inventory reads them", async () => {
    // Prepare
    const { rows: spot } = await warehouse.query(
      "SELECT b.training_job_arn, e.billable_instance_seconds, e.instance_count FROM sagemaker_training_job_billed_cost AS b JOIN sagemaker_training_job_cost AS e ON e._key = b._key AND e.creation_time = b.creation_time WHERE e.managed_spot_training = 'true' AND e.training_end_time IS NOT NULL AND b.billing_status = 'billed' AND e.cost_status = 'priced'",
    );

    // Act
    const billedSeconds = spot.map((row) => {
      const compute = linesByArn.get((row.training_job_arn as string).toLowerCase())!.filter((l) => usageKind(l) === 'compute');
      return sum(compute.map((l) => l.line_item_usage_amount)) * 3600;
    });

    // Assess: within a second per instance, the rounding of TrainingTimeInSeconds.
    expect(spot.length).toBeGreaterThan(0);
    spot.forEach((row, i) => {
      expect(Math.abs(billedSeconds[i] - Number(row.billable_instance_seconds))).toBeLessThanOrEqual(Number(row.instance_count));
    });
  });

  it('adds up a job billed in two billing periods across both', () => {
    // Act
    const spanning = rows.filter((row) => Number(row.billing_periods) === 2);

    // Assess
    expect(spanning.length).toBeGreaterThan(0);
    for (const row of spanning) {
      const lines = linesByArn.get((row.training_job_arn as string).toLowerCase())!;
      expect(new Set(lines.map((l) => l.billing_period)).size).toBe(2);
      expect(cents(row.effective_cost_usd as number)).toBe(cents(expectedBill(lines).effective));
    }
  });

  it('matches a resource ID that names the job in other letter case', () => {
    // Prepare
    const lines = [...linesByArn.values()].find((l) => l[0].line_item_resource_id.endsWith(`/${upperCased.toUpperCase()}`))!;

    // Act
    const row = rows.find((r) => r.training_job_name === upperCased)!;

    // Assess
    expect(lines.length).toBeGreaterThan(0);
    expect({ lines: Number(row.billed_line_items), effective: cents(row.effective_cost_usd as number) }).toEqual({
      lines: lines.length,
      effective: cents(expectedBill(lines).effective),
    });
  });

  it('lists as unattributed exactly the training lines of jobs no inventory row holds, per account and month', async () => {
    // Prepare
    const seen = new Set(
      (await warehouse.query('SELECT DISTINCT lower(training_job_arn) AS arn FROM sagemaker_training_job')).rows.map(
        (r) => r.arn as string,
      ),
    );
    const expected = new Map<string, { unblended: number; effective: number; lines: number }>();
    for (const [arn, lines] of linesByArn) {
      if (seen.has(arn)) continue;
      for (const line of lines) {
        const key = `${line.line_item_usage_account_id}|${line.billing_period}`;
        const entry = expected.get(key) ?? { unblended: 0, effective: 0, lines: 0 };
        expected.set(key, {
          unblended: entry.unblended + line.line_item_unblended_cost,
          effective: entry.effective + effectiveCost(line),
          lines: entry.lines + 1,
        });
      }
    }

    // Act
    const { rows: unattributed } = await warehouse.query('unattributed_training_spend');

    // Assess
    const actual = new Map(
      unattributed.map((r) => [
        `${r.account_id}|${r.month}`,
        { unblended: r.unblended_cost_usd, effective: r.effective_cost_usd, lines: Number(r.line_items) },
      ]),
    );
    expect(actual).toEqual(
      new Map([...expected].map(([key, e]) => [key, { unblended: cents(e.unblended), effective: cents(e.effective), lines: e.lines }])),
    );
    expect([...actual.keys()].some((key) => key.startsWith(`${SIMULATED_BILL.uncoveredAccount}|`))).toBe(true);
  });

  it('counts a job deleted before any snapshot as unattributed, and one deleted after a snapshot saw it as explained', async () => {
    // Prepare
    const seen = new Set(
      (await warehouse.query('SELECT DISTINCT lower(training_job_arn) AS arn FROM sagemaker_training_job_all')).rows.map(
        (r) => r.arn as string,
      ),
    );

    // Act
    const unseenBilled = deletedUnseen.filter((arn) => linesByArn.has(arn) && !seen.has(arn));
    const seenBilled = deletedSeen.filter((arn) => linesByArn.has(arn) && seen.has(arn));

    // Assess
    expect(unseenBilled).toEqual(deletedUnseen);
    expect(seenBilled).toEqual(deletedSeen);
  });

  it('leaves out every line that names no training job: tax, credits, the plan fee, other products, processing jobs and endpoints', async () => {
    // Prepare
    const noise = bill.filter((line) => !isTrainingJobLine(line));
    const kinds = new Set(
      noise.map(
        (l) => `${l.line_item_line_item_type}:${l.line_item_product_code}:${l.line_item_resource_id.split(':')[5]?.split('/')[0] ?? ''}`,
      ),
    );

    // Act
    const { rows: lineCount } = await warehouse.query('SELECT count(*) AS n FROM sagemaker_cur_training_line');

    // Assess
    expect(kinds).toEqual(
      new Set([
        'Tax:AmazonSageMaker:',
        'Credit:AmazonSageMaker:',
        'SavingsPlanRecurringFee:AmazonSageMaker:',
        'Usage:AmazonS3:',
        'Usage:AmazonEC2:',
        'Usage:AmazonSageMaker:processing-job',
        'Usage:AmazonSageMaker:endpoint',
      ]),
    );
    expect(Number(lineCount[0].n)).toBe(bill.length - noise.length);
  });

  it('sums billed cost by team and month from the lines and the inventory tags', async () => {
    // Prepare
    const teamOf = new Map(
      rows.map((row) => [(row.training_job_arn as string).toLowerCase(), (row.tag_team as string | null) ?? '(untagged)']),
    );
    const expected = new Map<string, number>();
    for (const [arn, lines] of linesByArn) {
      const team = teamOf.get(arn);
      if (team === undefined) continue;
      for (const line of lines)
        expected.set(`${line.billing_period}|${team}`, (expected.get(`${line.billing_period}|${team}`) ?? 0) + effectiveCost(line));
    }

    // Act
    const { rows: byTeam } = await warehouse.query('billed_cost_by_team_and_month');

    // Assess
    expect(new Map(byTeam.map((r) => [`${r.month}|${r.team}`, r.effective_cost_usd]))).toEqual(
      new Map([...expected].map(([key, usd]) => [key, cents(usd)])),
    );
  });
});
