import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { ensureDirectory } from '../../lambda/core/publish/directories';
import { join, resolve } from 'node:path';
import { ConfigError } from '../../lambda/core/errors';
import { readConfig, type InventoryConfig } from '../../lambda/core/pipeline/config';
import { runChangeBatch } from '../../lambda/core/events/change-batch';
import { runSnapshot } from '../../lambda/core/pipeline/snapshot';
import { utcDate } from '../../lambda/core/publish/layout';
import { LocalWarehouse } from '../warehouse/local-warehouse';
import { SageMakerSimulator } from '../../simulator/server';
import { writeCostAndUsageReport } from '../../simulator/world/cur-export-writer';
import { TIME } from '../../simulator/world/job-generator';
import { Command } from '@commander-js/extra-typings';
import { formatResult } from '../format';
import { withGuide } from '../command-guide';
import { wholeNumber, type CommandIo } from '../options';
import { setAsideReason, summariseBatch } from './apply-events';
import { runPricesCommand } from './prices';
import { runReportCommand } from './report';
import { summarise } from './snapshot';

export interface DemoFlags {
  readonly jobs: string;
  readonly out: string;
  readonly keep?: boolean;
}

export function demoCommand(io: CommandIo) {
  const command = new Command('demo')
    .description('Simulate a SageMaker account, snapshot two regions on two days into a local warehouse, and query it.')
    .option('--jobs <n>', 'simulated jobs in all', wholeNumber, '3000')
    .option(
      '--out <dir>',
      "the demo's own warehouse folder (made by the demo; an existing folder the demo did not make is refused)",
      './demo-warehouse',
    )
    .option('--keep', 'keep the snapshots of an earlier demo in the folder')
    .action(async (flags) => {
      io.setExitCode(await runDemoCommand(flags, io));
    });
  return withGuide(command, {
    exitCodes: [0, 1, 2],
    examples: [
      { command: 'sm-inventory demo', does: '3,000 simulated jobs into ./demo-warehouse, then queries and cost-report.html' },
      { command: 'sm-inventory demo --jobs 20000 --out /tmp/demo', does: 'a larger simulated account, into another folder' },
    ],
  });
}

const DEMO_REGIONS = ['us-east-1', 'eu-west-1'];
const LIVE_QUERY = 'live_changes_since_snapshot';
const DEMO_QUERIES = [
  'jobs_by_status',
  'billable_hours_by_instance_type_and_month',
  'spot_savings',
  'top_teams_by_billable_hours',
  'billed_vs_estimated_by_month',
  'unattributed_training_spend',
];
/** The simulated bill's export folder inside the demo's folder. */
const DEMO_CUR_FOLDER = 'cost-and-usage-report';
/** The closing hint's SQL: plain Athena SQL, so it runs in Athena too (test/query/sql-dialect-guard.test.ts parses it). */
export const SUGGESTED_QUERY =
  'SELECT snapshot_date, region, count(*) AS jobs FROM sagemaker_training_job GROUP BY snapshot_date, region ORDER BY snapshot_date, region';

/** The demo marks the folders it makes, so it only ever empties one of its own. */
const DEMO_MARKER = '.sm-inventory-demo';
const MAX_DEMO_JOBS = 200_000;

/**
 * Makes `out` the demo's folder: a new or empty folder gets the marker; one that has it is emptied
 * (unless `keep`); a folder with anything else in it is refused, since the demo would be deleting
 * data it did not write (a real warehouse, say).
 */
async function prepareDemoFolder(out: string, keep: boolean): Promise<void> {
  const entries = existsSync(out) ? readdirSync(out) : [];
  const ours = entries.includes(DEMO_MARKER);
  if (entries.length > 0 && !ours) {
    throw new ConfigError(
      `${out} already holds files the demo did not make (${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', …' : ''}); allowed: a new or empty folder, or one an earlier demo made (it has ${DEMO_MARKER}); choose another with --out`,
    );
  }
  await ensureDirectory(out);
  if (ours && !keep) {
    for (const entry of entries) if (entry !== DEMO_MARKER) rmSync(join(out, entry), { recursive: true, force: true });
  }
  writeFileSync(join(out, DEMO_MARKER), 'Made by sm-inventory demo; the demo empties this folder when it runs again.\n');
}

/** The part of the day whose EventBridge events the demo applies before the next snapshot. */
const MORNING_MS = 6 * TIME.HOUR;

/**
 * A morning passes: its state-change events are applied as `sm-inventory apply-events` applies them, and the
 * live view shows what they changed since the snapshot.
 */
async function applyMorningEvents(
  simulator: SageMakerSimulator,
  config: InventoryConfig,
  out: string,
  say: (text: string) => void,
): Promise<void> {
  const changes = simulator.world.advance(MORNING_MS);
  const events = simulator.world.takeStateChangeEvents();
  say(
    `\nsimulated time moves forward a morning: ${changes.created} new jobs, ${changes.retagged} retagged, ${changes.deleted} deleted, ${events.length} state-change events`,
  );
  const batch = await runChangeBatch(config, events);
  const setAside = batch.outcomes.flatMap((outcome) => setAsideReason(outcome) ?? []);
  say(summariseBatch(batch, setAside));
  const warehouse = await LocalWarehouse.open(out);
  try {
    const definition = warehouse.queries.find((q) => q.name === LIVE_QUERY)!;
    say(`\n== ${LIVE_QUERY}: ${definition.description}`);
    say(formatResult(await warehouse.query(LIVE_QUERY), 'table', 60, 12));
  } finally {
    warehouse.close();
  }
}

/**
 * The embedded default: a simulated SageMaker account on a local port, two daily snapshots through
 * the real SDK and the real pipeline, then the shipped SQL run by DuckDB. No AWS account needed.
 */
export async function runDemoCommand(flags: DemoFlags, io: CommandIo): Promise<number> {
  const jobs = Number(flags.jobs);
  if (!Number.isInteger(jobs) || jobs < 2 || jobs > MAX_DEMO_JOBS) {
    throw new ConfigError(`--jobs is ${JSON.stringify(flags.jobs)}; allowed: a whole number from 2 to ${MAX_DEMO_JOBS}`);
  }
  const jobsPerRegion = Math.round(jobs / DEMO_REGIONS.length);
  const out = resolve(flags.out);
  const say = (text: string) => io.out.write(`${text}\n`);
  await prepareDemoFolder(out, flags.keep === true);

  const simulator = new SageMakerSimulator({ regions: DEMO_REGIONS, jobsPerRegion, seed: 2026, latencyMs: [2, 15] });
  const endpoint = await simulator.start();
  say(`SageMaker simulator: ${jobsPerRegion * DEMO_REGIONS.length} jobs in ${DEMO_REGIONS.join(', ')} at ${endpoint}`);
  // The pipeline reaches the simulator the way it reaches any AWS endpoint: the SDK's standard settings.
  process.env.AWS_ENDPOINT_URL = endpoint;
  process.env.AWS_ACCESS_KEY_ID = 'AKIASIMULATEDDEMOKEY';
  process.env.AWS_SECRET_ACCESS_KEY = 'simulated-secret-not-real';
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;

  try {
    const config = readConfig({
      SM_INVENTORY_REGIONS: DEMO_REGIONS.join(','),
      SM_INVENTORY_OUTPUT: out,
      // A local simulator has no AWS limits to respect; these keep the demo to seconds.
      SM_INVENTORY_LIMITS: 'ListTrainingJobs=50,DescribeTrainingJob=400,ListTags=400,GetResources=50',
      SM_INVENTORY_CONCURRENCY: '16',
    });
    simulator.world.recordStateChangeEvents();
    for (const day of [0, 1]) {
      if (day > 0) {
        await applyMorningEvents(simulator, config, out, say);
        const changes = simulator.world.advance(TIME.DAY - MORNING_MS);
        simulator.world.takeStateChangeEvents();
        say(`\nthe rest of the day: ${changes.created} new jobs, ${changes.retagged} retagged, ${changes.deleted} deleted`);
      }
      const report = await runSnapshot(config, { snapshotDate: utcDate(new Date(simulator.world.now())) });
      say(summarise(report));
      if (report.failed.length > 0) return 2;
    }
    // Prices from the simulator's Price List API, for the cost view and the report.
    await runPricesCommand({ regions: DEMO_REGIONS.join(','), out, date: utcDate(new Date(simulator.world.now())) }, io);
    // The bill for the same world, as AWS Data Exports writes a CUR 2.0 export, for billed beside estimated.
    const files = await writeCostAndUsageReport(simulator.world.costAndUsageReport(), join(out, DEMO_CUR_FOLDER));
    say(`Cost and Usage Report (CUR 2.0) of the simulated bill: ${files.length} billing periods in ${join(out, DEMO_CUR_FOLDER)}`);
  } finally {
    await simulator.stop();
  }

  const curExport = join(out, DEMO_CUR_FOLDER);
  const warehouse = await LocalWarehouse.open(out, { curExport });
  try {
    for (const name of DEMO_QUERIES) {
      const definition = warehouse.queries.find((q) => q.name === name)!;
      say(`\n== ${name}: ${definition.description}`);
      say(formatResult(await warehouse.query(name), 'table', 60, 12));
    }
  } finally {
    warehouse.close();
  }
  say(`\nThe warehouse is in ${out}. Try: npx sm-inventory query "${SUGGESTED_QUERY}" --warehouse ${flags.out}`);
  await runReportCommand({ warehouse: flags.out, out: `${out}/cost-report.html`, cur: curExport }, io);
  return 0;
}
