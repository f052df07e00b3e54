import type { DescribeTrainingJobResponse, TrainingJobSummary } from '@aws-sdk/client-sagemaker';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setMaxListeners } from 'node:events';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { SourceClients } from '../aws/clients';
import { isAccessDenied } from '../aws/error-classification';
import { AsyncChannel } from '../collect/async-channel';
import { CallStatsRecorder, type CollectStats, type OperationStats, type TagStrategy } from '../collect/call-stats';
import { TimeBudgetExhaustedError, TrainingJobSource } from '../collect/training-job-source';
import { CollectError, describeError, InventoryError, InvalidRecordError } from '../errors';
import { ParquetWasmEncoder } from '../parquet/parquet-encoder';
import { SnapshotReader } from '../parquet/parquet-reader';
import { accountRegionObject, snapshotObjectPath } from '../publish/layout';
import { publishRunRecord } from '../publish/run-record';
import type { Lease, WarehouseStore } from '../publish/store';
import type { RedactionSettings } from '../rows/redaction';
import type { TableRow, TrainingJobRowMapper } from '../rows/training-job-row';
import type { TableSchema } from '../schema/table-schema';
import type { InventoryConfig } from './config';
import {
  fingerprint,
  openPreviousSnapshot,
  PreviousSnapshotUnusableError,
  readSnapshotState,
  schemaFingerprint,
  writeSnapshotState,
  type PreviousSnapshot,
  type SnapshotState,
} from './previous-snapshot';
import type { SnapshotTarget } from './targets';
import { workKeys } from './work-area';

/** How a run describes jobs: every one, or only those a List summary shows may have changed. */
export type SnapshotMode = 'full' | 'incremental';

/** A job left out of a snapshot, and why. */
export interface SetAsideJob {
  readonly name: string;
  readonly arn?: string;
  readonly reason: string;
}

export interface TargetResult extends SnapshotTarget {
  /** succeeded: every listed job is in the object; incomplete: published without the set-aside jobs; failed: nothing published. */
  readonly status: 'succeeded' | 'incomplete' | 'failed';
  readonly mode?: SnapshotMode;
  /** Why this mode (e.g. "no previous snapshot", "7 days since the last full describe"). */
  readonly modeReason?: string;
  readonly jobsWritten: number;
  readonly jobsDescribed: number;
  readonly jobsCarried: number;
  readonly jobsNew: number;
  readonly jobsGone: number;
  readonly setAside: readonly SetAsideJob[];
  readonly bytesWritten: number;
  readonly location?: string;
  readonly collect?: CollectStats;
  /** API field → number of jobs that had it, for fields the schema (or the SDK) has no place for. */
  readonly unknownFields: Readonly<Record<string, number>>;
  readonly error?: string;
  readonly durationMs: number;
}

/** How far a target that continues in a later invocation has got. */
export interface TargetProgress extends SnapshotTarget {
  readonly mode: SnapshotMode;
  readonly jobsListed: number;
  readonly jobsToDescribe: number;
  readonly jobsDescribed: number;
  readonly invocations: number;
  /** What the deadline interrupted, when it did (e.g. a call still throttled or failing). */
  readonly interrupted?: string;
}

export type TargetStep =
  | { readonly status: 'published'; readonly result: TargetResult }
  | { readonly status: 'continuing'; readonly progress: TargetProgress }
  | { readonly status: 'failed'; readonly result: TargetResult };

export interface TargetRunEvents {
  progress?(target: SnapshotTarget, jobsDescribed: number): void;
  warning?(message: string, details: Record<string, unknown>): void;
}

export interface TargetRunSettings {
  readonly store: WarehouseStore;
  readonly clients: SourceClients;
  readonly target: SnapshotTarget;
  readonly snapshotDate: string;
  readonly schema: TableSchema;
  readonly config: Pick<InventoryConfig, 'limits' | 'concurrency' | 'tagStrategy' | 'compression' | 'rowGroupRows' | 'fullEveryDays'>;
  readonly mapper: TrainingJobRowMapper;
  /** Settings that change how rows are written (redaction): a change since the previous snapshot forces a full describe. */
  readonly settingsFingerprint: string;
  /** Names this run in the lease, so its own later invocations may continue. */
  readonly holder: string;
  /** Describe every job whatever the previous snapshot says. */
  readonly full?: boolean;
  /**
   * Keep the lease when the target continues in a later invocation (Step Functions), so no other run
   * can start in between. A run that ends here (the CLI) lets it go; its saved progress stays.
   * @default false
   */
  readonly keepLeaseBetweenInvocations?: boolean;
  readonly signal?: AbortSignal;
  readonly events?: TargetRunEvents;
}

export interface InvocationBudget {
  /** Epoch ms after which no new work starts: what is running finishes, then progress is saved. */
  readonly softStopAt: number;
  /** Epoch ms at which calls in flight are cancelled. Saving progress happens after it, within the invocation's margin. */
  readonly deadline: number;
}

/** More jobs than this set aside means the service, not a job, is failing: nothing is published. */
const SET_ASIDE_LIMIT_RATIO = 0.01;
const SET_ASIDE_LIMIT_MIN = 10;
/** A lease outlives its invocation by this much, so a resumed invocation finds it still held. */
const LEASE_GRACE_MS = 20 * 60_000;
/** Reading and writing rows runs at several thousand a second; the merge starts only when it can finish. */
const MERGE_ROWS_PER_SECOND = 2_000;
const MERGE_FIXED_MS = 1_000;

interface SummaryRecord {
  readonly name: string;
  readonly arn?: string;
  readonly created?: number;
  readonly lastModified?: number;
  readonly status?: string;
}

/** What one invocation adds, saved beside the checkpoint; a resumed invocation replays them all. */
interface ProgressChunk {
  readonly summaries: SummaryRecord[];
  readonly tags: [string, Record<string, string>][];
  readonly described: string[];
  readonly vanished: string[];
  readonly setAside: SetAsideJob[];
  readonly deferred: string[];
  readonly unknownFields: Record<string, number>;
}

interface Checkpoint {
  readonly version: 1;
  readonly holder: string;
  readonly snapshotDate: string;
  readonly accountId: string;
  readonly region: string;
  readonly schemaFingerprint: string;
  readonly settingsFingerprint: string;
  readonly mode: SnapshotMode;
  readonly modeReason: string;
  readonly base?: SnapshotState;
  readonly startedAt: number;
  readonly tagScanStartedAt: number;
  invocations: number;
  list: { done: boolean; token?: string };
  tags: { strategy: TagStrategy; done: boolean; token?: string };
  chunks: string[];
  parts: string[];
  operations: Record<string, OperationStats>;
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

function summaryRecord(summary: TrainingJobSummary): SummaryRecord | undefined {
  if (!summary.TrainingJobName) return undefined;
  return {
    name: summary.TrainingJobName,
    arn: summary.TrainingJobArn,
    created: summary.CreationTime?.getTime(),
    lastModified: summary.LastModifiedTime?.getTime(),
    status: summary.TrainingJobStatus,
  };
}

function bytesOf(text: string): AsyncIterable<Uint8Array> {
  return (async function* () {
    yield Buffer.from(text, 'utf8');
  })();
}

/**
 * One (account, region) of one snapshot date, run as far as one invocation's budget allows. Listing
 * streams each summary into a decision (describe it, or carry its row from the previous snapshot),
 * Describe workers run alongside, and the Tagging API is read in bulk at the same time. When the
 * budget ends first, the progress is saved in the work area and the next invocation continues from it;
 * when everything is in, the carried and described rows become one object, published atomically,
 * followed by its run record and the state the next run starts from.
 */
export async function advanceTarget(settings: TargetRunSettings, budget: InvocationBudget): Promise<TargetStep> {
  const invocationStarted = Date.now();
  const { store, target, snapshotDate, schema } = settings;
  const keys = workKeys(schema.table, snapshotDate, target);
  const where = `${target.accountId}/${target.region}`;
  let lease: Lease | undefined;
  try {
    lease = await store.acquireLease(keys.lease, settings.holder, budget.deadline + LEASE_GRACE_MS);
  } catch (error) {
    return failed(settings, invocationStarted, `cannot take the lease for ${where} on ${snapshotDate}: ${describeError(error)}`);
  }
  if (!lease) {
    return failed(settings, invocationStarted, `another run of ${where} for ${snapshotDate} holds ${store.locationOf(keys.lease)}; this run was refused so the two cannot overwrite each other`);
  }
  let keepLease = false;
  let previous: PreviousSnapshot | undefined;
  const scratch = await mkdtemp(join(tmpdir(), 'inventory-run-'));
  try {
    const checkpoint = (await loadCheckpoint(settings, keys.checkpoint)) ?? (await newCheckpoint(settings));
    checkpoint.invocations++;
    if (checkpoint.base) {
      try {
        previous = await openPreviousSnapshot(store, schema, checkpoint.base);
      } catch (error) {
        if (!(error instanceof PreviousSnapshotUnusableError) || (checkpoint.mode === 'incremental' && checkpoint.invocations > 1)) throw error;
        if (checkpoint.mode === 'incremental') settings.events?.warning?.(`${error.message}; describing every job instead`, { accountId: target.accountId, region: target.region });
        Object.assign(checkpoint, { mode: 'full', modeReason: checkpoint.mode === 'incremental' ? error.message : checkpoint.modeReason, base: undefined });
      }
    }
    const run = new RunState(settings, checkpoint, previous);
    await run.replay(store);
    const step = await run.work(budget, scratch, keys);
    if (step.status === 'continuing') keepLease = settings.keepLeaseBetweenInvocations === true;
    return step;
  } catch (error) {
    return failed(settings, invocationStarted, describeError(rootCause(error)));
  } finally {
    await previous?.close();
    await rm(scratch, { recursive: true, force: true });
    if (!keepLease) await lease.release();
  }
}

async function loadCheckpoint(settings: TargetRunSettings, key: string): Promise<Checkpoint | undefined> {
  const bytes = await settings.store.get(key);
  if (bytes === undefined) return undefined;
  const checkpoint = JSON.parse(Buffer.from(bytes).toString('utf8')) as Checkpoint;
  const matches =
    checkpoint.version === 1 &&
    checkpoint.snapshotDate === settings.snapshotDate &&
    checkpoint.schemaFingerprint === schemaFingerprint(settings.schema) &&
    checkpoint.settingsFingerprint === settings.settingsFingerprint &&
    !(settings.full && checkpoint.mode !== 'full');
  if (!matches) {
    settings.events?.warning?.('the saved progress of an earlier run was written with other settings; starting over', { accountId: settings.target.accountId, region: settings.target.region });
    return undefined;
  }
  return checkpoint;
}

async function newCheckpoint(settings: TargetRunSettings): Promise<Checkpoint> {
  const { store, schema, target, snapshotDate, config } = settings;
  let mode: SnapshotMode = 'incremental';
  let modeReason = '';
  let base: SnapshotState | undefined;
  try {
    base = await readSnapshotState(store, schema.table, target);
  } catch (error) {
    settings.events?.warning?.(`${describeError(error)}; describing every job`, { accountId: target.accountId, region: target.region });
    modeReason = 'the previous snapshot state is unreadable';
  }
  // A base that cannot be read with today's schema, or is newer than this date, is not used at all;
  // otherwise a full describe still reads it, to count the jobs that are new and gone.
  if (base && base.schemaFingerprint !== schemaFingerprint(schema)) {
    modeReason = 'the table schema changed since the previous snapshot';
    base = undefined;
  } else if (base && base.snapshotDate > snapshotDate) {
    modeReason = `the previous snapshot (${base.snapshotDate}) is newer than this date`;
    base = undefined;
  }
  if (modeReason) void 0;
  else if (settings.full) modeReason = 'a full describe was asked for';
  else if (!base) modeReason = 'no previous snapshot';
  else if (base.settingsFingerprint !== settings.settingsFingerprint) modeReason = 'redaction settings changed since the previous snapshot';
  else if (daysBetween(base.lastFullSnapshotDate, snapshotDate) >= config.fullEveryDays) {
    modeReason = `${daysBetween(base.lastFullSnapshotDate, snapshotDate)} days since the last full describe (${base.lastFullSnapshotDate}); every ${config.fullEveryDays} days bounds drift`;
  }
  if (modeReason) mode = 'full';
  else modeReason = `only jobs new, changed or not settled since ${base!.snapshotDate} are described`;
  const now = Date.now();
  return {
    version: 1,
    holder: settings.holder,
    snapshotDate,
    accountId: target.accountId,
    region: target.region,
    schemaFingerprint: schemaFingerprint(schema),
    settingsFingerprint: settings.settingsFingerprint,
    mode,
    modeReason,
    base,
    startedAt: now,
    tagScanStartedAt: now,
    invocations: 0,
    list: { done: false },
    tags: { strategy: config.tagStrategy === 'per-job' ? 'per-job' : 'bulk', done: config.tagStrategy === 'per-job' },
    chunks: [],
    parts: [],
    operations: {},
  };
}

/** The merged state of every invocation so far, plus what this invocation adds. */
class RunState {
  private readonly listed = new Map<string, SummaryRecord>();
  private readonly tags = new Map<string, Record<string, string>>();
  private readonly done = new Set<string>();
  private readonly vanished = new Set<string>();
  private readonly setAside: SetAsideJob[] = [];
  private readonly deferredOnce = new Set<string>();
  private readonly unknownFields: Record<string, number> = {};
  private readonly pending: string[] = [];
  /** True once the main pass is through and deferred jobs get their last round. */
  private deferredRound = false;
  private describedCount = 0;
  private readonly calls = new CallStatsRecorder();
  private readonly added: ProgressChunk = { summaries: [], tags: [], described: [], vanished: [], setAside: [], deferred: [], unknownFields: {} };

  constructor(
    private readonly settings: TargetRunSettings,
    private readonly checkpoint: Checkpoint,
    private readonly previous: PreviousSnapshot | undefined,
  ) {}

  private get where(): string {
    return `${this.settings.target.accountId}/${this.settings.target.region}`;
  }

  /** Rebuilds the state from the progress every earlier invocation saved. */
  async replay(store: WarehouseStore): Promise<void> {
    for (const [operation, stats] of Object.entries(this.checkpoint.operations)) Object.assign(this.calls.operation(operation), stats);
    for (const key of this.checkpoint.chunks) {
      const bytes = await store.get(key);
      if (!bytes) throw new InventoryError(`the saved progress ${store.locationOf(key)} of ${this.where} is missing; delete ${store.locationOf(workKeys(this.settings.schema.table, this.settings.snapshotDate, this.settings.target).checkpoint)} to start over`);
      const chunk = JSON.parse(gunzipSync(bytes).toString('utf8')) as ProgressChunk;
      for (const summary of chunk.summaries) this.listed.set(summary.name, summary);
      for (const [arn, tags] of chunk.tags) this.tags.set(arn, tags);
      for (const name of chunk.described) this.done.add(name);
      this.describedCount += chunk.described.length;
      for (const name of chunk.vanished) {
        this.done.add(name);
        this.vanished.add(name);
      }
      for (const job of chunk.setAside) {
        this.done.add(job.name);
        this.setAside.push(job);
      }
      for (const name of chunk.deferred) this.deferredOnce.add(name);
      for (const [field, count] of Object.entries(chunk.unknownFields)) this.unknownFields[field] = (this.unknownFields[field] ?? 0) + count;
    }
    for (const summary of this.listed.values()) if (this.needsDescribe(summary) && !this.done.has(summary.name)) this.pending.push(summary.name);
  }

  /** Whether a listed job must be described this run, or its previous row carried. */
  private needsDescribe(summary: SummaryRecord): boolean {
    if (this.checkpoint.mode === 'full' || !this.previous || summary.arn === undefined) return true;
    const before = this.previous.jobs.get(summary.arn);
    if (!before) return true;
    if (before.lastModifiedTime !== (summary.lastModified ?? null) || before.status !== (summary.status ?? null)) return true;
    return !before.settled;
  }

  private carried(): Set<string> {
    const carried = new Set<string>();
    for (const summary of this.listed.values()) if (summary.arn !== undefined && !this.needsDescribe(summary)) carried.add(summary.arn);
    return carried;
  }

  private setJobAside(name: string, reason: string): void {
    const job = { name, arn: this.listed.get(name)?.arn, reason };
    this.done.add(name);
    this.setAside.push(job);
    this.added.setAside.push(job);
    this.settings.events?.warning?.('a training job was set aside; the rest of its region is published', { accountId: this.settings.target.accountId, region: this.settings.target.region, job: name, reason });
  }

  async work(budget: InvocationBudget, scratch: string, keys: ReturnType<typeof workKeys>): Promise<TargetStep> {
    const { settings, checkpoint } = this;
    const stop = new AbortController();
    const signals = [stop.signal];
    if (Number.isFinite(budget.deadline)) signals.push(AbortSignal.timeout(Math.max(0, budget.deadline - Date.now())));
    if (settings.signal) signals.push(settings.signal);
    const signal = AbortSignal.any(signals);
    // Every call in flight listens on this one signal; that is by design, not a leak.
    setMaxListeners(0, signal);
    let softStopped = Date.now() >= budget.softStopAt;
    const softStop = Number.isFinite(budget.softStopAt) ? setTimeout(() => (softStopped = true), Math.max(0, budget.softStopAt - Date.now())) : undefined;
    const source = new TrainingJobSource({
      ...settings.clients,
      accountId: settings.target.accountId,
      region: settings.target.region,
      limits: settings.config.limits,
      signal,
      onWarning: (message, details) => settings.events?.warning?.(message, { accountId: settings.target.accountId, ...details }),
    });
    let failure: unknown;
    let interrupted: string | undefined;
    const fail = (error: unknown) => {
      if (error instanceof TimeBudgetExhaustedError) {
        interrupted ??= error.message;
        softStopped = true;
      } else if (failure === undefined) {
        failure = error;
        stop.abort(error);
      }
    };
    const partPath = join(scratch, 'part.parquet');
    const rows = new AsyncChannel<TableRow>(settings.config.concurrency * 4);
    let partRows = 0;
    const encoder = new ParquetWasmEncoder(settings.schema, { compression: settings.config.compression, rowGroupRows: settings.config.rowGroupRows });
    const writingPart = pipeline(Readable.from(encoder.encode(rows), { objectMode: false }), createWriteStream(partPath));
    writingPart.catch(() => undefined);

    let listingDone = checkpoint.list.done;
    let wake: (() => void) | undefined;
    const notify = () => {
      wake?.();
      wake = undefined;
    };
    const listing = checkpoint.list.done
      ? Promise.resolve()
      : (async () => {
          try {
            for await (const page of source.summaryPages(checkpoint.list.token)) {
              for (const summary of page.summaries) {
                const record = summaryRecord(summary);
                if (!record) {
                  this.setJobAside(summary.TrainingJobArn ?? '(no name)', 'its ListTrainingJobs summary has no TrainingJobName, so it cannot be described');
                  continue;
                }
                if (this.listed.has(record.name)) continue;
                this.listed.set(record.name, record);
                this.added.summaries.push(record);
                if (this.needsDescribe(record)) this.pending.push(record.name);
              }
              checkpoint.list.token = page.nextToken;
              if (page.nextToken === undefined) checkpoint.list.done = true;
              notify();
              if (softStopped || failure !== undefined) break;
            }
            checkpoint.list.done = checkpoint.list.done || checkpoint.list.token === undefined;
          } catch (error) {
            fail(error);
          } finally {
            listingDone = true;
            notify();
          }
        })();

    const tagging = checkpoint.tags.done
      ? Promise.resolve()
      : (async () => {
          try {
            for await (const page of source.tagPages(checkpoint.tags.token)) {
              for (const [arn, tags] of page.tags) {
                this.tags.set(arn, tags);
                this.added.tags.push([arn, tags]);
              }
              checkpoint.tags.token = page.nextToken;
              if (page.nextToken === undefined) checkpoint.tags.done = true;
              if (softStopped || failure !== undefined) break;
            }
          } catch (error) {
            if (settings.config.tagStrategy === 'auto' && isAccessDenied(error)) {
              checkpoint.tags = { strategy: 'per-job', done: true };
              settings.events?.warning?.('tag:GetResources was denied; reading tags with ListTags per job instead', { accountId: settings.target.accountId, region: settings.target.region });
            } else {
              fail(error);
            }
          }
        })();

    let inFlight = 0;
    const workers = Array.from({ length: settings.config.concurrency }, async () => {
      for (;;) {
        if (softStopped || failure !== undefined) return;
        const name = this.pending.shift();
        if (name === undefined) {
          if (listingDone && inFlight === 0) {
            if (this.retryDeferred()) {
              notify();
              continue;
            }
            notify();
            return;
          }
          await new Promise<void>((resolve) => {
            const previousWake = wake;
            wake = () => {
              previousWake?.();
              resolve();
            };
          });
          continue;
        }
        inFlight++;
        try {
          await this.describeOne(source, name, rows, () => partRows++);
        } catch (error) {
          // Not described: it stays for the next invocation.
          this.pending.unshift(name);
          fail(error);
          return;
        } finally {
          inFlight--;
          notify();
        }
      }
    });
    await Promise.all([listing, tagging, ...workers]);
    clearTimeout(softStop);
    rows.close();
    await writingPart.catch((error: unknown) => fail(new InventoryError(`writing described rows to ${partPath} failed`, { cause: error })));
    this.recordCalls(source);
    if (failure !== undefined) throw failure;

    const describedAll = checkpoint.list.done && this.pending.length === 0;
    if (describedAll && checkpoint.tags.done && Date.now() < budget.softStopAt) {
      await this.completeTags(source, budget);
    }
    const complete = describedAll && checkpoint.tags.done && this.tagsComplete();
    if (partRows > 0) {
      const key = keys.part(checkpoint.invocations);
      const local = partPath;
      if (complete && this.mergeFits(budget)) {
        return this.publish(keys, [...checkpoint.parts], local);
      }
      await settings.store.put(key, createReadStream(local));
      checkpoint.parts.push(key);
    } else if (complete && this.mergeFits(budget)) {
      return this.publish(keys, [...checkpoint.parts], undefined);
    }
    await this.saveProgress(keys);
    return {
      status: 'continuing',
      progress: {
        ...settings.target,
        mode: checkpoint.mode,
        jobsListed: this.listed.size,
        jobsToDescribe: this.pending.length + [...this.deferredOnce].filter((name) => !this.done.has(name) && !this.pending.includes(name)).length,
        jobsDescribed: this.describedCount,
        invocations: checkpoint.invocations,
        interrupted,
      },
    };
  }

  /** Once the main pass is through, jobs deferred once get one more round; after it they are set aside. */
  private retryDeferred(): boolean {
    const again = [...this.deferredOnce].filter((name) => !this.done.has(name) && !this.pending.includes(name));
    if (again.length === 0) return false;
    for (const name of again) this.pending.push(name);
    this.deferredRound = true;
    return true;
  }

  private async describeOne(source: TrainingJobSource, name: string, rows: AsyncChannel<TableRow>, counted: () => void): Promise<void> {
    const outcome = await source.describe(name);
    switch (outcome.kind) {
      case 'vanished':
        this.done.add(name);
        this.vanished.add(name);
        this.added.vanished.push(name);
        return;
      case 'deferred':
        if (this.deferredOnce.has(name) && this.deferredRound) return this.setJobAside(name, `DescribeTrainingJob kept failing: ${outcome.reason}`);
        this.deferredOnce.add(name);
        this.added.deferred.push(name);
        return;
      case 'failed':
        return this.setJobAside(name, `DescribeTrainingJob failed: ${outcome.reason}`);
      case 'described':
        break;
    }
    const job: DescribeTrainingJobResponse = outcome.job;
    let mapped;
    try {
      mapped = this.settings.mapper.map({ job, tags: {}, region: this.settings.target.region });
    } catch (error) {
      if (!(error instanceof InvalidRecordError)) throw error;
      return this.setJobAside(name, error.message);
    }
    if (this.checkpoint.tags.strategy === 'per-job') {
      const tags = await source.listTags(job.TrainingJobArn!);
      this.tags.set(job.TrainingJobArn!, tags);
      this.added.tags.push([job.TrainingJobArn!, tags]);
    }
    for (const field of [...mapped.unknownFields, ...outcome.unknownApiFields]) {
      this.unknownFields[field] = (this.unknownFields[field] ?? 0) + 1;
      this.added.unknownFields[field] = (this.added.unknownFields[field] ?? 0) + 1;
    }
    await rows.push(mapped.row);
    counted();
    this.done.add(name);
    this.added.described.push(name);
    this.describedCount++;
    if (this.describedCount % 500 === 0) this.settings.events?.progress?.(this.settings.target, this.describedCount);
  }

  /** ARNs whose tags the bulk scan cannot vouch for: all of them with ListTags per job, otherwise jobs created after the scan began. */
  private jobsNeedingTags(): string[] {
    const cutoff = this.checkpoint.tagScanStartedAt - 1000;
    const needed: string[] = [];
    for (const summary of this.listed.values()) {
      if (summary.arn === undefined || this.tags.has(summary.arn) || this.vanished.has(summary.name)) continue;
      if (this.setAside.some((job) => job.name === summary.name)) continue;
      if (this.checkpoint.tags.strategy === 'per-job' || (summary.created ?? Number.POSITIVE_INFINITY) >= cutoff) needed.push(summary.arn);
    }
    return needed;
  }

  private tagsComplete(): boolean {
    return this.jobsNeedingTags().length === 0;
  }

  private async completeTags(source: TrainingJobSource, budget: InvocationBudget): Promise<void> {
    for (const arn of this.jobsNeedingTags()) {
      if (Date.now() >= budget.softStopAt) return;
      try {
        const tags = await source.listTags(arn);
        this.tags.set(arn, tags);
        this.added.tags.push([arn, tags]);
      } catch (error) {
        if (error instanceof TimeBudgetExhaustedError) return;
        throw error;
      } finally {
        this.recordCalls(source);
      }
    }
  }

  private mergeFits(budget: InvocationBudget): boolean {
    const rowsToWrite = this.describedCount + this.carried().size;
    return Date.now() + MERGE_FIXED_MS + (rowsToWrite / MERGE_ROWS_PER_SECOND) * 1000 < budget.deadline;
  }

  private recordCalls(source: TrainingJobSource): void {
    for (const [operation, stats] of Object.entries(source.sender.calls.snapshot())) {
      const total = this.calls.operation(operation);
      const before = this.seen.get(operation) ?? { calls: 0, throttles: 0, errors: 0, retries: 0 };
      total.calls += stats.calls - before.calls;
      total.throttles += stats.throttles - before.throttles;
      total.errors += stats.errors - before.errors;
      total.retries += stats.retries - before.retries;
      this.seen.set(operation, { ...stats });
    }
  }

  private readonly seen = new Map<string, OperationStats>();

  private async saveProgress(keys: ReturnType<typeof workKeys>): Promise<void> {
    const { store } = this.settings;
    const key = keys.progress(this.checkpoint.invocations);
    await store.put(
      key,
      (async function* (chunk: ProgressChunk) {
        yield gzipSync(JSON.stringify(chunk));
      })(this.added),
    );
    this.checkpoint.chunks.push(key);
    this.checkpoint.operations = this.calls.snapshot();
    await store.put(keys.checkpoint, bytesOf(JSON.stringify(this.checkpoint)));
  }

  private collectStats(): CollectStats {
    return {
      accountId: this.settings.target.accountId,
      region: this.settings.target.region,
      operations: this.calls.snapshot(),
      jobsListed: this.listed.size,
      jobsDescribed: this.describedCount,
      jobsVanished: this.vanished.size,
      tagStrategy: this.checkpoint.tags.strategy,
      repeatedTokens: 0,
      wallMs: Date.now() - this.checkpoint.startedAt,
    };
  }

  private async publish(keys: ReturnType<typeof workKeys>, savedParts: string[], localPart: string | undefined): Promise<TargetStep> {
    const { settings, checkpoint } = this;
    const { store, schema, target, snapshotDate } = settings;
    const describeCount = this.listed.size - this.carried().size;
    const limit = Math.max(SET_ASIDE_LIMIT_MIN, Math.ceil(describeCount * SET_ASIDE_LIMIT_RATIO));
    if (this.setAside.length > limit) {
      throw new CollectError(
        `${this.setAside.length} of ${describeCount} jobs to describe in ${this.where} could not be described (more than ${limit}), so the service is failing, not a job; nothing was published. First: ${this.setAside
          .slice(0, 3)
          .map((job) => `${job.name}: ${job.reason}`)
          .join('; ')}`,
      );
    }
    const carried = this.carried();
    const tagsOf = (arn: string): ReadonlyMap<string, string> => new Map(Object.entries(this.tags.get(arn) ?? {}));
    const previous = this.previous;
    let written = 0;
    const localCopies: { path: string; release(): Promise<void> }[] = [];
    async function* merged(): AsyncIterable<TableRow> {
      if (previous && carried.size > 0) {
        for await (const group of previous.reader.rowGroupsOf()) {
          for (const row of group) {
            if (!carried.has(String(row._key))) continue;
            row.tags = tagsOf(String(row._key));
            written++;
            yield row;
          }
        }
      }
      const paths: string[] = [];
      for (const key of savedParts) {
        const copy = await store.download(key);
        if (!copy) throw new InventoryError(`the saved part ${store.locationOf(key)} of ${target.accountId}/${target.region} is missing`);
        localCopies.push(copy);
        paths.push(copy.path);
      }
      if (localPart) paths.push(localPart);
      for (const path of paths) {
        const reader = await SnapshotReader.open(path, schema);
        try {
          for await (const group of reader.rowGroupsOf()) {
            for (const row of group) {
              row.tags = tagsOf(String(row._key));
              written++;
              yield row;
            }
          }
        } finally {
          reader.close();
        }
      }
    }
    const encoder = new ParquetWasmEncoder(schema, { compression: settings.config.compression, rowGroupRows: settings.config.rowGroupRows });
    const objectId = accountRegionObject(schema, snapshotDate, target.region, target.accountId);
    let published;
    try {
      published = await store.publish(objectId, encoder.encode(merged()));
    } finally {
      for (const copy of localCopies) await copy.release();
    }
    const finishedAt = Date.now();
    const stats = this.collectStats();
    const operations = Object.values(stats.operations);
    const previousKeys = previous ? [...previous.jobs.keys()] : [];
    const listedArns = new Set([...this.listed.values()].map((s) => s.arn));
    const jobsNew = previous ? [...this.listed.values()].filter((s) => s.arn === undefined || !previous.jobs.has(s.arn)).length : written;
    const jobsGone = previousKeys.filter((arn) => !listedArns.has(arn)).length;
    const status = this.setAside.length > 0 ? 'incomplete' : 'complete';
    await publishRunRecord(
      store,
      {
        snapshotDate,
        accountId: target.accountId,
        region: target.region,
        status,
        mode: checkpoint.mode,
        jobsWritten: written,
        jobsDescribed: this.describedCount,
        jobsCarried: carried.size,
        jobsNew,
        jobsGone,
        jobsSetAside: this.setAside.length,
        apiCalls: operations.reduce((sum, op) => sum + op.calls, 0),
        throttledCalls: operations.reduce((sum, op) => sum + op.throttles, 0),
        unknownApiFields: Object.keys(this.unknownFields),
        snapshotObject: published.location,
        snapshotBytes: published.bytes,
        startedAt: checkpoint.startedAt,
        finishedAt,
      },
      settings.config.compression,
    );
    await writeSnapshotState(store, schema.table, target, {
      version: 1,
      snapshotDate,
      key: snapshotObjectPath(objectId),
      rows: written,
      schemaFingerprint: checkpoint.schemaFingerprint,
      settingsFingerprint: checkpoint.settingsFingerprint,
      lastFullSnapshotDate: checkpoint.mode === 'full' ? snapshotDate : checkpoint.base!.lastFullSnapshotDate,
    });
    await store.delete([...checkpoint.chunks, ...savedParts, keys.checkpoint]);
    return {
      status: 'published',
      result: {
        ...target,
        status: status === 'complete' ? 'succeeded' : 'incomplete',
        mode: checkpoint.mode,
        modeReason: checkpoint.modeReason,
        jobsWritten: written,
        jobsDescribed: this.describedCount,
        jobsCarried: carried.size,
        jobsNew,
        jobsGone,
        setAside: this.setAside,
        bytesWritten: published.bytes,
        location: published.location,
        collect: stats,
        unknownFields: { ...this.unknownFields },
        durationMs: finishedAt - checkpoint.startedAt,
      },
    };
  }
}


/** The publisher wraps the collector's error; the most specific one is what the operator needs to read. */
function rootCause(error: unknown): unknown {
  let current = error;
  while (current instanceof InventoryError && current.cause instanceof InventoryError) current = current.cause;
  return current;
}

function failed(settings: TargetRunSettings, startedAt: number, error: string): TargetStep {
  return {
    status: 'failed',
    result: {
      ...settings.target,
      status: 'failed',
      jobsWritten: 0,
      jobsDescribed: 0,
      jobsCarried: 0,
      jobsNew: 0,
      jobsGone: 0,
      setAside: [],
      bytesWritten: 0,
      unknownFields: {},
      error,
      durationMs: Date.now() - startedAt,
    },
  };
}

/** The settings fingerprint a run records: what, besides the schema, changes how rows are written. */
export function settingsFingerprintOf(redaction: RedactionSettings): string {
  return fingerprint({ redaction: { enabled: redaction.enabled, extraKeyPatterns: [...redaction.extraKeyPatterns].sort() } });
}
