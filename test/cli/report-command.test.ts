import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Writable } from 'node:stream';
import { runReportCommand } from '../../cli/commands/report';
import { COST_CHARTS } from '../../cli/report/cost-charts';
import { reportCharts } from '../../cli/report/cost-report';
import { LocalWarehouse } from '../../cli/warehouse/local-warehouse';
import { buildCostWarehouse, costWarehouseBill } from '../support/cost-warehouse';

function captured(): { io: { out: Writable; err: Writable; setExitCode: (code: number) => void }; text: () => string } {
  let text = '';
  const sink = new Writable({ write: (chunk, _encoding, done) => ((text += chunk.toString()), done()) });
  return { io: { out: sink, err: sink, setExitCode: () => undefined }, text: () => text };
}

describe('sm-inventory report', () => {
  let warehouse: string;
  let html: string;
  let printed: string;

  beforeAll(async () => {
    warehouse = await buildCostWarehouse();
    const { io, text } = captured();
    const out = join(warehouse, 'report.html');
    // Named relative to the working directory, as a user types it.
    await runReportCommand({ warehouse: relative(process.cwd(), warehouse), out }, io);
    html = readFileSync(out, 'utf8');
    printed = text();
  }, 60_000);

  it('prints where it wrote the report', () => {
    // Assess
    expect(printed).toBe(`cost report → ${join(warehouse, 'report.html')}\n`);
  });

  it('names the warehouse as it was given, not as a path on this machine', () => {
    // Assess
    expect(html.match(/From the warehouse ([^,]+),/)?.[1]).toBe(relative(process.cwd(), warehouse));
  });

  it('draws each of the four estimate charts as inline SVG with bar marks, one figure per named query', () => {
    // Act
    const figures = [...html.matchAll(/<figure data-chart="([^"]+)" data-rows="(\d+)">([\s\S]*?)<\/figure>/g)];

    // Assess
    expect(figures.map((f) => f[1])).toEqual(COST_CHARTS.filter((c) => !c.readsBill).map((c) => c.id));
    for (const [, id, rows, body] of figures) {
      expect([id, Number(rows) > 0, /<svg[^>]*>[\s\S]*class="mark-rect role-mark[\s\S]*<path/.test(body)]).toEqual([id, true, true]);
    }
  });

  it('needs nothing from the network to open: no scripts, stylesheets, images or fonts fetched', () => {
    // Assess: the only URLs are the SVG namespace names, which browsers never fetch.
    expect(html).not.toMatch(/<script|<link|<img|@import|url\(/i);
    expect([...html.matchAll(/https?:\/\/[^"'\s)]+/g)].map((m) => m[0]).filter((url) => !url.startsWith('http://www.w3.org/'))).toEqual([]);
  });

  it('states the total the cost view adds up to', async () => {
    // Prepare
    const db = await LocalWarehouse.open(warehouse);

    // Act
    const { rows } = await db.query('SELECT sum(total_cost_usd) AS usd FROM sagemaker_training_job_cost');
    db.close();

    // Assess
    const total = Number(rows[0].usd).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    expect(html).toContain(`<strong data-total="cost">$${total}</strong>`);
  });
});

describe('sm-inventory report before any price snapshot', () => {
  let code: number;
  let html: string;

  beforeAll(async () => {
    const warehouse = await buildCostWarehouse({ jobsPerRegion: 20, withPrices: false });
    const out = join(warehouse, 'report.html');
    code = await runReportCommand({ warehouse, out }, captured().io);
    html = readFileSync(out, 'utf8');
  }, 60_000);

  it('writes the report instead of failing', () => {
    // Assess
    expect(code).toBe(0);
  });

  it('says in every chart how to get prices', () => {
    // Assess
    expect(html.match(/No priced jobs to show yet: write a price snapshot with sm-inventory prices/g)).toHaveLength(
      reportCharts(false).length,
    );
  });

  it('states a total of $0.00, every job being unpriced', () => {
    // Assess
    expect(html).toContain('<strong data-total="cost">$0.00</strong>');
  });
});

describe('sm-inventory report --cur', () => {
  let warehouse: string;
  let html: string;

  beforeAll(async () => {
    warehouse = await buildCostWarehouse();
    const out = join(warehouse, 'report-with-bill.html');
    await runReportCommand({ warehouse, out, cur: costWarehouseBill(warehouse) }, captured().io);
    html = readFileSync(out, 'utf8');
  }, 60_000);

  it('adds billed vs estimated by month and unattributed training spend after the estimate charts, each with rows and bars', () => {
    // Act
    const figures = [...html.matchAll(/<figure data-chart="([^"]+)" data-rows="(\d+)">([\s\S]*?)<\/figure>/g)];

    // Assess
    expect(figures.map((f) => f[1])).toEqual(COST_CHARTS.map((c) => c.id));
    for (const [, id, rows, body] of figures.filter((f) => ['billed-vs-estimated', 'unattributed-spend'].includes(f[1]))) {
      expect([id, Number(rows) > 0, /class="mark-rect role-mark[\s\S]*<path/.test(body)]).toEqual([id, true, true]);
    }
  });

  it('charts the rows of the named query billed_vs_estimated_by_month', async () => {
    // Prepare
    const db = await LocalWarehouse.open(warehouse, { curExport: costWarehouseBill(warehouse) });
    const { rows } = await db.query('billed_vs_estimated_by_month');
    db.close();

    // Act
    const charted = Number(/<figure data-chart="billed-vs-estimated" data-rows="(\d+)">/.exec(html)?.[1]);

    // Assess
    expect(charted).toBe(rows.length);
  });
});
