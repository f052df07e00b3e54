import { Command, Option } from '@commander-js/extra-typings';
import { PARQUET_COMPRESSIONS } from '../../lambda/core/parquet/parquet-encoder';
import {
  DEFAULT_SHRINK_GUARD,
  readConfig,
  readSnapshotDate,
  TAG_STRATEGIES,
  type ConfigInput,
  type InventoryConfig,
} from '../../lambda/core/pipeline/config';
import { runSnapshot, type SnapshotReport, type TargetResult } from '../../lambda/core/pipeline/snapshot';
import { utcDate } from '../../lambda/core/publish/layout';
import { wholeNumber, type CommandIo } from '../options';

export interface SnapshotFlags {
  readonly regions?: string;
  readonly out?: string;
  readonly date?: string;
  readonly roleArn?: string[];
  readonly includeCallerAccount?: boolean;
  readonly limits?: string;
  readonly concurrency?: string;
  readonly tagStrategy?: string;
  readonly compression?: string;
  readonly s3ForcePathStyle?: boolean;
  readonly timeBudget?: string;
  readonly full?: boolean;
  readonly allowShrink?: boolean;
  readonly json?: boolean;
}

export function snapshotCommand(io: CommandIo) {
  return new Command('snapshot')
    .description('Snapshot every training job of the given regions (and member accounts) into the warehouse.')
    .option('--regions <list>', 'comma-separated regions (default: SM_INVENTORY_REGIONS or AWS_REGION)')
    .option('--out <dir|s3://bucket/prefix>', 'warehouse root (default: ./warehouse)')
    .option('--date <YYYY-MM-DD>', 'snapshot date (default: today, UTC)')
    .option('--role-arn <arn...>', 'member-account role(s) to assume')
    .option('--include-caller-account', 'also snapshot the account of your own credentials (default: only without --role-arn)')
    .option('--no-include-caller-account', 'skip the account of your own credentials')
    .option('--limits <op=rate[,op=rate]>', 'calls per second, e.g. DescribeTrainingJob=10,ListTags=10')
    .option('--concurrency <n>', 'describe calls in flight per account and region', wholeNumber)
    .addOption(new Option('--tag-strategy <strategy>', 'how tags are read').choices(TAG_STRATEGIES))
    .addOption(new Option('--compression <codec>', 'Parquet codec').choices(PARQUET_COMPRESSIONS))
    .option('--s3-force-path-style', 'path-style S3 URLs (S3-compatible servers)')
    .option('--time-budget <seconds>', 'seconds the run may take before it stops and reports how far it got (default: 3600)', wholeNumber)
    .option('--full', 'describe every job, whatever the previous snapshot says (default: only new, changed and unsettled jobs)')
    .option(
      '--allow-shrink',
      `publish even when an (account, region) lost more than ${DEFAULT_SHRINK_GUARD.share * 100}% and more than ${DEFAULT_SHRINK_GUARD.jobs} of its jobs (SM_INVENTORY_SHRINK_SHARE, SM_INVENTORY_SHRINK_JOBS), or all of them, since its previous snapshot: jobs really deleted`,
    )
    .option('--json', 'print the run report as JSON')
    .action(async (flags) => {
      io.setExitCode(await runSnapshotCommand(flags, io));
    });
}

/** Flags override the environment; both go through the one validation the Lambda uses. */
export function configFromFlags(flags: SnapshotFlags, env: NodeJS.ProcessEnv): InventoryConfig {
  const input: ConfigInput = {
    ...env,
    SM_INVENTORY_REGIONS: flags.regions ?? env.SM_INVENTORY_REGIONS ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION,
    SM_INVENTORY_OUTPUT: flags.out ?? env.SM_INVENTORY_OUTPUT,
    SM_INVENTORY_ROLE_ARNS: flags.roleArn?.join(',') ?? env.SM_INVENTORY_ROLE_ARNS,
    SM_INVENTORY_INCLUDE_CALLER_ACCOUNT:
      flags.includeCallerAccount === undefined ? env.SM_INVENTORY_INCLUDE_CALLER_ACCOUNT : String(flags.includeCallerAccount),
    SM_INVENTORY_LIMITS: flags.limits ?? env.SM_INVENTORY_LIMITS,
    SM_INVENTORY_CONCURRENCY: flags.concurrency ?? env.SM_INVENTORY_CONCURRENCY,
    SM_INVENTORY_TAG_STRATEGY: flags.tagStrategy ?? env.SM_INVENTORY_TAG_STRATEGY,
    SM_INVENTORY_COMPRESSION: flags.compression ?? env.SM_INVENTORY_COMPRESSION,
    SM_INVENTORY_S3_FORCE_PATH_STYLE: flags.s3ForcePathStyle ? 'true' : env.SM_INVENTORY_S3_FORCE_PATH_STYLE,
    SM_INVENTORY_TIME_BUDGET: flags.timeBudget ?? env.SM_INVENTORY_TIME_BUDGET,
    SM_INVENTORY_ALLOW_SHRINK: flags.allowShrink ? 'true' : env.SM_INVENTORY_ALLOW_SHRINK,
  };
  return readConfig(input);
}

function describeTarget(result: TargetResult): string {
  const where = `${result.accountId}/${result.region}`;
  if (result.status === 'failed') return `  FAILED  ${where}: ${result.error}`;
  const calls = Object.entries(result.collect?.operations ?? {})
    .map(([op, s]) => `${op} ${s.calls}${s.throttles ? ` (${s.throttles} throttled)` : ''}`)
    .join(', ');
  const drift = Object.keys(result.unknownFields);
  const lines = [
    `  ${result.status === 'succeeded' ? 'ok     ' : 'PARTIAL'} ${where}: ${result.jobsWritten} jobs, ${(result.bytesWritten / 1024).toFixed(1)} KiB in ${(result.durationMs / 1000).toFixed(1)} s → ${result.location}`,
    `          ${result.mode}: ${result.jobsDescribed} described, ${result.jobsCarried} carried, ${result.jobsNew} new, ${result.jobsGone} gone (${result.modeReason})`,
    `          calls: ${calls}`,
  ];
  if (drift.length) lines.push(`          fields not in the schema: ${drift.join(', ')}`);
  for (const job of result.setAside.slice(0, 20)) lines.push(`          set aside: ${job.arn ?? job.name}: ${job.reason}`);
  if (result.setAside.length > 20) lines.push(`          … and ${result.setAside.length - 20} more set aside`);
  return lines.join('\n');
}

export function summarise(report: SnapshotReport): string {
  const jobs = report.targets.reduce((sum, t) => sum + t.jobsWritten, 0);
  const partial = report.incomplete.length ? ` (${report.incomplete.length} incomplete)` : '';
  return [
    `snapshot ${report.snapshotDate} → ${report.output}: ${jobs} jobs in ${report.targets.length - report.failed.length} of ${report.targets.length} (account, region) objects${partial}, ${(report.durationMs / 1000).toFixed(1)} s`,
    ...report.targets.map(describeTarget),
  ].join('\n');
}

/** Exit codes: 0 all written; 2 some (account, region) failed or was published without some jobs (the rest were published). */
export async function runSnapshotCommand(flags: SnapshotFlags, io: CommandIo): Promise<number> {
  const config = configFromFlags(flags, process.env);
  const snapshotDate = readSnapshotDate(flags.date, utcDate(new Date()), config.firstSnapshotDate);
  const tty = io.err.isTTY === true;
  const report = await runSnapshot(config, {
    snapshotDate,
    full: flags.full,
    events: {
      targetStarted: (t) => tty && io.err.write(`collecting ${t.accountId}/${t.region}…\n`),
      progress: (t, n) => tty && io.err.write(`  ${t.accountId}/${t.region}: ${n} jobs described\n`),
      warning: (message, details) => io.err.write(`warning: ${message} ${JSON.stringify(details)}\n`),
    },
  });
  io.out.write(`${flags.json ? JSON.stringify(report) : summarise(report)}\n`);
  if (report.failed.length > 0) {
    io.err.write(
      `error: ${report.failed.length} (account, region) snapshot(s) failed: ${report.failed.map((f) => `${f.accountId}/${f.region}`).join(', ')}\n`,
    );
  }
  if (report.incomplete.length > 0) {
    io.err.write(
      `error: ${report.incomplete.length} (account, region) snapshot(s) published without some jobs: ${report.incomplete.map((f) => `${f.accountId}/${f.region} (${f.setAside.length} set aside)`).join(', ')}\n`,
    );
  }
  return report.failed.length + report.incomplete.length > 0 ? 2 : 0;
}
