import type { OperationStats } from '../../core/collect/call-stats';
import { ConfigError } from '../../core/errors';
import { ACCOUNT_ID_PATTERN, REGION_PATTERN, ROLE_ARN_PATTERN } from '../../core/names';
import { readSnapshotDate } from '../../core/pipeline/config';
import { validateSnapshotDate } from '../../core/publish/layout';
import type { JobCounts } from '../../core/publish/run-record';
import type { SkippedAccount, SnapshotTarget } from '../../core/pipeline/targets';
import type { SnapshotMode, TargetProgress, TargetResult } from '../../core/pipeline/target-run';

/**
 * The events the state machine sends the function, one per step, and what each step answers. Every
 * answer travels in the execution's state, which Step Functions caps at 256 KiB: answers are compact.
 */
export type StepName = 'resolve' | 'collect' | 'summarize';
export const STEP_NAMES: readonly StepName[] = ['resolve', 'collect', 'summarize'];

/** What an execution is started with: `{}` from the schedule, or a date and/or a full describe from an operator. */
export interface RunInput {
  readonly snapshotDate?: string;
  readonly full?: boolean;
}

export interface ResolveEvent {
  readonly step: 'resolve';
  /** The execution's input. */
  readonly input?: RunInput;
  /** The execution's name: unique per state machine, it holds each target's lease across the collect loop. */
  readonly execution: string;
}

/** Resolve's answer: the run every later step refers to. */
export interface ResolvedRun {
  readonly snapshotDate: string;
  readonly full: boolean;
  readonly holder: string;
  /** The state machine's Map replaces each target with its outcome here. */
  readonly targets: SnapshotTarget[];
  /** The first SKIPPED_IN_STATE accounts left out (the log has them all), reasons cut to ERROR_CHARS. */
  readonly skipped: SkippedAccount[];
  readonly skippedCount: number;
  readonly startedAt: number;
}

export interface CollectEvent {
  readonly step: 'collect';
  readonly target: SnapshotTarget;
  readonly snapshotDate: string;
  readonly full: boolean;
  readonly holder: string;
  /** The previous invocation's answer for this target (`{ status: 'starting' }` before the first). */
  readonly previous?: CollectAnswer | { readonly status: 'starting' };
}

/** One (account, region)'s end: everything the summary needs, and nothing more (it travels in the Map's result). */
export interface TargetOutcome extends JobCounts {
  readonly accountId: string;
  readonly region: string;
  readonly status: TargetResult['status'];
  readonly mode?: SnapshotMode;
  readonly jobsSetAside: number;
  readonly jobsVanished: number;
  readonly bytesWritten: number;
  readonly apiCalls: number;
  readonly throttles: number;
  readonly unknownApiFields: readonly string[];
  readonly durationMs: number;
  /** Cut to ERROR_CHARS; the function's log has it whole. */
  readonly error?: string;
  /** Objects no view reads that the run could not remove (TargetResult.leftToClean); the next run of the date removes them. */
  readonly leftToClean?: readonly string[];
  /** What went wrong after the outcome was settled, without changing it (TargetResult.warnings), each cut to ERROR_CHARS. */
  readonly warnings?: readonly string[];
}

export type CollectAnswer =
  | {
      readonly status: 'continuing';
      readonly progress: TargetProgress;
      /** Invocations in a row that ended interrupted with no job listed or described: MAX_STALLED_INVOCATIONS of them fail the target. */
      readonly stalledInvocations: number;
    }
  | { readonly status: 'done'; readonly outcome: TargetOutcome };

export interface SummarizeEvent {
  readonly step: 'summarize';
  readonly snapshotDate: string;
  readonly startedAt: number;
  /** One per target: a collect outcome, or what the state machine's Catch recorded for a task that failed outright. */
  readonly outcomes: readonly (TargetOutcome | CaughtFailure)[];
  readonly skipped: readonly SkippedAccount[];
  /** All the accounts left out, `skipped` being the first of them. */
  readonly skippedCount: number;
}

/** What the Catch of a target's collect loop records when the task itself failed (timeout, crash, retries spent). */
export interface CaughtFailure {
  readonly accountId: string;
  readonly region: string;
  readonly status: 'failed';
  /** The Step Functions error name, e.g. States.Timeout or Lambda.ServiceException. */
  readonly error: string;
}

export interface RunSummary {
  readonly snapshotDate: string;
  /** False when a target failed, or there was nothing to snapshot: the state machine then ends in its Fail state. */
  readonly ok: boolean;
  readonly targets: number;
  readonly succeeded: number;
  readonly incomplete: number;
  readonly failed: number;
  readonly skippedAccounts: number;
  readonly jobsWritten: number;
  /** One line for an operator, also the Fail state's cause. */
  readonly message: string;
}

export type StepEvent = ResolveEvent | CollectEvent | SummarizeEvent;

/** The longest error text an outcome (or a skipped account's reason) carries in the execution's state. */
export const ERROR_CHARS = 200;
/** The most skipped accounts the execution's state names; the count is always whole. */
export const SKIPPED_IN_STATE = 50;

export function cut(text: string): string {
  return text.length > ERROR_CHARS ? `${text.slice(0, ERROR_CHARS - 1)}…` : text;
}

export function isStepEvent(event: unknown): event is { step: unknown } {
  return typeof event === 'object' && event !== null && 'step' in event;
}

function fail(step: string, field: string, value: unknown, allowed: string): never {
  throw new ConfigError(`${step} event: ${field} is ${JSON.stringify(value)}; allowed: ${allowed}`);
}

function text(step: string, field: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') fail(step, field, value, 'a non-empty string');
  return value;
}

/** A target as the state machine passes it back: the shape resolve produced, checked again since anyone with invoke rights can send one. */
function target(value: unknown): SnapshotTarget {
  const t = (value ?? {}) as Partial<SnapshotTarget>;
  if (typeof t.accountId !== 'string' || !ACCOUNT_ID_PATTERN.test(t.accountId))
    fail('collect', 'target.accountId', t.accountId, 'a 12-digit account id');
  if (typeof t.region !== 'string' || !REGION_PATTERN.test(t.region))
    fail('collect', 'target.region', t.region, 'an AWS Region code such as us-east-1');
  if (t.roleArn !== undefined && (typeof t.roleArn !== 'string' || !ROLE_ARN_PATTERN.test(t.roleArn)))
    fail('collect', 'target.roleArn', t.roleArn, "an IAM role ARN, or absent for the function's own account");
  return { accountId: t.accountId, region: t.region, ...(t.roleArn ? { roleArn: t.roleArn } : {}) };
}

const RUN_INPUT_KEYS = ['snapshotDate', 'full'];

/** The execution's input, checked: an operator's typo fails the run at once, naming what is allowed. */
export function readRunInput(value: unknown, today: string, firstSnapshotDate?: string): { snapshotDate: string; full: boolean } {
  if (value === undefined || value === null) return { snapshotDate: today, full: false };
  if (typeof value !== 'object' || Array.isArray(value))
    fail('execution input', 'the input', value, '{"snapshotDate": "YYYY-MM-DD", "full": true}, either key optional');
  const unknown = Object.keys(value).filter((key) => !RUN_INPUT_KEYS.includes(key));
  if (unknown.length > 0)
    fail('execution input', `key ${unknown[0]}`, (value as Record<string, unknown>)[unknown[0]], `only ${RUN_INPUT_KEYS.join(' and ')}`);
  const { snapshotDate, full } = value as { snapshotDate?: unknown; full?: unknown };
  if (full !== undefined && typeof full !== 'boolean') fail('execution input', 'full', full, 'true or false');
  return { snapshotDate: readSnapshotDate(snapshotDate, today, firstSnapshotDate), full: full === true };
}

/** The step event, checked field by field; a malformed one is a ConfigError naming the field. */
export function readStepEvent(event: { step: unknown }): StepEvent {
  const e = event as Record<string, unknown>;
  switch (event.step) {
    case 'resolve':
      return { step: 'resolve', input: e.input as RunInput | undefined, execution: text('resolve', 'execution', e.execution) };
    case 'collect':
      if (typeof e.full !== 'boolean') fail('collect', 'full', e.full, 'true or false');
      return {
        step: 'collect',
        target: target(e.target),
        // Resolve chose and checked the date; this only guards the partition path built from it.
        snapshotDate: validateSnapshotDate(text('collect', 'snapshotDate', e.snapshotDate)),
        full: e.full,
        holder: text('collect', 'holder', e.holder),
        previous: typeof e.previous === 'object' && e.previous !== null ? (e.previous as CollectEvent['previous']) : undefined,
      };
    case 'summarize':
      if (!Array.isArray(e.outcomes)) fail('summarize', 'outcomes', e.outcomes, 'an array of target outcomes');
      return {
        step: 'summarize',
        snapshotDate: validateSnapshotDate(text('summarize', 'snapshotDate', e.snapshotDate)),
        startedAt: typeof e.startedAt === 'number' ? e.startedAt : Date.now(),
        outcomes: e.outcomes as TargetOutcome[],
        skipped: Array.isArray(e.skipped) ? (e.skipped as SkippedAccount[]) : [],
        skippedCount: typeof e.skippedCount === 'number' ? e.skippedCount : Array.isArray(e.skipped) ? e.skipped.length : 0,
      };
    default:
      return fail('function', 'step', event.step, STEP_NAMES.join(', '));
  }
}

function sumOperations(operations: Readonly<Record<string, OperationStats>> | undefined, pick: (stats: OperationStats) => number): number {
  return Object.values(operations ?? {}).reduce((sum, stats) => sum + pick(stats), 0);
}

/** The outcome of a finished target, from its full result. */
export function outcomeOf(result: TargetResult): TargetOutcome {
  return {
    accountId: result.accountId,
    region: result.region,
    status: result.status,
    ...(result.mode ? { mode: result.mode } : {}),
    jobsWritten: result.jobsWritten,
    jobsDescribed: result.jobsDescribed,
    jobsCarried: result.jobsCarried,
    jobsNew: result.jobsNew,
    jobsGone: result.jobsGone,
    jobsSetAside: result.setAside.length,
    jobsVanished: result.collect?.jobsVanished ?? 0,
    bytesWritten: result.bytesWritten,
    apiCalls: sumOperations(result.collect?.operations, (s) => s.calls),
    throttles: sumOperations(result.collect?.operations, (s) => s.throttles),
    unknownApiFields: Object.keys(result.unknownFields),
    durationMs: Math.round(result.durationMs),
    ...(result.error ? { error: cut(result.error) } : {}),
    ...(result.leftToClean?.length ? { leftToClean: result.leftToClean.slice(0, 20) } : {}),
    ...(result.warnings?.length ? { warnings: result.warnings.map(cut) } : {}),
  };
}

/** The outcome of a target that published nothing. */
export function failedOutcome(target: Pick<SnapshotTarget, 'accountId' | 'region'>, error: string): TargetOutcome {
  return {
    accountId: target.accountId,
    region: target.region,
    status: 'failed',
    jobsWritten: 0,
    jobsDescribed: 0,
    jobsCarried: 0,
    jobsNew: 0,
    jobsGone: 0,
    jobsSetAside: 0,
    jobsVanished: 0,
    bytesWritten: 0,
    apiCalls: 0,
    throttles: 0,
    unknownApiFields: [],
    durationMs: 0,
    error: cut(error),
  };
}

/** Outcomes and caught failures alike, as outcomes (a caught failure wrote nothing). */
export function asOutcome(value: TargetOutcome | CaughtFailure): TargetOutcome {
  if ('jobsWritten' in value) return value;
  return failedOutcome(value, `the collect task failed with ${value.error} after its retries; the execution's history has the cause`);
}
