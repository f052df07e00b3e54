import type { DescribeTrainingJobResponse, ResourceConfig } from '@aws-sdk/client-sagemaker';
import { describeJobAt, TIME, TrainingJobGenerator, type TrainingJobPlan } from './job-generator';
import { PRICED_REGIONS, type SimulatedPriceList } from './price-list';

/**
 * One CUR 2.0 line item as AWS Data Exports writes it: the snake_case columns of
 * glue-schema/cost_and_usage_report.json, timestamps in ms since the epoch, and its billing period.
 */
export interface CurLine {
  readonly bill_payer_account_id: string;
  readonly line_item_usage_account_id: string;
  readonly line_item_line_item_type: CurLineItemType;
  readonly line_item_product_code: string;
  readonly line_item_usage_type: string;
  readonly line_item_operation: string;
  readonly line_item_resource_id: string;
  readonly line_item_usage_start_date: number;
  readonly line_item_usage_end_date: number;
  readonly line_item_usage_amount: number;
  readonly line_item_unblended_cost: number;
  readonly line_item_currency_code: string;
  readonly line_item_line_item_description: string;
  readonly pricing_unit: string;
  readonly pricing_public_on_demand_cost: number | null;
  readonly savings_plan_savings_plan_a_r_n: string;
  readonly savings_plan_savings_plan_effective_cost: number | null;
  readonly reservation_effective_cost: number | null;
  readonly product_region_code: string;
  readonly resource_tags: ReadonlyMap<string, string>;
  readonly product: ReadonlyMap<string, string>;
  readonly cost_category: ReadonlyMap<string, string>;
  /** YYYY-MM: the export's data/BILLING_PERIOD=YYYY-MM/ folder. */
  readonly billing_period: string;
}

export type CurLineItemType =
  'Usage' | 'SavingsPlanCoveredUsage' | 'SavingsPlanNegation' | 'SavingsPlanRecurringFee' | 'DiscountedUsage' | 'Tax' | 'Credit';

/** The bill's rates and shares, one place for what the simulated bill charges. */
export const SIMULATED_BILL = {
  /** Training ML storage, per GB-month. */
  storageUsdPerGbMonth: 0.14,
  /** What a Savings Plan charges against the on-demand rate of the usage it covers. */
  savingsPlanRate: 0.64,
  /** One job in this many (by ARN) runs under the Savings Plan, on-demand only. */
  savingsPlanOneIn: 4,
  /** The plan's monthly fee against the effective cost it covered: a little of the commitment goes unused. */
  savingsPlanFeeShare: 1.08,
  taxShare: 0.08,
  monthlyCreditUsd: -25,
  /** The account outside the inventory whose training jobs are in the bill. */
  uncoveredAccount: '555566667777',
  uncoveredJobs: 6,
} as const;

/** What the simulated bill is made from: every job ever planned (deleted ones too), the prices and the clock. */
export interface BillSource {
  readonly plans: readonly TrainingJobPlan[];
  readonly prices: SimulatedPriceList;
  readonly now: number;
  /** The payer (management) account. @default the first plan's account */
  readonly payerAccount?: string;
}

const round10 = (value: number) => Math.round(value * 1e10) / 1e10;
const monthOf = (ms: number) => new Date(ms).toISOString().slice(0, 7);
const startOfNextMonth = (ms: number) => {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
};

/** The lines of the simulated CUR 2.0 export, in a stable order. */
export function costAndUsageReportLines(source: BillSource): CurLine[] {
  const payer = source.payerAccount ?? source.plans[0]?.accountId ?? SIMULATED_BILL.uncoveredAccount;
  const plans = [...source.plans, ...uncoveredAccountPlans(source)];
  const lines: CurLine[] = [];
  for (const plan of plans) lines.push(...trainingJobLines(plan, source, payer));
  lines.push(...accountLines(lines, source.now, payer));
  return lines;
}

/** A few jobs of an account the inventory does not cover: their spend is the unattributed kind. */
function uncoveredAccountPlans(source: BillSource): TrainingJobPlan[] {
  const region = source.plans[0]?.region ?? 'us-east-1';
  const generator = new TrainingJobGenerator({ accountId: SIMULATED_BILL.uncoveredAccount, region, seed: 55 });
  return Array.from({ length: SIMULATED_BILL.uncoveredJobs }, (_, i) => generator.plan(source.now - (i + 1) * 23 * TIME.DAY));
}

interface InstanceGroup {
  readonly type: string;
  readonly count: number;
}

/** What the job is billed instance-hours for, as the cost view reads ResourceConfig; none for prepaid training-plan capacity. */
function billedInstanceGroups(config: ResourceConfig | undefined): InstanceGroup[] {
  if (!config) return [];
  const selected = config.InstancePreferences?.find((p) => p.InstanceType === config.SelectedInstanceType);
  if (config.TrainingPlanArn || (selected?.TrainingPlanArns?.length ?? 0) > 0) return [];
  if (config.InstanceGroups?.length) return config.InstanceGroups.map((g) => ({ type: g.InstanceType!, count: g.InstanceCount ?? 1 }));
  const type = config.InstanceType ?? config.SelectedInstanceType;
  const count = config.SelectedInstanceCount ?? config.InstanceCount;
  return type && count ? [{ type, count }] : [];
}

/** Whether the plan's on-demand compute runs under the Savings Plan (spot never does). */
export function coveredBySavingsPlan(plan: TrainingJobPlan): boolean {
  let hash = 0;
  for (const char of plan.arn) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return !plan.spot && hash % SIMULATED_BILL.savingsPlanOneIn === 0;
}

/** Hour-aligned pieces of [from, to): each within one hour, so within one billing period. */
function hourlyPieces(from: number, to: number): { start: number; end: number }[] {
  const pieces: { start: number; end: number }[] = [];
  for (let start = from; start < to;) {
    const end = Math.min(to, Math.floor(start / TIME.HOUR) * TIME.HOUR + TIME.HOUR);
    pieces.push({ start, end });
    start = end;
  }
  return pieces;
}

function trainingJobLines(plan: TrainingJobPlan, source: BillSource, payer: string): CurLine[] {
  const job = describeJobAt(plan, source.now);
  if (!job?.TrainingStartTime) return [];
  const trainingStart = job.TrainingStartTime.getTime();
  const trainingEnd = job.TrainingEndTime?.getTime() ?? source.now;
  // Managed spot bills its billable seconds: the share of the training time the instances really ran.
  const billableShare = job.TrainingTimeInSeconds ? (job.BillableTimeInSeconds ?? 0) / job.TrainingTimeInSeconds : plan.billableRatio;
  const base = { plan, job, payer };
  const lines: CurLine[] = [];
  for (const group of billedInstanceGroups(job.ResourceConfig)) {
    const rate = source.prices.trainingRate(plan.region, group.type);
    if (rate === undefined) continue;
    for (const piece of hourlyPieces(trainingStart, trainingEnd))
      lines.push(...computeLines(base, group, rate, piece, billableShare, coveredBySavingsPlan(plan)));
    if (plan.keepAliveSeconds && job.TrainingEndTime) {
      const retainedUntil = Math.min(source.now, trainingEnd + plan.keepAliveSeconds * TIME.SECOND);
      for (const piece of hourlyPieces(trainingEnd, retainedUntil)) lines.push(warmPoolLine(base, group, rate, piece));
    }
  }
  lines.push(...storageLines(base, trainingStart, trainingEnd));
  return lines;
}

interface LineBase {
  readonly plan: TrainingJobPlan;
  readonly job: DescribeTrainingJobResponse;
  readonly payer: string;
}

function usagePrefix(region: string): string {
  return PRICED_REGIONS[region]?.usagePrefix ?? region.toUpperCase();
}

function line(
  base: LineBase,
  fields: Partial<CurLine> & Pick<CurLine, 'line_item_usage_start_date' | 'line_item_usage_end_date'>,
): CurLine {
  const { plan, payer } = base;
  return {
    bill_payer_account_id: payer,
    line_item_usage_account_id: plan.accountId,
    line_item_line_item_type: 'Usage',
    line_item_product_code: 'AmazonSageMaker',
    line_item_usage_type: '',
    line_item_operation: 'RunInstance',
    line_item_resource_id: plan.arn,
    line_item_usage_amount: 0,
    line_item_unblended_cost: 0,
    line_item_currency_code: 'USD',
    line_item_line_item_description: '',
    pricing_unit: 'Hrs',
    pricing_public_on_demand_cost: null,
    savings_plan_savings_plan_a_r_n: '',
    savings_plan_savings_plan_effective_cost: null,
    reservation_effective_cost: null,
    product_region_code: plan.region,
    resource_tags: new Map(Object.entries(plan.tags).map(([key, value]) => [`user_${key}`, value])),
    product: new Map([
      ['product_name', 'Amazon SageMaker'],
      ['region', plan.region],
    ]),
    cost_category: new Map(),
    billing_period: monthOf(fields.line_item_usage_start_date),
    ...fields,
  };
}

function savingsPlanArn(payer: string): string {
  return `arn:aws:savingsplans::${payer}:savingsplan/5e1f0a7c-sim-0000-0000-sagemaker0001`;
}

/** One hour of one instance group: a Usage line, or under the Savings Plan its covered-usage line and the negation. */
function computeLines(
  base: LineBase,
  group: InstanceGroup,
  rate: number,
  piece: { start: number; end: number },
  billableShare: number,
  covered: boolean,
): CurLine[] {
  const hours = round10(((piece.end - piece.start) / TIME.HOUR) * billableShare * group.count);
  const cost = round10(hours * rate);
  const fields = {
    line_item_usage_type: `${usagePrefix(base.plan.region)}-Train:${group.type}`,
    line_item_usage_start_date: piece.start,
    line_item_usage_end_date: piece.end,
    line_item_usage_amount: hours,
    line_item_unblended_cost: cost,
    pricing_public_on_demand_cost: cost,
    line_item_line_item_description: `$${rate} per Hour for ${group.type} Training`,
  };
  if (!covered) return [line(base, fields)];
  const effective = round10(cost * SIMULATED_BILL.savingsPlanRate);
  const arn = savingsPlanArn(base.payer);
  return [
    line(base, {
      ...fields,
      line_item_line_item_type: 'SavingsPlanCoveredUsage',
      savings_plan_savings_plan_a_r_n: arn,
      savings_plan_savings_plan_effective_cost: effective,
      line_item_line_item_description: `SageMaker Savings Plan covered usage of ${group.type} Training`,
    }),
    line(base, {
      ...fields,
      line_item_line_item_type: 'SavingsPlanNegation',
      line_item_unblended_cost: -cost,
      pricing_public_on_demand_cost: 0,
      savings_plan_savings_plan_a_r_n: arn,
      line_item_line_item_description: `SavingsPlanNegation used by AccountId : ${base.plan.accountId} and UsageSku : ${group.type}`,
    }),
  ];
}

/** One hour of a warm pool kept after the job, at the instance's training rate. */
function warmPoolLine(base: LineBase, group: InstanceGroup, rate: number, piece: { start: number; end: number }): CurLine {
  const hours = round10(((piece.end - piece.start) / TIME.HOUR) * group.count);
  const cost = round10(hours * rate);
  return line(base, {
    line_item_usage_type: `${usagePrefix(base.plan.region)}-TrainWarmPool:${group.type}`,
    line_item_usage_start_date: piece.start,
    line_item_usage_end_date: piece.end,
    line_item_usage_amount: hours,
    line_item_unblended_cost: cost,
    pricing_public_on_demand_cost: cost,
    line_item_line_item_description: `$${rate} per Hour for ${group.type} Training Warm Pool`,
  });
}

/** The job's ML storage volume in GB-months, one line per billing period it ran in. */
function storageLines(base: LineBase, from: number, to: number): CurLine[] {
  const config = base.job.ResourceConfig;
  const gigabytes = (config?.VolumeSizeInGB ?? 0) * instanceCount(config);
  if (gigabytes === 0) return [];
  const lines: CurLine[] = [];
  for (let start = from; start < to; start = startOfNextMonth(start)) {
    const end = Math.min(to, startOfNextMonth(start));
    const monthMs = startOfNextMonth(start) - Date.parse(`${monthOf(start)}-01T00:00:00Z`);
    const amount = round10((gigabytes * (end - start)) / monthMs);
    const cost = round10(amount * SIMULATED_BILL.storageUsdPerGbMonth);
    lines.push(
      line(base, {
        line_item_usage_type: `${usagePrefix(base.plan.region)}-Train:VolumeUsage.gp2`,
        line_item_operation: 'CreateVolume-Gp2',
        line_item_usage_start_date: start,
        line_item_usage_end_date: end,
        line_item_usage_amount: amount,
        line_item_unblended_cost: cost,
        pricing_public_on_demand_cost: cost,
        pricing_unit: 'GB-Mo',
        line_item_line_item_description: `$${SIMULATED_BILL.storageUsdPerGbMonth} per GB-Mo of Training Job ML storage`,
      }),
    );
  }
  return lines;
}

function instanceCount(config: ResourceConfig | undefined): number {
  if (config?.InstanceGroups?.length) return config.InstanceGroups.reduce((sum, g) => sum + (g.InstanceCount ?? 0), 0);
  return config?.SelectedInstanceCount ?? config?.InstanceCount ?? 1;
}

/**
 * The lines that name no training job, per usage account and month: the Savings Plan's recurring fee,
 * tax, a credit, and other products and SageMaker resources (S3, EC2, a processing job, an endpoint).
 */
function accountLines(trainingLines: readonly CurLine[], now: number, payer: string): CurLine[] {
  const months = new Map<string, { account: string; region: string; month: string; start: number; usage: number; covered: number }>();
  for (const l of trainingLines) {
    const key = `${l.line_item_usage_account_id}/${l.billing_period}`;
    const entry = months.get(key) ?? {
      account: l.line_item_usage_account_id,
      region: l.product_region_code,
      month: l.billing_period,
      start: Date.parse(`${l.billing_period}-01T00:00:00Z`),
      usage: 0,
      covered: 0,
    };
    entry.usage += l.line_item_unblended_cost;
    entry.covered += l.savings_plan_savings_plan_effective_cost ?? 0;
    months.set(key, entry);
  }
  return [...months.values()].flatMap((entry) => monthNoise(entry, now, payer));
}

function monthNoise(
  entry: { account: string; region: string; month: string; start: number; usage: number; covered: number },
  now: number,
  payer: string,
): CurLine[] {
  const { account, region, start } = entry;
  const end = Math.min(now, startOfNextMonth(start));
  const hour = { line_item_usage_start_date: start, line_item_usage_end_date: start + TIME.HOUR };
  const plan = { accountId: account, region, arn: '', tags: {} } as unknown as TrainingJobPlan;
  const base: LineBase = { plan, job: {} as DescribeTrainingJobResponse, payer };
  const prefix = usagePrefix(region);
  const noise: CurLine[] = [
    line(base, {
      ...hour,
      line_item_line_item_type: 'Tax',
      line_item_usage_type: '',
      line_item_unblended_cost: round10(entry.usage * SIMULATED_BILL.taxShare),
      line_item_line_item_description: 'Tax for product code AmazonSageMaker',
    }),
    line(base, {
      ...hour,
      line_item_line_item_type: 'Credit',
      line_item_unblended_cost: SIMULATED_BILL.monthlyCreditUsd,
      line_item_line_item_description: 'AWS Activate credit',
    }),
    line(base, {
      ...hour,
      line_item_product_code: 'AmazonS3',
      line_item_usage_type: `${prefix}-TimedStorage-ByteHrs`,
      line_item_resource_id: `ml-data-${account}`,
      line_item_usage_amount: 120,
      line_item_unblended_cost: 2.76,
      pricing_public_on_demand_cost: 2.76,
      pricing_unit: 'GB-Mo',
    }),
    line(base, {
      ...hour,
      line_item_product_code: 'AmazonEC2',
      line_item_usage_type: `${prefix}-BoxUsage:m5.xlarge`,
      line_item_resource_id: 'i-0a1b2c3d4e5f60718',
      line_item_usage_amount: 1,
      line_item_unblended_cost: 0.192,
      pricing_public_on_demand_cost: 0.192,
    }),
    line(base, {
      ...hour,
      line_item_usage_type: `${prefix}-Processing:ml.m5.xlarge`,
      line_item_resource_id: `arn:aws:sagemaker:${region}:${account}:processing-job/nightly-features-${entry.month}`,
      line_item_usage_amount: 1,
      line_item_unblended_cost: 0.23,
      pricing_public_on_demand_cost: 0.23,
    }),
    line(base, {
      ...hour,
      line_item_usage_type: `${prefix}-Host:ml.m5.xlarge`,
      line_item_resource_id: `arn:aws:sagemaker:${region}:${account}:endpoint/ranker-v2-prod`,
      line_item_usage_amount: 1,
      line_item_unblended_cost: 0.269,
      pricing_public_on_demand_cost: 0.269,
    }),
  ];
  if (entry.covered > 0)
    noise.push(
      line(base, {
        line_item_usage_start_date: start,
        line_item_usage_end_date: end,
        line_item_line_item_type: 'SavingsPlanRecurringFee',
        line_item_usage_type: 'ComputeSP:1yrNoUpfront',
        line_item_unblended_cost: round10(entry.covered * SIMULATED_BILL.savingsPlanFeeShare),
        savings_plan_savings_plan_a_r_n: savingsPlanArn(payer),
        line_item_line_item_description: 'SageMaker Savings Plan recurring fee',
      }),
    );
  return noise;
}
