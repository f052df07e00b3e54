import { Command, Option } from '@commander-js/extra-typings';
import { createAthenaClient } from '../../lambda/core/aws/clients';
import { ConfigError } from '../../lambda/core/errors';
import { validateRegion } from '../../lambda/core/publish/layout';
import { AthenaQueryRunner } from '../../lambda/core/query/athena-query-runner';
import type { QueryResult } from '../../lambda/core/query/query-result';
import {
  DEFAULT_COST_TAG_KEYS,
  DEFAULT_STALE_AFTER_DAYS,
  loadSqlCatalog,
  resolveSql,
  validateStaleAfterDays,
} from '../../lambda/core/query/sql-catalog';
import { TRAINING_JOB_SCHEMA } from '../../lambda/core/schema/table-schema';
import { withGuide } from '../command-guide';
import { formatResult, OUTPUT_FORMATS } from '../format';
import { commaList, type CommandIo } from '../options';
import { CUR_FLAG_HELP, LocalWarehouse } from '../warehouse/local-warehouse';

export interface QueryFlags {
  readonly warehouse: string;
  readonly format: (typeof OUTPUT_FORMATS)[number];
  readonly list?: boolean;
  readonly tagKeys?: string[];
  readonly staleAfterDays?: number;
  readonly athena?: boolean;
  readonly workgroup?: string;
  readonly database: string;
  readonly region?: string;
  readonly cur?: string;
}

export function queryCommand(io: CommandIo) {
  const command = new Command('query')
    .description('Run SQL, or a shipped view or named query by name: locally with DuckDB over the warehouse, or in Athena.')
    .argument('[sql-or-name]', 'SQL text, or the name of a view or named query (see --list)')
    .option('--warehouse <dir>', 'local warehouse root', './warehouse')
    .addOption(new Option('--format <format>', 'output format').choices(OUTPUT_FORMATS).default('table' as const))
    .option('--list', 'list the shipped views and named queries')
    .option(
      '--tag-keys <list>',
      `cost-allocation tag keys for the flat view's tag_<key> columns (default: ${DEFAULT_COST_TAG_KEYS.join(',')})`,
      commaList,
    )
    .option(
      '--stale-after-days <days>',
      `days an (account, region) may go without a run before current leaves its jobs out (default: ${DEFAULT_STALE_AFTER_DAYS}; in Athena the deployment's staleAfterDays applies)`,
      (value) => validateStaleAfterDays(Number(value), '--stale-after-days'),
    )
    .option('--cur <dir>', CUR_FLAG_HELP)
    .addOption(new Option('--athena', 'run in Amazon Athena instead of locally').conflicts(['warehouse', 'cur']))
    .option('--workgroup <name>', 'Athena workgroup (the stack output AthenaWorkgroup)')
    .option('--database <name>', 'Athena database', TRAINING_JOB_SCHEMA.database)
    .option('--region <region>', 'Athena region (default: AWS_REGION)')
    .action(async (sqlOrName, flags) => {
      io.setExitCode(await runQueryCommand(sqlOrName, flags, io));
    });
  return withGuide(command, {
    variables: { AWS_REGION: 'the Athena region when --region is not given (else AWS_DEFAULT_REGION)' },
    exitCodes: [0, 1],
    examples: [
      {
        command: 'sm-inventory query jobs_by_status --warehouse ./warehouse',
        does: 'a shipped named query, run by DuckDB on the local warehouse',
      },
      {
        command: 'sm-inventory query unattributed_training_spend --warehouse ./warehouse --cur ./cur',
        does: 'training spend of the CUR 2.0 export in ./cur that no inventory row explains',
      },
      {
        command: `sm-inventory query "SELECT region, count(*) AS jobs FROM sagemaker_training_job_current GROUP BY region" --athena --workgroup W --format csv`,
        does: 'your own SQL in Athena, as CSV',
      },
    ],
  });
}

/** Exit codes: 0 the query ran (or --list listed); 1 no query was given, or it failed. */
export async function runQueryCommand(sqlOrName: string | undefined, flags: QueryFlags, io: CommandIo): Promise<number> {
  if (flags.list && sqlOrName !== undefined)
    throw new ConfigError(`--list and the query ${JSON.stringify(sqlOrName)} contradict each other; allowed: one of them`);
  if (flags.list) {
    const { views, queries } = loadSqlCatalog();
    for (const d of [...views, ...queries]) io.out.write(`${d.kind.padEnd(5)}  ${d.name.padEnd(45)}  ${d.description}\n`);
    return 0;
  }
  if (!sqlOrName?.trim())
    throw new ConfigError(
      'query needs SQL text or the name of a view or named query; allowed: sm-inventory query NAME|"SQL" (sm-inventory query --list lists the names)',
    );
  const result = flags.athena ? await queryAthena(sqlOrName, flags) : await queryLocal(sqlOrName, flags);
  io.out.write(`${formatResult(result, flags.format)}\n`);
  return 0;
}

async function queryLocal(sqlOrName: string, flags: QueryFlags): Promise<QueryResult> {
  const warehouse = await LocalWarehouse.open(flags.warehouse, {
    tagKeys: flags.tagKeys,
    staleAfterDays: flags.staleAfterDays,
    curExport: flags.cur,
  });
  try {
    return await warehouse.query(sqlOrName);
  } finally {
    warehouse.close();
  }
}

/** In Athena the views already exist (the stack creates them); a name resolves to the shipped SQL. */
async function queryAthena(sqlOrName: string, flags: QueryFlags): Promise<QueryResult> {
  if (flags.cur !== undefined)
    throw new ConfigError(
      `--cur ${flags.cur} is for the local warehouse; allowed with --athena: nothing, the deployment's costAndUsageReport prop names the CUR 2.0 table`,
    );
  if (!flags.workgroup)
    throw new ConfigError('--athena needs --workgroup <name>; allowed: the workgroup the stack created (output AthenaWorkgroup)');
  const region = flags.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (!region) throw new ConfigError('--athena needs a region: pass --region or set AWS_REGION');
  const sql = resolveSql(sqlOrName, undefined, { tagKeys: flags.tagKeys, staleAfterDays: flags.staleAfterDays });
  const client = createAthenaClient({ region: validateRegion(region) });
  try {
    return await new AthenaQueryRunner(client, { workgroup: flags.workgroup, database: flags.database }).query(sql);
  } finally {
    client.destroy();
  }
}
