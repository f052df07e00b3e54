import { Command } from '@commander-js/extra-typings';
import { readConfig, readSnapshotDate, type InventoryConfig } from '../../lambda/core/pipeline/config';
import { runSnapshot, type SnapshotReport, type TargetResult } from '../../lambda/core/pipeline/snapshot';
import { utcDate } from '../../lambda/core/publish/layout';
import { SETTING_NAMES } from '../../lambda/core/settings/settings';
import { withGuide } from '../command-guide';
import { StopRequest } from '../interrupt';
import { wholeNumberIn, type CommandIo } from '../options';
import { ProgressDisplay } from '../progress';
import { settingNamer, settingOptions, settingsInput } from '../setting-options';

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
  readonly requestTimeout?: string;
  readonly jobThrottleAttempts?: string;
  readonly stallPeriod?: string;
  readonly full?: boolean;
  readonly allowShrink?: boolean;
  readonly json?: boolean;
  /** Seconds between progress lines when stderr is not a terminal. */
  readonly progressEvery?: number;
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
  'requestTimeout',
  'jobThrottleAttempts',
  'stallPeriod',
  'allowShrink',
] as const;

export function snapshotCommand(io: CommandIo) {
  const command = new Command('snapshot')
    .description('Snapshot every training job of the given regions (and member accounts) into the warehouse.')
    .option('--date <YYYY-MM-DD>', 'snapshot date (default: today, UTC)');
  for (const option of settingOptions(SNAPSHOT_SETTINGS)) command.addOption(option);
  command
    .option('--full', 'describe every job, whatever the previous snapshot says (default: only new, changed and unsettled jobs)')
    .option('--json', 'print the run report as JSON')
    .option(
      '--progress-every <seconds>',
      'seconds between progress lines on stderr when it is not a terminal (a terminal shows a progress bar)',
      wholeNumberIn(1, 3600),
      5,
    )
    .action(async (flags) => {
      io.setExitCode(await runSnapshotCommand(flags as SnapshotFlags, io));
    });
  return withGuide(command, {
    settings: SETTING_NAMES,
    exitCodes: [0, 1, 2, 130, 143],
    examples: [
      {
        command: 'sm-inventory snapshot --regions us-east-1,eu-west-1 --out s3://my-bucket/inventory',
        does: "today's snapshot of two regions of the caller's account, into S3",
      },
      {
        command: 'sm-inventory snapshot --role-arn arn:aws:iam::210987654321:role/SageMakerJobInventoryRead --date 2026-11-30 --full',
        does: 'a member account on 30 November, every job described, into ./warehouse',
      },
    ],
  });
}

/** Flags override the environment; both go through the one validation the Lambda uses, and an error names what was typed. */
export function configFromFlags(flags: SnapshotFlags, env: NodeJS.ProcessEnv): InventoryConfig {
  const given = flags as Readonly<Record<string, unknown>>;
  return readConfig({ ...settingsInput(given, env), AWS_REGION: env.AWS_REGION ?? env.AWS_DEFAULT_REGION }, settingNamer(given));
}

/** One target's lines: how it ended and what became visible, then what it left to clean and what went wrong after. */
function describeTarget(result: TargetResult): string {
  const lines = result.status === 'failed' ? describeFailure(result) : describePublished(result);
  for (const location of result.leftToClean ?? []) lines.push(`          left to clean (no view reads it): ${location}`);
  for (const warning of result.warnings ?? []) lines.push(`          warning: ${warning}`);
  return lines.join('\n');
}

function describeFailure(result: TargetResult): string[] {
  const where = `${result.accountId}/${result.region}`;
  // A failed target never reached its commit point (the run record), so nothing it wrote is read by any view.
  return [`  FAILED  ${where}: ${result.error}`, `          unchanged: Athena and current show ${where} as before this run`];
}

function describePublished(result: TargetResult): string[] {
  const where = `${result.accountId}/${result.region}`;
  const calls = Object.entries(result.collect?.operations ?? {})
    .map(([op, s]) => `${op} ${s.calls}${s.throttles ? ` (${s.throttles} throttled)` : ''}`)
    .join(', ');
  const drift = Object.keys(result.unknownFields);
  const lines = [
    `  ${result.status === 'succeeded' ? 'ok     ' : 'PARTIAL'} ${where}: ${result.jobsWritten} jobs, ${(result.bytesWritten / 1024).toFixed(1)} KiB in ${(result.durationMs / 1000).toFixed(1)} s, published → ${result.location}`,
    `          ${result.mode}: ${result.jobsDescribed} described, ${result.jobsCarried} carried, ${result.jobsNew} new, ${result.jobsGone} gone (${result.modeReason})`,
    `          calls: ${calls}`,
  ];
  if (drift.length) lines.push(`          fields not in the schema: ${drift.join(', ')}`);
  for (const job of result.setAside.slice(0, 20)) lines.push(`          set aside: ${job.arn ?? job.name}: ${job.reason}`);
  if (result.setAside.length > 20) lines.push(`          … and ${result.setAside.length - 20} more set aside`);
  return lines;
}

export function summarise(report: SnapshotReport): string {
  const jobs = report.targets.reduce((sum, t) => sum + t.jobsWritten, 0);
  const partial = report.incomplete.length ? ` (${report.incomplete.length} incomplete)` : '';
  return [
    `snapshot ${report.snapshotDate} → ${report.output}: ${jobs} jobs in ${report.targets.length - report.failed.length} of ${report.targets.length} (account, region) objects${partial}, ${(report.durationMs / 1000).toFixed(1)} s`,
    ...report.targets.map(describeTarget),
  ].join('\n');
}

/**
 * Exit codes: 0 all written; 2 some (account, region) failed or was published without some jobs (the
 * rest were published); 130 or 143 stopped by SIGINT or SIGTERM, with the progress saved.
 */
export async function runSnapshotCommand(flags: SnapshotFlags, io: CommandIo): Promise<number> {
  const config = configFromFlags(flags, process.env);
  const snapshotDate = readSnapshotDate(flags.date, utcDate(new Date()), config.firstSnapshotDate);
  const display = new ProgressDisplay(io.err, {
    tty: io.err.isTTY === true,
    everyMs: (flags.progressEvery ?? 5) * 1000,
    columns: io.err.columns,
  });
  const interruption = io.interruptions?.();
  let report: SnapshotReport;
  try {
    report = await runSnapshot(config, { snapshotDate, full: flags.full, events: display.events(), signal: interruption?.signal });
  } finally {
    display.stop();
    interruption?.dispose();
  }
  io.out.write(`${flags.json ? JSON.stringify(report) : summarise(report)}\n`);
  const stop: unknown = interruption?.signal.reason;
  if (stop instanceof StopRequest) {
    io.err.write(`${stoppedMessage(report, stop)}\n`);
    return stop.exitCode;
  }
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

/** What a stopped run did and left, and the command that continues it (the date, since "today" may have moved on). */
function stoppedMessage(report: SnapshotReport, stop: StopRequest): string {
  const unfinished = report.failed.map((f) => `${f.accountId}/${f.region}`);
  const published = report.targets.length - report.failed.length;
  return [
    `stopped by ${stop.signalName}: the calls in flight were cancelled; ${published} of ${report.targets.length} (account, region) published before the stop.`,
    unfinished.length > 0
      ? `Not published: ${unfinished.join(', ')}; their progress is saved and their locks released. ` +
        `To continue where it stopped, run the same command with --date ${report.snapshotDate}.`
      : 'Nothing is left to do.',
  ].join('\n');
}
