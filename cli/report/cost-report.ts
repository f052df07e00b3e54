import type { QueryResult } from '../../lambda/core/query/query-result';
import { COST_CHARTS, type CostChart } from './cost-charts';
import { renderSvg } from './render-svg';

/** What the report says above the charts: totals over the cost view. */
export interface CostTotals {
  readonly jobs: number;
  readonly pricedJobs: number;
  readonly jobsWithoutPrice: number;
  readonly jobsNotBilledYet: number;
  readonly totalCostUsd: number;
  readonly spotSavingsUsd: number;
  readonly firstPriceSnapshot: string | null;
  readonly lastPriceSnapshot: string | null;
}

/** The totals, in SQL the report runs beside the charts' named queries. */
export const COST_TOTALS_SQL = `SELECT
  count(*) AS jobs,
  sum(CASE WHEN total_cost_usd IS NOT NULL THEN 1 ELSE 0 END) AS priced_jobs,
  sum(CASE WHEN cost_status = 'no_price' THEN 1 ELSE 0 END) AS jobs_without_price,
  sum(CASE WHEN cost_status = 'not_billed_yet' THEN 1 ELSE 0 END) AS jobs_not_billed_yet,
  coalesce(sum(total_cost_usd), 0) AS total_cost_usd,
  coalesce(sum(spot_savings_usd), 0) AS spot_savings_usd,
  min(price_snapshot_date) AS first_price_snapshot,
  max(price_snapshot_date) AS last_price_snapshot
FROM sagemaker_training_job_cost`;

export function costTotals(result: QueryResult): CostTotals {
  const row = result.rows[0] ?? {};
  const number = (value: unknown) => (value === null || value === undefined ? 0 : Number(value));
  return {
    jobs: number(row.jobs),
    pricedJobs: number(row.priced_jobs),
    jobsWithoutPrice: number(row.jobs_without_price),
    jobsNotBilledYet: number(row.jobs_not_billed_yet),
    totalCostUsd: number(row.total_cost_usd),
    spotSavingsUsd: number(row.spot_savings_usd),
    firstPriceSnapshot: (row.first_price_snapshot as string | null) ?? null,
    lastPriceSnapshot: (row.last_price_snapshot as string | null) ?? null,
  };
}

const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const usd = (value: number) => `$${value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const count = (value: number) => value.toLocaleString('en-US');

const STYLE = `
body { font-family: Helvetica, Arial, sans-serif; margin: 2rem auto; max-width: 980px; color: #1f2933; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
.meta { color: #616e7c; margin-top: 0; }
.totals { display: flex; gap: 1rem; flex-wrap: wrap; margin: 1.2rem 0; }
.totals div { background: #f5f7fa; border-radius: 6px; padding: 0.6rem 1rem; }
.totals strong { display: block; font-size: 1.3rem; }
figure { margin: 2rem 0; }
figcaption { color: #3e4c59; margin-bottom: 0.5rem; }
figcaption b { display: block; font-size: 1.1rem; color: #1f2933; }
.empty { color: #9aa5b1; font-style: italic; }
footer { color: #616e7c; font-size: 0.85rem; border-top: 1px solid #e4e7eb; padding-top: 0.8rem; }
`;

export interface CostReportInput {
  /** The warehouse as the user named it (shown in the report, so never resolved to a path on this machine). */
  readonly warehouse: string;
  readonly generatedAt: Date;
  readonly totals: CostTotals;
  /** Rows of each chart's named query, by query name; a chart that reads the bill is drawn when its query ran. */
  readonly rows: ReadonlyMap<string, readonly Record<string, unknown>[]>;
}

/** The charts a report draws: every estimate chart, and the bill's when the warehouse has a Cost and Usage Report. */
export function reportCharts(withBill: boolean): readonly CostChart[] {
  return COST_CHARTS.filter((chart) => withBill || !chart.readsBill);
}

/**
 * One self-contained HTML file: the charts are inline SVG and the styles inline, nothing is fetched
 * when it is opened, so it can be mailed or archived as it is.
 */
export async function renderCostReport(input: CostReportInput): Promise<string> {
  const { totals } = input;
  const figures: string[] = [];
  const withBill = COST_CHARTS.some((chart) => chart.readsBill && input.rows.has(chart.query));
  for (const chart of reportCharts(withBill)) {
    const rows = input.rows.get(chart.query) ?? [];
    const body = rows.length === 0 ? `<p class="empty">${escapeHtml(chart.empty)}</p>` : await renderSvg(chart.spec(rows));
    figures.push(
      `<figure data-chart="${chart.id}" data-rows="${rows.length}">\n<figcaption><b>${escapeHtml(chart.title)}</b>${escapeHtml(chart.caption)} ` +
        `(named query <code>${chart.query}</code>)</figcaption>\n${body}\n</figure>`,
    );
  }
  const prices = totals.firstPriceSnapshot
    ? `price snapshots ${totals.firstPriceSnapshot} to ${totals.lastPriceSnapshot}`
    : 'no price snapshot';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>SageMaker training cost</title>
<style>${STYLE}</style>
</head>
<body>
<h1>SageMaker training cost</h1>
<p class="meta">From the warehouse ${escapeHtml(input.warehouse)}, ${prices}; written ${input.generatedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC.</p>
<section class="totals">
<div><strong data-total="cost">${usd(totals.totalCostUsd)}</strong>estimated cost of ${count(totals.pricedJobs)} priced jobs</div>
<div><strong data-total="spot-savings">${usd(totals.spotSavingsUsd)}</strong>saved by managed spot</div>
<div><strong>${count(totals.jobsWithoutPrice)}</strong>jobs without a price</div>
<div><strong>${count(totals.jobsNotBilledYet)}</strong>jobs not billed yet</div>
</section>
${figures.join('\n')}
<footer>Estimates: billable seconds × instances × the on-demand training price of the latest price snapshot not after each job's end.
Not included: storage volumes, savings plans, credits and discounts, data transfer. ${
    withBill
      ? 'Billed: the Cost and Usage Report (CUR 2.0) line items whose resource ID is the job&#39;s ARN, at their effective (amortized) cost.'
      : 'Pass <code>--cur</code> with a CUR 2.0 export to set the bill beside the estimate.'
  }</footer>
</body>
</html>
`;
}
