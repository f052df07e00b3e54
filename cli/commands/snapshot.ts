import { Command } from '@commander-js/extra-typings';
import { readConfig, readSnapshotDate, type InventoryConfig } from '../../lambda/core/pipeline/config';
import { runSnapshot, type SnapshotReport, type TargetResult } from '../../lambda/core/pipeline/snapshot';
import { utcDate } from '../../lambda/core/publish/layout';
import type { CommandIo } from '../options';
import { settingOptions, settingsInput } from '../setting-options';

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

/** The settings `sm-inventory snapshot` takes as flags; the others come from the environment only. */
export const SNAPSHOT_SETTINGS = [
  'regions',
  'output',
  'roleArns',
  'includeCallerAccount',
  'limits',
  'concurrency',
  'tagStrategy',
  'compression',
  's3ForcePathStyle',
  'timeBudget',
  'allowShrink',
] as const;

export function snapshotCommand(io: CommandIo) {
  const command = new Command('snapshot')
    .description('Snapshot every training job of the given regions (and member accounts) into the warehouse.')
    .option('--date <YYYY-MM-DD>', 'snapshot date (default: today, UTC)');
  for (const option of settingOptions(SNAPSHOT_SETTINGS)) command.addOption(option);
  return command
    .option('--full', 'describe every job, whatever the previous snapshot says (default: only new, changed and unsettled jobs)')
    .option('--json', 'print the run report as JSON')
    .action(async (flags) => {
      io.setExitCode(await runSnapshotCommand(flags as SnapshotFlags, io));
    });
}

/** Flags override the environment; both go through the one validation the Lambda uses. */
export function configFromFlags(flags: SnapshotFlags, env: NodeJS.ProcessEnv): InventoryConfig {
  return readConfig({ ...settingsInput(flags as Record<string, unknown>, env), AWS_REGION: env.AWS_REGION ?? env.AWS_DEFAULT_REGION });
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
