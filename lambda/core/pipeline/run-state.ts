import type { DescribeTrainingJobResponse, TrainingJobSummary } from '@aws-sdk/client-sagemaker';
import { setMaxListeners } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { isAccessDenied } from '../aws/error-classification';
import { AsyncChannel } from '../collect/async-channel';
import { CallStatsRecorder, type CollectStats, type OperationStats } from '../collect/call-stats';
import { LIST_PAGE_SIZE, TimeBudgetExhaustedError, TrainingJobSource, type SummaryPage } from '../collect/training-job-source';
import { describeError, InventoryError, InvalidRecordError } from '../errors';
import { ParquetWasmEncoder } from '../parquet/parquet-encoder';
import type { WarehouseStore } from '../publish/store';
import type { TableRow } from '../rows/training-job-row';
import { readProgressChunk, saveProgress, summaryRecord, type Checkpoint, type ProgressChunk, type SummaryRecord } from './checkpoint';
import type { PreviousSnapshot } from './previous-snapshot';
import { publishTarget } from './publish-target';
import { StringPool } from './string-pool';
import type { InvocationBudget, SetAsideJob, TargetRunSettings, TargetStep } from './target-run-types';
import { workKeys } from './work-area';

/** Reading and writing rows runs at several thousand a second; the merge starts only when it can finish. */
const MERGE_ROWS_PER_SECOND = 2_000;
const MERGE_FIXED_MS = 1_000;
/** The modified-first listing reaches this far before the previous snapshot's latest change. */
const MODIFIED_FIRST_MARGIN_MS = 15 * 60_000;

/** The merged state of every invocation so far, plus what this invocation adds. */
export class RunState {
  /** Jobs of the full listing: exactly the jobs of the snapshot. */
  private readonly listed = new Map<string, SummaryRecord>();
  /** Jobs of the modified-first listing; one the full listing does not find was deleted in between and is left out. */
  private readonly early = new Map<string, SummaryRecord>();
  private readonly tags = new Map<string, Record<string, string>>();
  /** Statuses and tags repeat across jobs; held once each, the per-job index stays small at 100,000 jobs. */
  private readonly pool = new StringPool();
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
  private readonly added: ProgressChunk & { early: SummaryRecord[] } = {
    summaries: [],
    early: [],
    tags: [],
    described: [],
    vanished: [],
    setAside: [],
    deferred: [],
    unknownFields: {},
  };

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
      const chunk = await readProgressChunk(
        store,
        key,
        workKeys(this.settings.schema.table, this.settings.snapshotDate, this.settings.target).checkpoint,
        this.where,
      );
      for (const summary of chunk.summaries) this.listed.set(summary.name, { ...summary, status: this.pool.intern(summary.status) });
      for (const summary of chunk.early ?? []) this.early.set(summary.name, { ...summary, status: this.pool.intern(summary.status) });
      for (const [arn, tags] of chunk.tags) this.tags.set(arn, this.pool.internTags(tags));
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
      for (const [field, count] of Object.entries(chunk.unknownFields))
        this.unknownFields[field] = (this.unknownFields[field] ?? 0) + count;
    }
    for (const name of new Set([...this.early.keys(), ...this.listed.keys()])) {
      const summary = this.listed.get(name) ?? this.early.get(name)!;
      if (this.needsDescribe(summary) && !this.done.has(name) && !this.leftOut(name)) this.pending.push(name);
    }
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

  /** A job of the full listing is in the snapshot: described, unless the modified-first listing already queued it, or carried. */
  private addListed(summaries: readonly TrainingJobSummary[]): void {
    for (const summary of summaries) {
      const record = this.recordOf(summary);
      if (!record || this.listed.has(record.name)) continue;
      this.listed.set(record.name, record);
      this.added.summaries.push(record);
      const early = this.early.get(record.name);
      const queued = early !== undefined && this.needsDescribe(early);
      if (this.needsDescribe(record) && !queued && !this.done.has(record.name)) this.pending.push(record.name);
    }
  }

  /** A job of the modified-first listing is described now if it needs to be; the full listing decides whether it is in the snapshot. */
  private addModified(summaries: readonly TrainingJobSummary[]): void {
    for (const summary of summaries) {
      const record = this.recordOf(summary);
      if (!record || this.early.has(record.name) || this.listed.has(record.name)) continue;
      this.early.set(record.name, record);
      this.added.early.push(record);
      if (this.needsDescribe(record)) this.pending.push(record.name);
    }
  }

  /** The summary as the run keeps it; one without a name is set aside (once, though both listings return it). */
  private recordOf(summary: TrainingJobSummary): SummaryRecord | undefined {
    const record = summaryRecord(summary, this.pool);
    const key = summary.TrainingJobArn ?? '(no name)';
    // Both listings return it: once is enough, when it has an ARN to tell it by.
    if (!record && (summary.TrainingJobArn === undefined || !this.done.has(key)))
      this.setJobAside(key, 'its ListTrainingJobs summary has no TrainingJobName, so it cannot be described');
    return record;
  }

  /** Whether the full listing, now through, did not find a job the modified-first listing returned: it is not described. */
  private leftOut(name: string): boolean {
    return this.checkpoint.list.done && this.early.has(name) && !this.listed.has(name);
  }

  /** Jobs the modified-first listing returned and the full listing did not: deleted in between, so not in the snapshot. */
  private droppedEarly(): Set<string> {
    return new Set([...this.early.keys()].filter((name) => !this.listed.has(name)));
  }

  /**
   * Where the modified-first listing starts: a little before the latest change the previous snapshot
   * saw. Only an incremental run with a previous snapshot has one; a job it misses is still found by
   * the full listing, only later.
   */
  private modifiedFirstCutoff(): Date | undefined {
    if (this.checkpoint.mode !== 'incremental' || this.previous?.latestModifiedTime === undefined) return undefined;
    return new Date(this.previous.latestModifiedTime - MODIFIED_FIRST_MARGIN_MS);
  }

  private setJobAside(name: string, reason: string): void {
    const job = { name, arn: this.listed.get(name)?.arn, reason };
    this.done.add(name);
    this.setAside.push(job);
    this.added.setAside.push(job);
    this.settings.events?.warning?.('a training job was set aside; the rest of its region is published', {
      accountId: this.settings.target.accountId,
      region: this.settings.target.region,
      job: name,
      reason,
    });
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
    const softStop = Number.isFinite(budget.softStopAt)
      ? setTimeout(() => (softStopped = true), Math.max(0, budget.softStopAt - Date.now()))
      : undefined;
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
    const encoder = new ParquetWasmEncoder(settings.schema, {
      compression: settings.config.compression,
      rowGroupRows: settings.config.rowGroupRows,
    });
    const writingPart = pipeline(Readable.from(encoder.encode(rows), { objectMode: false }), createWriteStream(partPath));
    writingPart.catch(() => undefined);

    let listingDone = checkpoint.list.done;
    let wake: (() => void) | undefined;
    const notify = () => {
      wake?.();
      wake = undefined;
    };
    /** Pages through a listing until it ends, the run stops, or `onPage` wants no more. */
    const listPages = async (
      pages: AsyncIterable<SummaryPage>,
      onPage: (page: SummaryPage) => boolean,
    ): Promise<'ended' | 'stopped' | 'declined'> => {
      for await (const page of pages) {
        const more = onPage(page);
        notify();
        if (softStopped || failure !== undefined) return 'stopped';
        if (!more) return 'declined';
      }
      return 'ended';
    };
    const modifiedAfter = this.modifiedFirstCutoff();
    const listing = checkpoint.list.done
      ? Promise.resolve()
      : (async () => {
          try {
            // The jobs modified since the previous snapshot are most of what needs describing; listing
            // them first lets their describes run alongside the full listing instead of after it.
            if (modifiedAfter !== undefined && !checkpoint.list.modifiedFirst) {
              try {
                const outcome = await listPages(source.summaryPages(checkpoint.list.modifiedToken, modifiedAfter), (page) => {
                  this.addModified(page.summaries);
                  checkpoint.list.modifiedToken = page.nextToken;
                  // A page short of full with more to come means the service filters after paging: this
                  // listing would then cost as many calls as the full one, which finds these jobs anyway.
                  const more = page.nextToken !== undefined && page.summaries.length >= LIST_PAGE_SIZE;
                  if (!more) checkpoint.list.modifiedFirst = true;
                  return more;
                });
                if (outcome === 'stopped') return;
              } catch (error) {
                if (error instanceof TimeBudgetExhaustedError || signal.aborted) throw error;
                settings.events?.warning?.(
                  'listing the jobs modified since the previous snapshot failed; the full listing finds them, later',
                  {
                    accountId: settings.target.accountId,
                    region: settings.target.region,
                    reason: describeError(error),
                  },
                );
              }
              checkpoint.list.modifiedFirst = true;
            }
            await listPages(source.summaryPages(checkpoint.list.token), (page) => {
              this.addListed(page.summaries);
              checkpoint.list.token = page.nextToken;
              if (page.nextToken === undefined) checkpoint.list.done = true;
              return true;
            });
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
                const interned = this.pool.internTags(tags);
                this.tags.set(arn, interned);
                this.added.tags.push([arn, interned]);
              }
              checkpoint.tags.token = page.nextToken;
              if (page.nextToken === undefined) checkpoint.tags.done = true;
              if (softStopped || failure !== undefined) break;
            }
          } catch (error) {
            if (settings.config.tagStrategy === 'auto' && isAccessDenied(error)) {
              checkpoint.tags = { strategy: 'per-job', done: true };
              settings.events?.warning?.('tag:GetResources was denied; reading tags with ListTags per job instead', {
                accountId: settings.target.accountId,
                region: settings.target.region,
              });
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
        if (name !== undefined && this.leftOut(name)) continue;
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
        jobsToDescribe:
          this.pending.length + [...this.deferredOnce].filter((name) => !this.done.has(name) && !this.pending.includes(name)).length,
        jobsDescribed: this.describedCount,
        invocations: checkpoint.invocations,
        interrupted,
      },
    };
  }

  /** Once the main pass is through, jobs deferred once get one more round; after it they are set aside. */
  private retryDeferred(): boolean {
    const again = [...this.deferredOnce].filter((name) => !this.done.has(name) && !this.pending.includes(name) && !this.leftOut(name));
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
        if (this.deferredOnce.has(name) && this.deferredRound)
          return this.setJobAside(name, `DescribeTrainingJob kept failing: ${outcome.reason}`);
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

  private saveProgress(keys: ReturnType<typeof workKeys>): Promise<void> {
    return saveProgress(this.settings.store, keys, this.checkpoint, this.added, this.calls.snapshot());
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

  private publish(keys: ReturnType<typeof workKeys>, savedParts: string[], localPart: string | undefined): Promise<TargetStep> {
    const dropped = this.droppedEarly();
    const setAside = this.setAside.filter((job) => !dropped.has(job.name));
    const droppedDescribed = [...dropped].filter(
      (name) => this.done.has(name) && !this.vanished.has(name) && !this.setAside.some((job) => job.name === name),
    ).length;
    const stats = this.collectStats();
    const carried = this.carried();
    const previousJobs = this.previous?.jobs;
    const listedArns = new Set([...this.listed.values()].map((summary) => summary.arn));
    const jobsNew =
      previousJobs && [...this.listed.values()].filter((summary) => summary.arn === undefined || !previousJobs.has(summary.arn)).length;
    const jobsGone = previousJobs ? [...previousJobs.keys()].filter((arn) => !listedArns.has(arn)).length : 0;
    const jobsListed = this.listed.size;
    // V8 lets its heap grow in proportion to what stays alive, so what the merge does not need goes first.
    this.listed.clear();
    this.early.clear();
    this.added.summaries.length = 0;
    this.added.early.length = 0;
    this.previous?.releaseIndex();
    return publishTarget(
      {
        settings: this.settings,
        checkpoint: this.checkpoint,
        previous: this.previous,
        jobsListed,
        jobsNew,
        jobsGone,
        carried,
        excluded: dropped,
        tags: this.tags,
        setAside,
        describedCount: this.describedCount - droppedDescribed,
        unknownFields: this.unknownFields,
        // A job the full listing did not find was deleted during the run, like one whose describe found it gone.
        stats: { ...stats, jobsVanished: new Set([...this.vanished, ...dropped]).size },
      },
      keys,
      savedParts,
      localPart,
    );
  }
}
