import { Command } from '@commander-js/extra-typings';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_COST_TAG_KEYS } from '../../lambda/core/query/sql-catalog';
import { withGuide } from '../command-guide';
import { commaList, type CommandIo } from '../options';
import { COST_TOTALS_SQL, costTotals, renderCostReport, reportCharts } from '../report/cost-report';
import { CUR_FLAG_HELP, LocalWarehouse } from '../warehouse/local-warehouse';

export interface ReportFlags {
  readonly warehouse: string;
  readonly out: string;
  readonly tagKeys?: string[];
  readonly cur?: string;
}

export function reportCommand(io: CommandIo) {
  const command = new Command('report')
    .description(
      'Write the cost report (monthly cost by team, spot savings, top jobs, failed spend; with --cur, billed vs estimated and unattributed spend) from the local warehouse as one self-contained HTML file.',
    )
    .option('--warehouse <dir>', 'local warehouse root', './warehouse')
    .option('--out <file>', 'HTML file to write', 'cost-report.html')
    .option(
      '--tag-keys <list>',
      `cost-allocation tag keys (default: ${DEFAULT_COST_TAG_KEYS.join(',')}); the team charts need "team"`,
      commaList,
    )
    .option('--cur <dir>', CUR_FLAG_HELP)
    .action(async (flags) => {
      io.setExitCode(await runReportCommand(flags, io));
    });
  return withGuide(command, {
    exitCodes: [0, 1],
    examples: [
      { command: 'sm-inventory report', does: 'cost-report.html from ./warehouse' },
      {
        command: 'sm-inventory report --warehouse /data/inventory --out team-costs.html --tag-keys team,project',
        does: 'another warehouse, costs by the team and project tags',
      },
    ],
  });
}

/** Runs the charts' named queries with DuckDB, renders them to SVG and writes the file; prints where. */
export async function runReportCommand(flags: ReportFlags, io: CommandIo): Promise<number> {
  const warehouse = await LocalWarehouse.open(flags.warehouse, { tagKeys: flags.tagKeys, curExport: flags.cur });
  let html: string;
  try {
    const rows = new Map<string, readonly Record<string, unknown>[]>();
    for (const chart of reportCharts(flags.cur !== undefined)) rows.set(chart.query, (await warehouse.query(chart.query)).rows);
    const totals = costTotals(await warehouse.query(COST_TOTALS_SQL));
    // The warehouse as it was given: a report is shared, and a path on this machine means nothing to its reader.
    html = await renderCostReport({ warehouse: flags.warehouse, generatedAt: new Date(), totals, rows });
  } finally {
    warehouse.close();
  }
  const out = resolve(flags.out);
  writeFileSync(out, html);
  io.out.write(`cost report → ${out}\n`);
  return 0;
}
