import type { DescribeTrainingJobResponse, TrainingJobSummary } from '@aws-sdk/client-sagemaker';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { isAccessDenied } from '../aws/error-classification';
import { CallStatsRecorder, type CollectStats, type OperationStats } from '../collect/call-stats';
import { TimeBudgetExhaustedError, TrainingJobSource } from '../collect/training-job-source';
import { StallWatch } from '../collect/stall-watch';
import { WorkQueue } from '../collect/work-queue';
import { InvalidRecordError, InventoryError } from '../errors';
import type { WarehouseStore } from '../publish/store';
import { readProgressChunk, saveProgress, summaryRecord, type Checkpoint, type ProgressChunk, type SummaryRecord } from './checkpoint';
import { ArnMap, ArnSet } from './arn-rows';
import { InvocationControl } from './invocation-control';
import { listJobs } from './job-listing';
import { ListedJobs } from './listed-jobs';
import { listingChanges, type ListingChanges } from './listing-changes';
import { PartWriter } from './part-writer';
import { TAGS_AS_BEFORE, type PreviousSnapshot, type TodayTags } from './previous-snapshot';
import { publishTarget } from './publish-target';
import type { SnapshotSources } from './snapshot-bytes';
import { StringPool } from './string-pool';
import type { InvocationBudget, SetAsideJob, TargetProgress, TargetRunSettings, TargetStep } from './target-run-types';
import { workKeys } from './work-area';

/** Reading and writing rows runs at several thousand a second; the merge starts only when it can finish. */
const MERGE_ROWS_PER_SECOND = 2_000;
const MERGE_FIXED_MS = 1_000;
/** The modified-first listing reaches this far before the previous snapshot's latest change. */
const MODIFIED_FIRST_MARGIN_MS = 15 * 60_000;

/** The merged state of every invocation so far, plus what this invocation adds. */
export class RunState {
  /** Jobs of the full listing: exactly the jobs of the snapshot. */
  private readonly listed: ListedJobs;
  /** Jobs of the modified-first listing; one the full listing does not find was deleted in between and is left out. */
  private readonly early: ListedJobs;
  /** How many jobs each listing held once the saved progress was replayed: those set after are this invocation's to save. */
  private replayed = { listed: 0, early: 0 };
  /**
   * By the previous snapshot's rows where it has the job: a reference a job, where a map cost an entry.
   * Tags its row holds already are TAGS_AS_BEFORE: most jobs' tags do not move, and their sets are not kept.
   */
  private readonly tags: ArnMap<TodayTags>;
  /** The ARNs this invocation read tags for: a byte a job of the previous snapshot. */
  private readonly addedTags: ArnSet;
  /** Tags repeat across jobs; held once each, a tag map per job costs a reference at 100,000 jobs. */
  private readonly pool = new StringPool();
  private readonly done = new Set<string>();
  private readonly vanished = new Set<string>();
  private readonly setAside: SetAsideJob[] = [];
  private readonly deferredOnce = new Set<string>();
  private readonly unknownFields: Record<string, number> = {};
  /** Jobs to describe, handed from the listings (and the last round of deferred jobs) to the describe workers. */
  private readonly pending = new WorkQueue<string>(() => this.deferredRetries());
  /** True once the main pass is through and deferred jobs get their last round. */
  private deferredRound = false;
  private describedCount = 0;
  private readonly calls = new CallStatsRecorder();
  /**
   * What this invocation adds to the saved progress; the summaries are the jobs `listed` and `early` hold
   * past `replayed`, and the tags those of `addedTags`.
   */
  private readonly added: Omit<ProgressChunk, 'tags' | 'summaries' | 'early'> = {
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
  ) {
    // Each structure by job refers to the previous snapshot's ARNs by row, so an ARN is held once.
    const arns = previous?.jobs.arns;
    this.listed = new ListedJobs(arns);
    this.early = new ListedJobs(arns);
    this.tags = new ArnMap(arns);
    this.addedTags = new ArnSet(arns);
  }

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
      for (const summary of chunk.summaries) this.listed.set(summary);
      for (const summary of chunk.early ?? []) this.early.set(summary);
      for (const [arn, tags] of chunk.tags) this.tags.set(arn, tags === null ? this.tagsAsBefore(arn, key) : this.pool.internTags(tags));
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
    this.replayed = { listed: this.listed.size, early: this.early.size };
    for (const name of this.early.names()) this.queueReplayed(this.listed.get(name) ?? this.early.get(name)!);
    for (const summary of this.listed) if (!this.early.has(summary.name)) this.queueReplayed(summary);
  }

  /** TAGS_AS_BEFORE for a job the saved progress `key` says has them, which only the previous snapshot's row of it can give. */
  private tagsAsBefore(arn: string, key: string): typeof TAGS_AS_BEFORE {
    if (this.previous?.jobs.arns.rowOf(arn) === undefined) {
      throw new InventoryError(
        `the saved progress ${this.settings.store.locationOf(key)} of ${this.where} keeps the tags of ${arn} as the previous snapshot has them, and this invocation has no row of it there`,
      );
    }
    return TAGS_AS_BEFORE;
  }

  private queueReplayed(summary: SummaryRecord): void {
    const { name } = summary;
    if (this.needsDescribe(summary) && !this.done.has(name) && !this.leftOut(name)) this.pending.add(name);
  }

  /** Whether a listed job must be described this run, or its previous row carried (listing-changes.ts decides alike). */
  private needsDescribe(summary: SummaryRecord): boolean {
    if (this.checkpoint.mode === 'full' || !this.previous || summary.arn === undefined) return true;
    const row = this.previous.jobs.rowOfJob(summary.arn, summary.created);
    return row < 0 || !this.previous.jobs.isUnchangedAt(row, summary.lastModified, summary.status);
  }

  /** A job of the full listing is in the snapshot: described, unless the modified-first listing already queued it, or carried. */
  private addListed(summaries: readonly TrainingJobSummary[]): void {
    for (const summary of summaries) {
      const record = this.recordOf(summary);
      if (!record || this.listed.has(record.name)) continue;
      this.listed.set(record);
      const early = this.early.get(record.name);
      const queued = early !== undefined && this.needsDescribe(early);
      if (this.needsDescribe(record) && !queued && !this.done.has(record.name)) this.pending.add(record.name);
    }
    this.advanced();
  }

  /** Tells the caller how far the target has got, for a progress display: after each page listed and each job described. */
  private advanced(): void {
    this.settings.events?.advanced?.({ ...this.progress(undefined), listingDone: this.checkpoint.list.done });
  }

  /** A job of the modified-first listing is described now if it needs to be; the full listing decides whether it is in the snapshot. */
  private addModified(summaries: readonly TrainingJobSummary[]): void {
    for (const summary of summaries) {
      const record = this.recordOf(summary);
      if (!record || this.early.has(record.name) || this.listed.has(record.name)) continue;
      this.early.set(record);
      if (this.needsDescribe(record)) this.pending.add(record.name);
    }
  }

  /** The summary as the run keeps it; one without a name is set aside (once, though both listings return it). */
  private recordOf(summary: TrainingJobSummary): SummaryRecord | undefined {
    const record = summaryRecord(summary);
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
    return new Set([...this.early.names()].filter((name) => !this.listed.has(name)));
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
    const job = { name, arn: this.listed.arnOf(name), reason };
    this.done.add(name);
    this.setAside.push(job);
    this.added.setAside.push(job);
    this.warn('a training job was set aside; the rest of its region is published', { job: name, reason });
  }

  /**
   * Keeps a job's tags, or TAGS_AS_BEFORE when its row of the previous snapshot holds them. Only an
   * incremental run marks them so: a resumed one cannot go on without that snapshot (target-run.ts).
   */
  private addTags(arn: string, tags: Readonly<Record<string, string>>): void {
    const asBefore = this.checkpoint.mode === 'incremental' && this.previous?.jobs.holdsTags(arn, tags);
    this.tags.set(arn, asBefore ? TAGS_AS_BEFORE : this.pool.internTags(tags));
    this.addedTags.add(arn);
  }

  private warn(message: string, details: Record<string, unknown>): void {
    this.settings.events?.warning?.(message, {
      accountId: this.settings.target.accountId,
      region: this.settings.target.region,
      ...details,
    });
  }

  /**
   * One invocation's work: the listing, the tag scan and the describe workers run side by side; the
   * listing hands the jobs to describe to the workers through `pending`. Then the target is published
   * when it is complete and the merge fits in the time left, or its progress is saved for the next one.
   */
  async work(budget: InvocationBudget, scratch: string, keys: ReturnType<typeof workKeys>): Promise<TargetStep> {
    const control = new InvocationControl(budget, this.settings.signal);
    control.onHalt(() => this.pending.stop());
    const { target, config } = this.settings;
    const stall = new StallWatch(config.stallPeriodSeconds * 1000, `in ${target.region} for account ${target.accountId}`, (error) =>
      control.fail(error),
    );
    const source = this.sourceFor(control, stall);
    const part = new PartWriter(join(scratch, 'part.parquet'), this.settings.schema, config);
    try {
      await Promise.all([this.list(source, control), this.scanTags(source, control), ...this.describeWorkers(source, part, control)]);
    } finally {
      stall.dispose();
      control.dispose();
    }
    await part.close().catch((error: unknown) => control.fail(error));
    this.recordCalls(source);
    if (control.failure !== undefined) throw control.failure;
    return this.conclude(source, budget, keys, part, control.interrupted, scratch);
  }

  private sourceFor(control: InvocationControl, observer: StallWatch): TrainingJobSource {
    const { settings } = this;
    return new TrainingJobSource({
      ...settings.clients,
      accountId: settings.target.accountId,
      region: settings.target.region,
      limits: settings.config.limits,
      jobThrottleAttempts: settings.config.jobThrottleAttempts,
      observer,
      signal: control.signal,
      onWarning: (message, details) => settings.events?.warning?.(message, { accountId: settings.target.accountId, ...details }),
      redactTags: (tags) => settings.mapper.redactTags(tags),
    });
  }

  /** The listing, from where earlier invocations left off; however it ends, no more jobs come from it. */
  private async list(source: TrainingJobSource, control: InvocationControl): Promise<void> {
    if (this.checkpoint.list.done) return this.pending.seal();
    try {
      await listJobs({
        source,
        list: this.checkpoint.list,
        modifiedAfter: this.modifiedFirstCutoff(),
        control,
        onModified: (summaries) => this.addModified(summaries),
        onListed: (summaries) => this.addListed(summaries),
        onWarning: (message, details) => this.warn(message, details),
      });
    } catch (error) {
      control.fail(error);
    } finally {
      this.pending.seal();
      this.advanced();
    }
  }

  /** The bulk tag scan (GetResources); denied under the `auto` strategy, it gives way to ListTags per job. */
  private async scanTags(source: TrainingJobSource, control: InvocationControl): Promise<void> {
    const { checkpoint } = this;
    if (checkpoint.tags.done) return;
    try {
      for await (const page of source.tagPages(checkpoint.tags.token)) {
        for (const [arn, tags] of page.tags) this.addTags(arn, tags);
        checkpoint.tags.token = page.nextToken;
        if (page.nextToken === undefined) checkpoint.tags.done = true;
        if (control.halted.aborted) break;
      }
    } catch (error) {
      if (this.settings.config.tagStrategy === 'auto' && isAccessDenied(error)) {
        checkpoint.tags = { strategy: 'per-job', done: true };
        this.warn('tag:GetResources was denied; reading tags with ListTags per job instead', {});
      } else {
        control.fail(error);
      }
    }
  }

  /** As many describe workers as the concurrency allows, sharing the jobs of `pending`. */
  private describeWorkers(source: TrainingJobSource, part: PartWriter, control: InvocationControl): Promise<void>[] {
    return Array.from({ length: this.settings.config.concurrency }, () => this.describeWorker(source, part, control));
  }

  private async describeWorker(source: TrainingJobSource, part: PartWriter, control: InvocationControl): Promise<void> {
    for await (const name of this.pending) {
      if (this.leftOut(name)) continue;
      try {
        await this.describeOne(source, name, part);
      } catch (error) {
        // Not described: it stays for the next invocation.
        this.pending.putBack(name);
        control.fail(error);
        return;
      }
    }
  }

  /** Once the main pass is through, jobs deferred once get one more round; after it they are set aside. */
  private deferredRetries(): string[] {
    const again = [...this.deferredOnce].filter((name) => !this.done.has(name) && !this.pending.has(name) && !this.leftOut(name));
    if (again.length > 0) this.deferredRound = true;
    return again;
  }

  /** After the describes: the target is published when complete and the merge fits; otherwise its progress is saved. */
  private async conclude(
    source: TrainingJobSource,
    budget: InvocationBudget,
    keys: ReturnType<typeof workKeys>,
    part: PartWriter,
    interrupted: string | undefined,
    scratch: string,
  ): Promise<TargetStep> {
    const { checkpoint } = this;
    const complete = checkpoint.list.done && this.pending.size === 0 && checkpoint.tags.done && (await this.completeTags(source, budget));
    const localPart = part.rowCount > 0 ? part.path : undefined;
    // Worked out once, when complete: the merge-fits check takes its count of carried rows, and the publish step the rest.
    const changes = complete ? this.listingChanges() : undefined;
    if (changes && this.mergeFits(budget, changes.carried.size)) {
      return this.publish(keys, { savedParts: [...checkpoint.parts], localPart }, scratch, changes);
    }
    if (localPart !== undefined) {
      const key = keys.part(checkpoint.invocations);
      await this.settings.store.put(key, createReadStream(localPart));
      checkpoint.parts.push(key);
    }
    await this.saveProgress(keys);
    return { status: 'continuing', progress: this.progress(interrupted) };
  }

  private progress(interrupted: string | undefined): TargetProgress {
    const deferredLeft = [...this.deferredOnce].filter((name) => !this.done.has(name) && !this.pending.has(name));
    return {
      ...this.settings.target,
      mode: this.checkpoint.mode,
      jobsListed: this.listed.size,
      jobsToDescribe: this.pending.size + deferredLeft.length,
      jobsDescribed: this.describedCount,
      invocations: this.checkpoint.invocations,
      interrupted,
    };
  }

  private async describeOne(source: TrainingJobSource, name: string, part: PartWriter): Promise<void> {
    const outcome = await source.describe(name, this.listed.arnOf(name) ?? this.early.arnOf(name));
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
      this.addTags(job.TrainingJobArn!, await source.listTags(job.TrainingJobArn!));
    }
    for (const field of [...mapped.unknownFields, ...outcome.unknownApiFields]) {
      this.unknownFields[field] = (this.unknownFields[field] ?? 0) + 1;
      this.added.unknownFields[field] = (this.added.unknownFields[field] ?? 0) + 1;
    }
    await part.write(mapped.row);
    this.done.add(name);
    this.added.described.push(name);
    this.describedCount++;
    this.advanced();
    if (this.describedCount % 500 === 0) this.settings.events?.progress?.(this.settings.target, this.describedCount);
  }

  /** ARNs whose tags the bulk scan cannot vouch for: all of them with ListTags per job, otherwise jobs created after the scan began. */
  private jobsNeedingTags(): string[] {
    const cutoff = this.checkpoint.tagScanStartedAt - 1000;
    const perJob = this.checkpoint.tags.strategy === 'per-job';
    const setAside = this.setAsideNames();
    const needed: string[] = [];
    for (const { name, arn, created } of this.listed) {
      if (arn === undefined || this.tags.has(arn) || this.vanished.has(name) || setAside.has(name)) continue;
      if (perJob || (created ?? Number.POSITIVE_INFINITY) >= cutoff) needed.push(arn);
    }
    return needed;
  }

  /** Reads the tags the bulk scan cannot vouch for while the invocation has time; whether every listed job's tags are then in. */
  private async completeTags(source: TrainingJobSource, budget: InvocationBudget): Promise<boolean> {
    for (const arn of this.jobsNeedingTags()) {
      if (Date.now() >= budget.softStopAt) return false;
      try {
        this.addTags(arn, await source.listTags(arn));
      } catch (error) {
        if (error instanceof TimeBudgetExhaustedError) return false;
        throw error;
      } finally {
        this.recordCalls(source);
      }
    }
    return true;
  }

  private mergeFits(budget: InvocationBudget, carriedCount: number): boolean {
    const rowsToWrite = this.describedCount + carriedCount;
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
    const chunk: ProgressChunk = {
      ...this.added,
      summaries: this.listed.addedSince(this.replayed.listed),
      early: this.early.addedSince(this.replayed.early),
      tags: [...this.addedTags].map((arn) => {
        const tags = this.tags.get(arn)!;
        return [arn, tags === TAGS_AS_BEFORE ? null : tags];
      }),
    };
    return saveProgress(this.settings.store, keys, this.checkpoint, chunk, this.calls.snapshot());
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

  private setAsideNames(): Set<string> {
    return new Set(this.setAside.map((job) => job.name));
  }

  /**
   * The full listing against the previous snapshot, once every job is described: what is carried, new
   * and gone. A job set aside or found gone while being described is not in the snapshot, so not new.
   */
  private listingChanges(): ListingChanges {
    return listingChanges(this.listed, this.previous?.jobs, this.checkpoint.mode !== 'full', {
      vanished: this.vanished,
      setAside: this.setAsideNames(),
    });
  }

  private publish(
    keys: ReturnType<typeof workKeys>,
    sources: SnapshotSources,
    scratch: string,
    { carried, jobsNew, firstSeen, departed }: ListingChanges,
  ): Promise<TargetStep> {
    this.settings.events?.publishing?.(this.settings.target);
    const dropped = this.droppedEarly();
    const setAsideNames = this.setAsideNames();
    const droppedDescribed = [...dropped].filter((name) => this.done.has(name) && !this.vanished.has(name) && !setAsideNames.has(name));
    const stats = this.collectStats();
    const setAside = this.keptSetAside(dropped, carried);
    const jobsListed = this.listed.size;
    // V8 lets its heap grow in proportion to what stays alive, so what the merge does not need goes first.
    this.listed.clear();
    this.early.clear();
    this.pool.clear();
    this.previous?.releaseIndex();
    return publishTarget(
      {
        settings: this.settings,
        checkpoint: this.checkpoint,
        previous: this.previous,
        jobsListed,
        jobsNew,
        jobsGone: departed.length,
        carried,
        excluded: dropped,
        tags: this.tags,
        setAside,
        firstSeen,
        departed,
        describedCount: this.describedCount - droppedDescribed.length,
        unknownFields: this.unknownFields,
        // A job the full listing did not find was deleted during the run, like one whose describe found it gone.
        stats: { ...stats, jobsVanished: new Set([...this.vanished, ...dropped]).size },
      },
      keys,
      sources,
      scratch,
    );
  }

  /**
   * The jobs set aside, less those the full listing did not find. One that the previous snapshot holds
   * keeps that row (its ARN joins `carried`), flagged in the run record, so it does not vanish from
   * current and from cost for a day; a new one has no row to keep.
   */
  private keptSetAside(dropped: ReadonlySet<string>, carried: ArnSet): SetAsideJob[] {
    return this.setAside
      .filter((job) => !dropped.has(job.name))
      .map((job) => {
        const { arn } = job;
        const created = this.listed.get(job.name)?.created;
        const kept = arn !== undefined && (this.previous?.jobs.rowOfJob(arn, created) ?? -1) >= 0 && !carried.has(arn);
        if (kept) carried.add(arn);
        return { ...job, keptPreviousRow: kept };
      });
  }
}
