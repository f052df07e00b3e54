import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { runReportCommand } from '../../cli/commands/report';
import { COST_CHARTS } from '../../cli/report/cost-charts';
import { buildCostWarehouse, costWarehouseBill } from '../support/cost-warehouse';
import { launchSystemChromium } from '../support/system-chromium';

describe('the cost report opened in headless Chromium', () => {
  let browser: Browser;
  let page: Page;
  let report: string;
  /** Every request the page made that was not for the report file itself. */
  const fetched: string[] = [];

  beforeAll(async () => {
    browser = await launchSystemChromium();
    const warehouse = await buildCostWarehouse();
    report = join(mkdtempSync(join(tmpdir(), 'report-')), 'cost-report.html');
    await runReportCommand(
      { warehouse, out: report, cur: costWarehouseBill(warehouse) },
      { out: new Writable({ write: (_c, _e, done) => done() }), err: process.stderr, setExitCode: () => undefined },
    );
    page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const url = pathToFileURL(report).href;
    await page.route('**/*', (route) => {
      if (route.request().url() === url) return route.continue();
      fetched.push(route.request().url());
      return route.abort();
    });
    await page.goto(url, { waitUntil: 'load' });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('renders every chart, billed vs estimated and unattributed spend included, with visible bar marks', async () => {
    // Act: per figure, the bars Chromium laid out with a non-empty box.
    const drawn = await page.$$eval('figure[data-chart]', (figures) =>
      figures.map((figure) => ({
        id: figure.getAttribute('data-chart'),
        rows: Number(figure.getAttribute('data-rows')),
        bars: Array.from(figure.querySelectorAll('svg g.mark-rect path')).filter((bar) => {
          const box = bar.getBoundingClientRect();
          return box.width > 0 && box.height > 0;
        }).length,
      })),
    );

    // Assess
    expect(drawn.map((d) => d.id)).toEqual(COST_CHARTS.map((c) => c.id));
    for (const chart of drawn) expect([chart.id, chart.bars > 0]).toEqual([chart.id, true]);
    // One bar per job in the top-jobs chart.
    expect(drawn.find((d) => d.id === 'top-jobs')!.bars).toBe(drawn.find((d) => d.id === 'top-jobs')!.rows);
  });

  it('made no request beyond the file itself', () => {
    // Assess
    expect(fetched).toEqual([]);
  });

  it('can be captured as an image, as the README shows it', async () => {
    // Act
    const png = await page.screenshot({ fullPage: true, path: process.env.REPORT_SCREENSHOT });

    // Assess: a PNG, and the page is taller than one screen (six charts).
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.readUInt32BE(20)).toBeGreaterThan(900);
    expect(readFileSync(report, 'utf8')).toContain('<h1>SageMaker training cost</h1>');
  });
});
