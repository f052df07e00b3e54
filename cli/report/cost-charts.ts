import type { TopLevelSpec } from 'vega-lite';

/**
 * The cost charts, each a Vega-Lite spec over the rows of one shipped named query, so the local
 * report shows what the QuickSight dashboard shows and both read the same SQL.
 */
export interface CostChart {
  /** Stable id: the figure's `data-chart` attribute and the browser test's handle. */
  readonly id: string;
  readonly title: string;
  /** What the chart shows and what it leaves out. */
  readonly caption: string;
  /** The named query whose rows the chart plots. */
  readonly query: string;
  /** Drawn only with a Cost and Usage Report (`--cur`): its query reads the bill. */
  readonly readsBill?: boolean;
  /** What the figure says when its query finds no rows. */
  readonly empty: string;
  spec(rows: readonly Record<string, unknown>[]): TopLevelSpec;
}

const WIDTH = 640;
const USD = '$,.0f';
const PALETTE = 'tableau10';
const NO_PRICES = 'No priced jobs to show yet: write a price snapshot with sm-inventory prices.';

/** Query rows carry DuckDB's JSON values (numbers as strings for big ones); charts need numbers. */
function numeric(rows: readonly Record<string, unknown>[], fields: readonly string[]): Record<string, unknown>[] {
  return rows.map((row) => {
    const copy: Record<string, unknown> = { ...row };
    for (const field of fields) copy[field] = row[field] === null || row[field] === undefined ? null : Number(row[field]);
    return copy;
  });
}

export const COST_CHARTS: readonly CostChart[] = [
  {
    id: 'monthly-cost-by-team',
    title: 'Monthly cost by team',
    caption: 'Estimated compute and warm-pool cost of priced jobs per month the job ended, stacked by the team tag.',
    query: 'cost_by_team_and_month',
    empty: NO_PRICES,
    spec: (rows) => ({
      width: WIDTH,
      height: 300,
      data: { values: numeric(rows, ['total_cost_usd']) },
      mark: { type: 'bar' },
      encoding: {
        x: { field: 'month', type: 'ordinal', title: 'Month', sort: 'ascending', axis: { labelAngle: 0 } },
        y: { field: 'total_cost_usd', type: 'quantitative', aggregate: 'sum', stack: 'zero', title: 'Cost (USD)', axis: { format: USD } },
        color: { field: 'team', type: 'nominal', title: 'Team', scale: { scheme: PALETTE } },
        tooltip: [{ field: 'month' }, { field: 'team' }, { field: 'total_cost_usd', format: USD, title: 'USD' }],
      },
    }),
  },
  {
    id: 'spot-savings',
    title: 'Spot savings by month',
    caption: 'Managed spot training: what the spot jobs cost, and what their training time would have cost on demand.',
    query: 'spot_savings_by_month',
    empty: NO_PRICES,
    spec: (rows) => ({
      width: WIDTH,
      height: 260,
      data: { values: numeric(rows, ['compute_cost_usd', 'spot_savings_usd']) },
      transform: [{ fold: ['compute_cost_usd', 'spot_savings_usd'], as: ['part', 'usd'] }],
      mark: { type: 'bar' },
      encoding: {
        x: { field: 'month', type: 'ordinal', title: 'Month', sort: 'ascending', axis: { labelAngle: 0 } },
        y: { field: 'usd', type: 'quantitative', stack: 'zero', title: 'On-demand equivalent (USD)', axis: { format: USD } },
        color: {
          field: 'part',
          type: 'nominal',
          title: null,
          scale: { domain: ['compute_cost_usd', 'spot_savings_usd'], range: ['#4e79a7', '#59a14f'] },
          legend: { labelExpr: "datum.label === 'compute_cost_usd' ? 'paid (spot)' : 'saved'" },
        },
        tooltip: [{ field: 'month' }, { field: 'part' }, { field: 'usd', format: USD, title: 'USD' }],
      },
    }),
  },
  {
    id: 'top-jobs',
    title: 'The 20 most expensive jobs',
    caption: 'Current jobs by estimated total cost (compute and warm pool), coloured by team.',
    query: 'most_expensive_jobs',
    empty: NO_PRICES,
    spec: (rows) => ({
      width: WIDTH - 140,
      data: { values: numeric(rows, ['total_cost_usd']) },
      mark: { type: 'bar' },
      encoding: {
        y: { field: 'training_job_name', type: 'nominal', sort: '-x', title: null, axis: { labelLimit: 260 } },
        x: { field: 'total_cost_usd', type: 'quantitative', title: 'Cost (USD)', axis: { format: USD } },
        color: { field: 'team', type: 'nominal', title: 'Team', scale: { scheme: PALETTE } },
        tooltip: [
          { field: 'training_job_name' },
          { field: 'instance_type' },
          { field: 'instance_count' },
          { field: 'total_cost_usd', format: USD, title: 'USD' },
        ],
      },
    }),
  },
  {
    id: 'failed-spend',
    title: 'Spend on failed and stopped jobs, by team',
    caption: 'Estimated cost of jobs that failed or were stopped: compute that produced no completed model.',
    query: 'failed_and_stopped_spend_by_team',
    empty: NO_PRICES,
    spec: (rows) => ({
      width: WIDTH,
      height: 260,
      data: { values: numeric(rows, ['total_cost_usd']) },
      mark: { type: 'bar' },
      encoding: {
        x: { field: 'team', type: 'nominal', title: 'Team', sort: '-y', axis: { labelAngle: 0 } },
        y: { field: 'total_cost_usd', type: 'quantitative', aggregate: 'sum', stack: 'zero', title: 'Cost (USD)', axis: { format: USD } },
        color: {
          field: 'training_job_status',
          type: 'nominal',
          title: 'Status',
          scale: { domain: ['Failed', 'Stopped'], range: ['#e15759', '#f28e2b'] },
        },
        tooltip: [{ field: 'team' }, { field: 'training_job_status' }, { field: 'total_cost_usd', format: USD, title: 'USD' }],
      },
    }),
  },
  {
    id: 'billed-vs-estimated',
    title: 'Billed vs estimated by month',
    caption:
      'What the Cost and Usage Report billed (effective cost: Savings Plans at their rate, storage included) beside the estimate, per month the jobs ended; the ratio counts jobs that have both.',
    query: 'billed_vs_estimated_by_month',
    readsBill: true,
    empty: 'No job of the inventory is in the Cost and Usage Report yet.',
    spec: (rows) => ({
      width: WIDTH,
      height: 280,
      data: { values: numeric(rows, ['estimated_cost_usd', 'billed_effective_cost_usd', 'billed_to_estimated_ratio']) },
      transform: [{ fold: ['estimated_cost_usd', 'billed_effective_cost_usd'], as: ['part', 'usd'] }],
      mark: { type: 'bar' },
      encoding: {
        x: { field: 'month', type: 'ordinal', title: 'Month', sort: 'ascending', axis: { labelAngle: 0 } },
        xOffset: { field: 'part', type: 'nominal', sort: ['estimated_cost_usd', 'billed_effective_cost_usd'] },
        y: { field: 'usd', type: 'quantitative', title: 'Cost (USD)', axis: { format: USD } },
        color: {
          field: 'part',
          type: 'nominal',
          title: null,
          scale: { domain: ['estimated_cost_usd', 'billed_effective_cost_usd'], range: ['#9aa5b1', '#4e79a7'] },
          legend: { labelExpr: "datum.label === 'estimated_cost_usd' ? 'estimated' : 'billed (effective)'" },
        },
        tooltip: [
          { field: 'month' },
          { field: 'part' },
          { field: 'usd', format: USD, title: 'USD' },
          { field: 'billed_to_estimated_ratio', format: '.2f', title: 'billed / estimated' },
        ],
      },
    }),
  },
  {
    id: 'unattributed-spend',
    title: 'Unattributed training spend',
    caption:
      'Training-job line items of the bill that no inventory row explains (jobs deleted before a snapshot saw them, accounts or regions not inventoried), effective cost per month and account.',
    query: 'unattributed_training_spend',
    readsBill: true,
    empty: 'Every training line of the bill belongs to a job the inventory has seen.',
    spec: (rows) => ({
      width: WIDTH,
      height: 240,
      data: { values: numeric(rows, ['effective_cost_usd', 'unblended_cost_usd', 'line_items']) },
      mark: { type: 'bar' },
      encoding: {
        x: { field: 'month', type: 'ordinal', title: 'Month', sort: 'ascending', axis: { labelAngle: 0 } },
        y: {
          field: 'effective_cost_usd',
          type: 'quantitative',
          aggregate: 'sum',
          stack: 'zero',
          title: 'Effective cost (USD)',
          axis: { format: USD },
        },
        color: { field: 'account_id', type: 'nominal', title: 'Account', scale: { scheme: PALETTE } },
        tooltip: [
          { field: 'month' },
          { field: 'account_id' },
          { field: 'line_items' },
          { field: 'effective_cost_usd', format: USD, title: 'USD' },
        ],
      },
    }),
  },
];
