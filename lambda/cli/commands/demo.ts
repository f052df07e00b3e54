import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { readConfig } from '../../core/pipeline/config';
import { runSnapshot } from '../../core/pipeline/snapshot';
import { utcDate } from '../../core/publish/layout';
import { LocalWarehouse } from '../warehouse/local-warehouse';
import { SageMakerSimulator } from '../../simulator/server';
import { TIME } from '../../simulator/world/job-generator';
import { Command } from '@commander-js/extra-typings';
import { formatResult } from '../format';
import { wholeNumber, type CommandIo } from '../options';
import { runPricesCommand } from './prices';
import { runReportCommand } from './report';
import { summarise } from './snapshot';

export interface DemoFlags {
  readonly jobs: string;
  readonly out: string;
  readonly keep?: boolean;
}

export function demoCommand(io: CommandIo) {
  return new Command('demo')
    .description('Simulate a SageMaker account, snapshot two regions on two days into a local warehouse, and query it.')
    .option('--jobs <n>', 'simulated jobs in all', wholeNumber, '3000')
    .option('--out <dir>', 'warehouse root', './warehouse')
    .option('--keep', 'keep earlier snapshots in the warehouse')
    .action(async (flags) => {
      io.setExitCode(await runDemoCommand(flags, io));
    });
}

const DEMO_REGIONS = ['us-east-1', 'eu-west-1'];
const DEMO_QUERIES = ['jobs_by_status', 'billable_hours_by_instance_type_and_month', 'spot_savings', 'top_teams_by_billable_hours'];
/** The closing hint's SQL: plain Athena SQL, so it runs in Athena too (test/query/sql-dialect-guard.test.ts parses it). */
export const SUGGESTED_QUERY = 'SELECT snapshot_date, region, count(*) AS jobs FROM sagemaker_training_job GROUP BY snapshot_date, region ORDER BY snapshot_date, region';

/**
 * The embedded default: a simulated SageMaker account on a local port, two daily snapshots through
 * the real SDK and the real pipeline, then the shipped SQL run by DuckDB. No AWS account needed.
 */
export async function runDemoCommand(flags: DemoFlags, io: CommandIo): Promise<number> {
  const jobsPerRegion = Math.max(1, Math.round(Number(flags.jobs) / DEMO_REGIONS.length));
  const out = resolve(flags.out);
  const say = (text: string) => io.out.write(`${text}\n`);

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
    if (!flags.keep) rmSync(`${out}/sagemaker_training_job`, { recursive: true, force: true });
    const config = readConfig({
      SM_INVENTORY_REGIONS: DEMO_REGIONS.join(','),
      SM_INVENTORY_OUTPUT: out,
      // A local simulator has no AWS limits to respect; these keep the demo to seconds.
      SM_INVENTORY_LIMITS: 'ListTrainingJobs=50,DescribeTrainingJob=400,ListTags=400,GetResources=50',
      SM_INVENTORY_CONCURRENCY: '16',
    });
    for (const day of [0, 1]) {
      if (day > 0) {
        const changes = simulator.world.advance(TIME.DAY);
        say(`\nsimulated time moves forward a day: ${changes.created} new jobs, ${changes.retagged} retagged, ${changes.deleted} deleted`);
      }
      const report = await runSnapshot(config, { snapshotDate: utcDate(new Date(simulator.world.now())) });
      say(summarise(report));
      if (report.failed.length > 0) return 2;
    }
    // Prices from the simulator's Price List API, for the cost view and the report.
    await runPricesCommand({ regions: DEMO_REGIONS.join(','), out, date: utcDate(new Date(simulator.world.now())) }, io);
  } finally {
    await simulator.stop();
  }

  const warehouse = await LocalWarehouse.open(out);
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
  await runReportCommand({ warehouse: out, out: `${out}/cost-report.html` }, io);
  return 0;
}
