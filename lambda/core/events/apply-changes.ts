import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { AwsClientPool } from '../aws/client-pool';
import { mapWithConcurrency } from '../collect/concurrency';
import { TimeBudgetExhaustedError, TrainingJobSource } from '../collect/training-job-source';
import { describeError, InvalidRecordError } from '../errors';
import { ParquetWasmEncoder } from '../parquet/parquet-encoder';
import type { InventoryConfig } from '../pipeline/config';
import type { SnapshotTarget } from '../pipeline/targets';
import { snapshotObjectPath, utcDate, type SnapshotObjectId } from '../publish/layout';
import type { WarehouseStore } from '../publish/store';
import { Redactor } from '../rows/redaction';
import { TrainingJobRowMapper, type TableRow } from '../rows/training-job-row';
import { TRAINING_JOB_CHANGE_SCHEMA, TRAINING_JOB_SCHEMA } from '../schema/table-schema';
import { latestPerJob, parseStateChangeEvent, type StateChange } from './state-change-event';

/** What became of one event of a batch. */
export type EventOutcome =
  /** Its job was described and its row written (with the batch's other events of the same job). */
  | { readonly kind: 'applied'; readonly arn: string }
  /** Another detail-type: counted, not applied. */
  | { readonly kind: 'ignored'; readonly detailType: string }
  /** Malformed or without a job ARN: set aside (the queue's DLQ), with the reason. */
  | { readonly kind: 'rejected'; readonly reason: string; readonly eventId?: string }
  /** From an (account, region) the inventory is not configured for: refused, counted. */
  | { readonly kind: 'refused'; readonly accountId: string; readonly region: string; readonly eventId: string }
  /** Its job cannot be described (deleted since, access denied, an answer that cannot be a row): logged and dropped. */
  | { readonly kind: 'skipped'; readonly arn: string; readonly reason: string }
  /** Not applied for a reason a later try may not have (throttled past the deadline, a failed write): deliver it again. */
  | { readonly kind: 'retry'; readonly arn: string; readonly reason: string };

export interface ChangeBatchReport {
  /** One per event, in the batch's order. */
  readonly outcomes: readonly EventOutcome[];
  readonly jobsDescribed: number;
  readonly jobsWritten: number;
  /** The object written, when any row was. */
  readonly location?: string;
  readonly bytes: number;
  readonly recordedAt: number;
  /** Events of another detail-type, by detail-type. */
  readonly ignored: Readonly<Record<string, number>>;
}

export interface ChangeBatchSettings {
  readonly store: WarehouseStore;
  readonly pool: AwsClientPool;
  /** The configured (account, region) targets: an event of any other is refused. */
  readonly targets: readonly SnapshotTarget[];
  readonly config: Pick<InventoryConfig, 'limits' | 'concurrency' | 'compression' | 'rowGroupRows' | 'redaction'>;
  /** Epoch ms after which no call is retried and what is left is delivered again. */
  readonly deadline: number;
  readonly onWarning?: (message: string, details: Record<string, unknown>) => void;
}

/** A job the batch describes, and the events (by index) that asked for it. */
interface JobWork {
  readonly change: StateChange;
  readonly events: number;
  readonly target: SnapshotTarget;
  readonly indexes: number[];
}

type DescribeResult = { readonly row: TableRow } | { readonly outcome: Extract<EventOutcome, { kind: 'skipped' | 'retry' }> };

/**
 * Applies one batch of EventBridge events: each job once (its newest event), described through the same
 * source, rate limits, retries, redaction and row mapper as the snapshot, its tags read with ListTags,
 * and every row in one Parquet object of `sagemaker_training_job_change`. Nothing an event holds can
 * fail the batch: each event gets its outcome.
 */
export async function applyStateChanges(events: readonly unknown[], settings: ChangeBatchSettings): Promise<ChangeBatchReport> {
  const outcomes: EventOutcome[] = new Array(events.length);
  const ignored: Record<string, number> = {};
  const work = planWork(events, settings.targets, outcomes, ignored);
  const recordedAt = Date.now();
  settings.pool.budget.deadline = settings.deadline;
  const controller = new AbortController();
  // Every call in flight listens to it.
  setMaxListeners(0, controller.signal);
  // A timer of its own (never AbortSignal.timeout, which Node 20 may collect before it fires); none without a deadline.
  const timer = Number.isFinite(settings.deadline)
    ? setTimeout(
        () => controller.abort(new DOMException('the batch deadline passed', 'TimeoutError')),
        Math.max(0, settings.deadline - recordedAt),
      )
    : undefined;
  const mapper = new TrainingJobRowMapper(TRAINING_JOB_SCHEMA, new Redactor(settings.config.redaction));
  const sources = new Map<string, TrainingJobSource>();
  let results: DescribeResult[];
  try {
    results = await mapWithConcurrency(work, settings.config.concurrency, (job) =>
      describeChange(job, sourceFor(sources, job.target, settings, mapper, controller.signal), mapper, recordedAt),
    );
  } finally {
    clearTimeout(timer);
  }
  const rows: TableRow[] = [];
  for (const [i, result] of results.entries()) {
    if ('row' in result) rows.push(result.row);
    for (const index of work[i].indexes) outcomes[index] = 'row' in result ? { kind: 'applied', arn: work[i].change.arn } : result.outcome;
  }
  const written = await writeRows(rows, recordedAt, settings, work, results, outcomes);
  return {
    outcomes,
    jobsDescribed: work.length,
    jobsWritten: written ? rows.length : 0,
    ...written,
    bytes: written?.bytes ?? 0,
    recordedAt,
    ignored,
  };
}

/** Sorts the events into outcomes known without a call, and the jobs to describe. */
function planWork(
  events: readonly unknown[],
  targets: readonly SnapshotTarget[],
  outcomes: EventOutcome[],
  ignored: Record<string, number>,
): JobWork[] {
  const targetOf = new Map(targets.map((target) => [`${target.accountId}/${target.region}`, target]));
  const changes: StateChange[] = [];
  const indexesOf = new Map<string, number[]>();
  for (const [index, event] of events.entries()) {
    const parsed = parseStateChangeEvent(event);
    if (parsed.kind === 'ignored') ignored[parsed.detailType] = (ignored[parsed.detailType] ?? 0) + 1;
    if (parsed.kind !== 'change') {
      outcomes[index] = parsed;
      continue;
    }
    const { change } = parsed;
    if (!targetOf.has(`${change.accountId}/${change.region}`)) {
      outcomes[index] = { kind: 'refused', accountId: change.accountId, region: change.region, eventId: change.eventId };
      continue;
    }
    changes.push(change);
    indexesOf.set(change.arn, [...(indexesOf.get(change.arn) ?? []), index]);
  }
  return [...latestPerJob(changes).values()].map(({ change, events }) => ({
    change,
    events,
    target: targetOf.get(`${change.accountId}/${change.region}`)!,
    indexes: indexesOf.get(change.arn)!,
  }));
}

/** One source per (account, region), so each target's calls share one rate gate as a snapshot's do. */
function sourceFor(
  sources: Map<string, TrainingJobSource>,
  target: SnapshotTarget,
  settings: ChangeBatchSettings,
  mapper: TrainingJobRowMapper,
  signal: AbortSignal,
): TrainingJobSource {
  const key = `${target.accountId}/${target.region}`;
  let source = sources.get(key);
  if (!source) {
    source = new TrainingJobSource({
      ...settings.pool.source(target.region, target.roleArn),
      accountId: target.accountId,
      region: target.region,
      limits: settings.config.limits,
      signal,
      onWarning: (message, details) => settings.onWarning?.(message, { accountId: target.accountId, ...details }),
      redactTags: (tags) => mapper.redactTags(tags),
    });
    sources.set(key, source);
  }
  return source;
}

/** The job as it is now, mapped to a change row; or why it is not. */
async function describeChange(
  job: JobWork,
  source: TrainingJobSource,
  mapper: TrainingJobRowMapper,
  recordedAt: number,
): Promise<DescribeResult> {
  const { arn, name, eventId, eventTime } = job.change;
  const skip = (reason: string): DescribeResult => ({ outcome: { kind: 'skipped', arn, reason } });
  try {
    const outcome = await source.describe(name, arn);
    if (outcome.kind === 'vanished') return skip('DescribeTrainingJob found no such job: it was deleted after the event');
    if (outcome.kind === 'failed') return skip(`DescribeTrainingJob failed: ${outcome.reason}`);
    if (outcome.kind === 'deferred')
      return { outcome: { kind: 'retry', arn, reason: `DescribeTrainingJob kept failing: ${outcome.reason}` } };
    const tags = await source.listTags(arn);
    const { row } = mapper.map({ job: outcome.job, tags, region: job.target.region });
    return {
      row: {
        ...row,
        region: job.target.region,
        event_id: eventId,
        event_time: eventTime,
        event_count: BigInt(job.events),
        recorded_at: recordedAt,
      },
    };
  } catch (error) {
    if (error instanceof InvalidRecordError) return skip(error.message);
    if (error instanceof TimeBudgetExhaustedError) return { outcome: { kind: 'retry', arn, reason: error.message } };
    // Access denied to ListTags, or another refusal naming the operation: this job, not the batch.
    return skip(describeError(error));
  }
}

/** One object for the batch's rows; when it cannot be written, every applied event is to be delivered again. */
async function writeRows(
  rows: readonly TableRow[],
  recordedAt: number,
  settings: ChangeBatchSettings,
  work: readonly JobWork[],
  results: readonly DescribeResult[],
  outcomes: EventOutcome[],
): Promise<{ location: string; bytes: number } | undefined> {
  if (rows.length === 0) return undefined;
  const id: SnapshotObjectId = {
    table: TRAINING_JOB_CHANGE_SCHEMA,
    partitions: { recorded_date: utcDate(new Date(recordedAt)) },
    name: `${new Date(recordedAt).toISOString().replace(/[-:.]/g, '')}-${randomUUID().slice(0, 8)}`,
  };
  const encoder = new ParquetWasmEncoder(TRAINING_JOB_CHANGE_SCHEMA, {
    compression: settings.config.compression,
    rowGroupRows: settings.config.rowGroupRows,
  });
  try {
    return await settings.store.publish(id, encoder.encode(from(rows)));
  } catch (error) {
    const reason = `writing ${settings.store.locationOf(snapshotObjectPath(id))} failed: ${describeError(error)}`;
    for (const [i, result] of results.entries())
      if ('row' in result) for (const index of work[i].indexes) outcomes[index] = { kind: 'retry', arn: work[i].change.arn, reason };
    return undefined;
  }
}

async function* from<T>(items: readonly T[]): AsyncIterable<T> {
  for (const item of items) yield item;
}
