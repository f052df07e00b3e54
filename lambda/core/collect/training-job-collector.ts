import { paginateGetResources, type ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import {
  DescribeTrainingJobCommand,
  paginateListTags,
  paginateListTrainingJobs,
  type DescribeTrainingJobResponse,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { setMaxListeners } from 'node:events';
import { classifyError, describeAwsError, isAccessDenied, isNotFound } from '../aws/error-classification';
import { CollectError } from '../errors';
import type { SourceOperation } from '../names';
import type { TrainingJobRecord } from '../rows/training-job-row';
import { AsyncChannel } from './async-channel';
import type { CollectStats, TagStrategy } from './call-stats';
import { RateLimitedSender, type ApiRateLimits } from './rate-limited-sender';

export type { ApiRateLimits } from './rate-limited-sender';

/**
 * Conservative defaults: SageMaker's control-plane limits are not adjustable and not all published;
 * a public report puts ListTrainingJobs near 2/s. Staying under them costs little and avoids
 * throttling storms that would slow every other client in the account.
 */
export const DEFAULT_RATE_LIMITS: ApiRateLimits = { ListTrainingJobs: 2, DescribeTrainingJob: 10, ListTags: 10, GetResources: 5 };

export interface TrainingJobCollectorOptions {
  readonly sagemaker: SageMakerClient;
  readonly tagging: ResourceGroupsTaggingAPIClient;
  readonly accountId: string;
  readonly region: string;
  /** @default DEFAULT_RATE_LIMITS */
  readonly limits?: Partial<ApiRateLimits>;
  /** Describe calls in flight at once. @default 8 */
  readonly concurrency?: number;
  /**
   * `bulk` reads all tags with the Tagging API's GetResources (100 jobs a call); `per-job` calls ListTags
   * for each job; `auto` uses bulk and falls back to per-job when the Tagging API is denied.
   * @default 'auto'
   */
  readonly tagStrategy?: TagStrategy | 'auto';
  /** Epoch ms by which the run must end: calls in flight are aborted and no retry starts after it. @default no deadline */
  readonly deadline?: number;
  /** Cancels the run. */
  readonly signal?: AbortSignal;
  /** Warnings (repeated pagination token, tagging API denied). @default ignored */
  readonly onWarning?: (message: string, details: Record<string, unknown>) => void;
}

/** The run's deadline passed before it finished. Names how far it got. */
export class TimeBudgetExhaustedError extends CollectError {}

/**
 * Collects every training job of one (account, region) with all Describe fields and current tags.
 * Pages come from the SDK's paginators; every attempt passes the operation's rate gate; the clients'
 * retry strategy retries what is transient until the deadline. Records stream out through a bounded
 * channel as they are described.
 */
export class TrainingJobCollector {
  private readonly concurrency: number;
  private readonly limits: ApiRateLimits;
  private sender: RateLimitedSender | undefined;
  private jobsListed = 0;
  private jobsDescribed = 0;
  private jobsVanished = 0;
  private repeatedTokens = 0;
  private startedAt = 0;
  private finishedAt = 0;
  private tagStrategyUsed: TagStrategy = 'bulk';

  constructor(private readonly options: TrainingJobCollectorOptions) {
    this.limits = { ...DEFAULT_RATE_LIMITS, ...options.limits };
    for (const [operation, rate] of Object.entries(this.limits)) {
      if (!(rate > 0) || !Number.isFinite(rate)) {
        throw new CollectError(`rate limit for ${operation} is ${rate}; allowed: a positive number of calls per second`);
      }
    }
    this.concurrency = options.concurrency ?? 8;
    if (!Number.isInteger(this.concurrency) || this.concurrency < 1 || this.concurrency > 64) {
      throw new CollectError(`concurrency is ${this.concurrency}; allowed: a whole number from 1 to 64`);
    }
  }

  stats(): CollectStats {
    return {
      accountId: this.options.accountId,
      region: this.options.region,
      operations: this.sender?.calls.snapshot() ?? {},
      jobsListed: this.jobsListed,
      jobsDescribed: this.jobsDescribed,
      jobsVanished: this.jobsVanished,
      tagStrategy: this.tagStrategyUsed,
      repeatedTokens: this.repeatedTokens,
      wallMs: (this.finishedAt || performance.now()) - this.startedAt,
    };
  }

  /** Streams one record per job that exists at the end of its Describe. Iterate once. */
  records(): AsyncIterable<TrainingJobRecord> {
    this.startedAt = performance.now();
    const output = new AsyncChannel<TrainingJobRecord>(this.concurrency * 4);
    const names = new AsyncChannel<string>(1000);
    const abort = new AbortController();
    const signals = [abort.signal];
    if (this.options.signal) signals.push(this.options.signal);
    const deadline = this.options.deadline;
    if (deadline !== undefined && Number.isFinite(deadline)) signals.push(AbortSignal.timeout(Math.max(0, deadline - Date.now())));
    const signal = AbortSignal.any(signals);
    // Every call in flight listens on this one signal; that is by design, not a leak.
    setMaxListeners(0, signal);
    const sender = new RateLimitedSender(this.limits, signal);
    this.sender = sender;

    const strategy = this.options.tagStrategy ?? 'auto';
    this.tagStrategyUsed = strategy === 'per-job' ? 'per-job' : 'bulk';
    const tagScanStartedAt = Date.now();
    const bulkTags: Promise<Map<string, Record<string, string>> | undefined> =
      strategy === 'per-job' ? Promise.resolve(undefined) : this.readAllTags(sender, signal, strategy === 'bulk');
    // Rejections are observed by the workers; this keeps an early failure from being "unhandled".
    bulkTags.catch(() => undefined);

    const listing = this.listJobNames(sender, names, output, signal).then(
      () => names.close(),
      (error: unknown) => {
        names.fail(error);
        throw error;
      },
    );
    const workers = Array.from({ length: this.concurrency }, async () => {
      for await (const name of names) {
        // The consumer stopped (e.g. the write failed): describing the rest would only spend API calls.
        if (output.isClosed) return;
        const job = await this.describe(sender, name, signal);
        if (!job) continue;
        const tagMap = await bulkTags;
        // A job created after the bulk scan began may have tags the scan did not see: ask for them directly.
        const tags =
          tagMap && job.CreationTime!.getTime() < tagScanStartedAt - 1000
            ? (tagMap.get(job.TrainingJobArn!) ?? {})
            : await this.listTags(sender, job.TrainingJobArn!, signal);
        await output.push({ job, tags, region: this.options.region });
      }
    });
    Promise.all([listing, ...workers]).then(
      () => {
        this.finishedAt = performance.now();
        output.close();
      },
      (error: unknown) => {
        this.finishedAt = performance.now();
        abort.abort(error);
        output.fail(error);
      },
    );
    return output;
  }

  private async listJobNames(sender: RateLimitedSender, names: AsyncChannel<string>, output: AsyncChannel<unknown>, signal: AbortSignal): Promise<void> {
    const seenTokens = new Set<string>();
    const seenArns = new Set<string>();
    const pages = paginateListTrainingJobs(
      { client: this.options.sagemaker, pageSize: 100, withCommand: sender.gate('ListTrainingJobs') },
      { SortBy: 'CreationTime', SortOrder: 'Ascending' },
      { abortSignal: signal },
    );
    await this.guard('ListTrainingJobs', signal, async () => {
      for await (const page of pages) {
        for (const summary of page.TrainingJobSummaries ?? []) {
          if (seenArns.has(summary.TrainingJobArn!)) continue;
          seenArns.add(summary.TrainingJobArn!);
          this.jobsListed++;
          await names.push(summary.TrainingJobName!);
        }
        if (output.isClosed) return;
        const token = page.NextToken;
        if (token !== undefined && seenTokens.has(token)) {
          this.repeatedTokens++;
          this.options.onWarning?.('ListTrainingJobs returned a pagination token it had already returned; paging stopped', {
            region: this.options.region,
            jobsListed: this.jobsListed,
          });
          return;
        }
        if (token !== undefined) seenTokens.add(token);
      }
    });
  }

  private async describe(sender: RateLimitedSender, name: string, signal: AbortSignal): Promise<DescribeTrainingJobResponse | undefined> {
    try {
      const job = await this.guard('DescribeTrainingJob', signal, () =>
        this.options.sagemaker.send(sender.gate('DescribeTrainingJob')(new DescribeTrainingJobCommand({ TrainingJobName: name })), { abortSignal: signal }),
      );
      this.jobsDescribed++;
      // The SDK's response metadata is not part of the job.
      const fields: Partial<typeof job> = { ...job };
      delete fields.$metadata;
      return fields as DescribeTrainingJobResponse;
    } catch (error) {
      if (isNotFound(error)) {
        this.jobsVanished++;
        return undefined;
      }
      throw error;
    }
  }

  private async listTags(sender: RateLimitedSender, arn: string, signal: AbortSignal): Promise<Record<string, string>> {
    const tags: Record<string, string> = {};
    const pages = paginateListTags(
      { client: this.options.sagemaker, pageSize: 100, withCommand: sender.gate('ListTags'), stopOnSameToken: true },
      { ResourceArn: arn },
      { abortSignal: signal },
    );
    try {
      await this.guard('ListTags', signal, async () => {
        for await (const page of pages) for (const tag of page.Tags ?? []) tags[tag.Key!] = tag.Value ?? '';
      });
    } catch (error) {
      if (isNotFound(error)) return tags;
      throw error;
    }
    return tags;
  }

  private async readAllTags(sender: RateLimitedSender, signal: AbortSignal, required: boolean): Promise<Map<string, Record<string, string>> | undefined> {
    const tagsByArn = new Map<string, Record<string, string>>();
    const seenTokens = new Set<string>();
    const pages = paginateGetResources(
      { client: this.options.tagging, pageSize: 100, withCommand: sender.gate('GetResources') },
      { ResourceTypeFilters: ['sagemaker:training-job'] },
      { abortSignal: signal },
    );
    try {
      await this.guard('GetResources', signal, async () => {
        for await (const page of pages) {
          for (const mapping of page.ResourceTagMappingList ?? []) {
            tagsByArn.set(mapping.ResourceARN!, Object.fromEntries((mapping.Tags ?? []).map((t) => [t.Key!, t.Value ?? ''])));
          }
          const token = page.PaginationToken || undefined;
          if (token !== undefined && seenTokens.has(token)) {
            this.repeatedTokens++;
            return;
          }
          if (token !== undefined) seenTokens.add(token);
        }
      });
    } catch (error) {
      if (!required && isAccessDenied(error)) {
        this.tagStrategyUsed = 'per-job';
        this.options.onWarning?.('tag:GetResources was denied; reading tags with ListTags per job instead', { region: this.options.region });
        return undefined;
      }
      throw error;
    }
    return tagsByArn;
  }

  /** Runs one logical call (or a paging loop) and turns what escapes the retries into an error naming where and how far. */
  private async guard<T>(operation: SourceOperation, signal: AbortSignal, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof CollectError) throw error;
      const reason = signal.reason as { name?: string } | undefined;
      if (signal.aborted && reason?.name === 'TimeoutError') {
        throw new TimeBudgetExhaustedError(
          `${operation} not finished in ${this.options.region} for account ${this.options.accountId}: the run's time budget ran out after ${this.jobsDescribed} of ${this.jobsListed} jobs listed so far were described (${this.sender?.calls.totalThrottles() ?? 0} calls throttled)`,
          { cause: error },
        );
      }
      if (signal.aborted && signal.reason instanceof Error) throw signal.reason;
      const kind = classifyError(error);
      if (kind === 'throttling' || kind === 'transient') {
        // The retry strategy stops retrying these only when the next wait would pass the deadline.
        throw new TimeBudgetExhaustedError(
          `${operation} failed in ${this.options.region} for account ${this.options.accountId}: still ${kind === 'throttling' ? 'throttled' : 'failing'} when the run's time budget ran out (${describeAwsError(error)}); ${this.jobsDescribed} of ${this.jobsListed} jobs listed so far were described`,
          { cause: error },
        );
      }
      throw new CollectError(`${operation} failed in ${this.options.region} for account ${this.options.accountId}: ${describeAwsError(error)}`, { cause: error });
    }
  }
}
