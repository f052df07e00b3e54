import { readFile } from 'node:fs/promises';
import { Command } from '@commander-js/extra-typings';
import { ConfigError } from '../../lambda/core/errors';
import type { ChangeBatchReport, EventOutcome } from '../../lambda/core/events/apply-changes';
import { runChangeBatch } from '../../lambda/core/events/change-batch';
import { unreadableJsonDetail } from '../../lambda/core/events/state-change-event';
import { SETTING_NAMES } from '../../lambda/core/settings/settings';
import { withGuide } from '../command-guide';
import type { CommandIo } from '../options';
import { settingOptions } from '../setting-options';
import { configFromFlags, SNAPSHOT_SETTINGS, type SnapshotFlags } from './snapshot';

/** The settings `sm-inventory apply-events` takes as flags: the snapshot's (the same targets, limits and warehouse), but those of a listing. */
const APPLY_SETTINGS = SNAPSHOT_SETTINGS.filter((name) => name !== 'tagStrategy' && name !== 'allowShrink');

export function applyEventsCommand(io: CommandIo) {
  const command = new Command('apply-events')
    .description(
      'Apply EventBridge training-job state changes (one JSON event per line, as an archive replay or a test event gives them) to the warehouse: each job described once, one object in sagemaker_training_job_change.',
    )
    .argument('<file>', 'the events, one JSON object per line');
  for (const option of settingOptions(APPLY_SETTINGS)) command.addOption(option);
  command.option('--json', 'print the report as JSON').action(async (file, flags) => {
    io.setExitCode(await runApplyEventsCommand(file, flags as SnapshotFlags, io));
  });
  return withGuide(command, {
    settings: SETTING_NAMES,
    exitCodes: [0, 1, 2],
    examples: [
      { command: 'sm-inventory apply-events events.jsonl --regions us-east-1', does: "a morning's state changes into ./warehouse" },
      {
        command: 'sm-inventory apply-events replay.jsonl --out s3://my-bucket/inventory --json',
        does: 'an archive replay into S3, with the report as JSON',
      },
    ],
  });
}

/** A line that is not JSON is set aside by its number; its text is never shown (it may hold a secret). */
export function parseEventLines(text: string): { readonly events: unknown[]; readonly lines: number[]; readonly unreadable: string[] } {
  const events: unknown[] = [];
  const lines: number[] = [];
  const unreadable: string[] = [];
  for (const [index, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    try {
      events.push(JSON.parse(line));
      lines.push(index + 1);
    } catch (error) {
      unreadable.push(`line ${index + 1}: not JSON (${unreadableJsonDetail(line, error)}); expected one EventBridge event per line`);
    }
  }
  return { events, lines, unreadable };
}

/** Why an event was not applied, or undefined when it was (or was only of another detail-type). */
export function setAsideReason(outcome: EventOutcome): string | undefined {
  switch (outcome.kind) {
    case 'applied':
    case 'ignored':
      return undefined;
    case 'rejected':
      return `${outcome.eventId ? `event ${outcome.eventId}: ` : ''}${outcome.reason}`;
    case 'refused':
      return `event ${outcome.eventId}: account ${outcome.accountId} in ${outcome.region} is not configured; allowed: the accounts and regions the inventory snapshots`;
    case 'skipped':
      return `${outcome.arn}: ${outcome.reason}`;
    case 'retry':
      return `${outcome.arn}: not applied, apply it again: ${outcome.reason}`;
  }
}

export function summariseBatch(report: ChangeBatchReport, setAside: readonly string[]): string {
  const applied = report.outcomes.filter((o) => o.kind === 'applied').length;
  const ignored = Object.entries(report.ignored).map(([type, n]) => `${n} ${JSON.stringify(type)}`);
  return [
    `apply-events: ${report.outcomes.length} events, ${applied} applied as ${report.jobsWritten} jobs (${report.jobsDescribed} described)` +
      (report.location ? ` → ${report.location} (${(report.bytes / 1024).toFixed(1)} KiB)` : ''),
    ...(ignored.length ? [`  ignored (another detail-type): ${ignored.join(', ')}`] : []),
    ...setAside.map((reason) => `  set aside: ${reason}`),
  ].join('\n');
}

/** Exit codes: 0 every event applied (or ignored); 2 some were set aside, each named with its reason. */
export async function runApplyEventsCommand(file: string, flags: SnapshotFlags, io: CommandIo): Promise<number> {
  const config = configFromFlags(flags, process.env);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read the events file ${file}: ${(error as Error).message}; allowed: a readable file of JSON lines`, {
      cause: error,
    });
  }
  const { events, lines, unreadable } = parseEventLines(text);
  const report = await runChangeBatch(config, events, {
    onWarning: (message, details) => io.err.write(`warning: ${message} ${JSON.stringify(details)}\n`),
  });
  const setAside = [
    ...unreadable,
    ...report.outcomes.flatMap((outcome, i) => {
      const reason = setAsideReason(outcome);
      return reason === undefined ? [] : [`line ${lines[i]}: ${reason}`];
    }),
  ];
  io.out.write(
    `${flags.json ? JSON.stringify({ ...report, setAside }, (_k, v) => (typeof v === 'bigint' ? Number(v) : v)) : summariseBatch(report, setAside)}\n`,
  );
  if (setAside.length > 0) io.err.write(`error: ${setAside.length} event(s) set aside, each named above with its reason\n`);
  return setAside.length > 0 ? 2 : 0;
}
