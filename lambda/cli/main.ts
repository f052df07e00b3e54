import { Command, InvalidArgumentError, Option } from 'commander';
import { ConfigError, describeError, InventoryError } from '../errors';
import { PARQUET_COMPRESSIONS } from '../parquet/parquet-encoder';
import { TAG_STRATEGIES } from '../pipeline/config';
import { LocalWarehouse, type QueryResult } from '../query/local-warehouse';
import { DEFAULT_COST_TAG_KEYS, loadSqlCatalog, resolveSql } from '../query/sql-catalog';
import { AthenaQueryRunner } from '../query/athena-runner';
import { createAthenaClient } from '../aws/clients';
import { validateRegion } from '../publish/layout';
import { parseRateLimits, SageMakerSimulator } from '../simulator/sagemaker-simulator';
import { demoCommand } from './demo-command';
import { formatResult, OUTPUT_FORMATS, type OutputFormat } from './format';
import { snapshotCommand } from './snapshot-command';

function wholeNumber(value: string): string {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`${value} is not a whole number`);
  return value;
}

function rate(value: string): number {
  const parsed = Number(value);
  if (!(parsed >= 0 && parsed <= 1)) throw new InvalidArgumentError(`${value} is not a fraction between 0 and 1`);
  return parsed;
}

interface QueryFlags {
  readonly warehouse: string;
  readonly format: OutputFormat;
  readonly list?: boolean;
  readonly tagKeys?: string;
  readonly athena?: boolean;
  readonly workgroup?: string;
  readonly database: string;
  readonly region?: string;
}

async function queryLocal(sqlOrName: string, directory: string, tagKeys?: string[]): Promise<QueryResult> {
  const warehouse = await LocalWarehouse.open(directory, { tagKeys });
  try {
    return await warehouse.query(sqlOrName);
  } finally {
    warehouse.close();
  }
}

/** In Athena the views already exist (the stack creates them); a name resolves to the shipped SQL. */
async function queryAthena(sqlOrName: string, flags: QueryFlags): Promise<QueryResult> {
  if (!flags.workgroup) throw new ConfigError('--athena needs --workgroup <name>; allowed: the workgroup the stack created (output AthenaWorkgroup)');
  const region = flags.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (!region) throw new ConfigError('--athena needs a region: pass --region or set AWS_REGION');
  const sql = resolveSql(sqlOrName);
  const client = createAthenaClient({ region: validateRegion(region) });
  try {
    return await new AthenaQueryRunner(client, { workgroup: flags.workgroup, database: flags.database }).query(sql);
  } finally {
    client.destroy();
  }
}

export function buildProgram(): Command {
  const program = new Command('sm-inventory')
    .description('SageMaker training-job inventory: snapshots to partitioned Parquet, queried with Athena or DuckDB.')
    .showHelpAfterError()
    .exitOverride();

  program
    .command('snapshot')
    .description('Snapshot every training job of the given regions (and member accounts) into the warehouse.')
    .option('--regions <list>', 'comma-separated regions (default: SM_INVENTORY_REGIONS or AWS_REGION)')
    .option('--out <dir|s3://bucket/prefix>', 'warehouse root (default: ./warehouse)')
    .option('--date <YYYY-MM-DD>', 'snapshot date (default: today, UTC)')
    .option('--role-arn <arn...>', 'member-account role(s) to assume')
    .option('--include-caller-account', 'also snapshot the account of your own credentials (default: only without --role-arn)')
    .option('--no-include-caller-account', 'skip the account of your own credentials')
    .option('--limits <op=rate,...>', 'calls per second, e.g. DescribeTrainingJob=10,ListTags=10')
    .option('--concurrency <n>', 'describe calls in flight per account and region', wholeNumber)
    .addOption(new Option('--tag-strategy <strategy>', 'how tags are read').choices(TAG_STRATEGIES))
    .addOption(new Option('--compression <codec>', 'Parquet codec').choices(PARQUET_COMPRESSIONS))
    .option('--s3-force-path-style', 'path-style S3 URLs (S3-compatible servers)')
    .option('--json', 'print the run report as JSON')
    .action(async (flags) => {
      process.exitCode = await snapshotCommand(flags, { out: process.stdout, err: process.stderr });
    });

  program
    .command('query')
    .description('Run SQL, or a shipped view or named query by name: locally with DuckDB over the warehouse, or in Athena.')
    .argument('[sql-or-name]', 'SQL text, or the name of a view or named query (see --list)')
    .option('--warehouse <dir>', 'local warehouse root', './warehouse')
    .addOption(new Option('--format <format>', 'output format').choices(OUTPUT_FORMATS).default('table'))
    .option('--list', 'list the shipped views and named queries')
    .option('--tag-keys <list>', `cost-allocation tag keys for the flat view's tag_<key> columns (default: ${DEFAULT_COST_TAG_KEYS.join(',')})`)
    .option('--athena', 'run in Amazon Athena instead of locally')
    .option('--workgroup <name>', 'Athena workgroup (the stack output AthenaWorkgroup)')
    .option('--database <name>', 'Athena database', 'sagemaker_inventory')
    .option('--region <region>', 'Athena region (default: AWS_REGION)')
    .action(async (sqlOrName: string | undefined, flags: QueryFlags) => {
      if (flags.list || !sqlOrName) {
        const { views, queries } = loadSqlCatalog();
        for (const d of [...views, ...queries]) process.stdout.write(`${d.kind.padEnd(5)}  ${d.name.padEnd(45)}  ${d.description}\n`);
        if (!flags.list) process.exitCode = 1;
        return;
      }
      const tagKeys = flags.tagKeys?.split(',').map((k) => k.trim()).filter(Boolean);
      const result = flags.athena ? await queryAthena(sqlOrName, flags) : await queryLocal(sqlOrName, flags.warehouse, tagKeys);
      process.stdout.write(`${formatResult(result, flags.format)}\n`);
    });

  program
    .command('simulate')
    .description('Run the local SageMaker simulator (AWS JSON protocol) until interrupted.')
    .option('--port <port>', 'port to listen on (0: any free port)', wholeNumber, '4599')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--jobs <n>', 'jobs per account and region', wholeNumber, '1000')
    .option('--seed <n>', 'random seed', wholeNumber, '1')
    .option('--regions <list>', 'regions holding jobs', 'us-east-1')
    .option('--accounts <list>', 'accounts holding jobs (reach others with AssumeRole)', SageMakerSimulator.defaultAccountId)
    .option('--limits <op=rate,...>', 'per-operation calls per second, e.g. ListTrainingJobs=2,DescribeTrainingJob=10')
    .option('--latency <min-max>', 'added latency in ms, e.g. 20-80', '0-0')
    .option('--fault-rate <fraction>', 'fraction of calls answered 500/503 or reset', rate, 0)
    .option('--throttle-rate <fraction>', 'fraction of calls throttled regardless of limits', rate, 0)
    .action(async (flags) => {
      const [min, max] = String(flags.latency).split('-').map(Number);
      const simulator = new SageMakerSimulator({
        port: Number(flags.port),
        host: flags.host,
        jobsPerRegion: Number(flags.jobs),
        seed: Number(flags.seed),
        regions: String(flags.regions).split(','),
        accounts: String(flags.accounts).split(','),
        limits: flags.limits ? parseRateLimits(flags.limits) : {},
        latencyMs: [min || 0, max || min || 0],
        faults: { internalError: flags.faultRate / 3, unavailable: flags.faultRate / 3, connectionReset: flags.faultRate / 3, throttle: flags.throttleRate },
      });
      const endpoint = await simulator.start();
      process.stdout.write(
        `SageMaker simulator listening on ${endpoint}\n` +
          `  export AWS_ENDPOINT_URL_SAGEMAKER=${endpoint} AWS_ENDPOINT_URL_RESOURCE_GROUPS_TAGGING_API=${endpoint} AWS_ENDPOINT_URL_STS=${endpoint}\n` +
          `  stats: curl ${endpoint}/_simulator/stats   advance a day: curl -X POST -d '{"days":1}' ${endpoint}/_simulator/advance\n`,
      );
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await simulator.stop();
    });

  program
    .command('demo')
    .description('Simulate a SageMaker account, snapshot two regions on two days into a local warehouse, and query it.')
    .option('--jobs <n>', 'simulated jobs in all', wholeNumber, '3000')
    .option('--out <dir>', 'warehouse root', './warehouse')
    .option('--keep', 'keep earlier snapshots in the warehouse')
    .action(async (flags) => {
      process.exitCode = await demoCommand(flags, { out: process.stdout });
    });

  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help') return;
    if (code?.startsWith('commander.')) {
      process.exitCode = 1;
      return;
    }
    process.stderr.write(`error: ${error instanceof InventoryError ? describeError(error) : (error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  }
}

if (require.main === module) void main(process.argv);
