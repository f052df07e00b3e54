import { paginateGetResources, type ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import {
  DescribeTrainingJobCommand,
  paginateListTags,
  paginateListTrainingJobs,
  type DescribeTrainingJobResponse,
  type SageMakerClient,
  type TrainingJobSummary,
} from '@aws-sdk/client-sagemaker';
import { classifyError, describeAwsError, isNotFound, RetriesExhaustedError } from '../aws/error-classification';
import { CollectError } from '../errors';
import type { SourceOperation } from '../names';
import { DEFAULT_RATE_LIMITS, RateLimitedSender, type ApiRateLimits } from './rate-limited-sender';
import { unknownFieldPaths, withRawJsonCapture } from './raw-fields';

/** Attempts one Describe gets for a 5xx or reset before its job is deferred; throttling has no such cap. */
export const DESCRIBE_TRANSIENT_ATTEMPTS = 8;
/** Listing stops, as untrustworthy, after this many pages in a row that add no job. */
const PAGES_WITHOUT_PROGRESS = 3;
/** Summaries asked for per ListTrainingJobs page: the most the API returns. */
export const LIST_PAGE_SIZE = 100;
/** No real account needs more pages than this (10 million jobs). */
const MAX_PAGES = 100_000;

export interface TrainingJobSourceOptions {
  readonly sagemaker: SageMakerClient;
  readonly tagging: ResourceGroupsTaggingAPIClient;
  readonly accountId: string;
  readonly region: string;
  /** @default DEFAULT_RATE_LIMITS */
  readonly limits?: Partial<ApiRateLimits>;
  /** Aborted at the run's deadline or when the run stops. */
  readonly signal: AbortSignal;
  /** Warnings (a repeated pagination token). @default ignored */
  readonly onWarning?: (message: string, details: Record<string, unknown>) => void;
}

/** One page of ListTrainingJobs, and where the next one starts (undefined: this was the last). */
export interface SummaryPage {
  readonly summaries: readonly TrainingJobSummary[];
  readonly nextToken?: string;
}

export interface TagPage {
  readonly tags: readonly (readonly [arn: string, tags: Record<string, string>])[];
  readonly nextToken?: string;
}

export type DescribeOutcome =
  | { readonly kind: 'described'; readonly job: DescribeTrainingJobResponse; readonly unknownApiFields: readonly string[] }
  /** Deleted between List and Describe. */
  | { readonly kind: 'vanished' }
  /** Failed in a way a retry later may fix (5xx or resets beyond this call's attempts). */
  | { readonly kind: 'deferred'; readonly reason: string }
  /** Failed in a way no retry will fix for this job (the service rejects the request for it). */
  | { readonly kind: 'failed'; readonly reason: string };

/** The run's deadline passed before it finished. Names how far it got. */
export class TimeBudgetExhaustedError extends CollectError {}

/**
 * The source APIs of one (account, region): ListTrainingJobs and the Tagging API page by page through
 * the SDK's paginators, DescribeTrainingJob and ListTags per job. Every attempt passes the operation's
 * rate gate; the clients' retry strategy retries what is transient. Errors that escape come out as a
 * CollectError naming the operation, the region and the account.
 */
export class TrainingJobSource {
  readonly sender: RateLimitedSender;

  constructor(private readonly options: TrainingJobSourceOptions) {
    const limits = { ...DEFAULT_RATE_LIMITS, ...options.limits };
    for (const [operation, rate] of Object.entries(limits)) {
      if (!(rate > 0) || !Number.isFinite(rate))
        throw new CollectError(`rate limit for ${operation} is ${rate}; allowed: a positive number of calls per second`);
    }
    this.sender = new RateLimitedSender(limits, options.signal);
  }

  get region(): string {
    return this.options.region;
  }

  get accountId(): string {
    return this.options.accountId;
  }

  /**
   * Every job's summary, oldest first, from `startToken` on; with `modifiedAfter`, only the jobs
   * modified after that time. Stops at a token repeated right away (a known service hazard; warned),
   * and fails, as untrustworthy, on a token that loops back to an earlier page or on pages that keep
   * coming without a new job.
   */
  async *summaryPages(startToken?: string, modifiedAfter?: Date): AsyncIterable<SummaryPage> {
    const seenTokens = new Set<string>();
    const seenNames = new Set<string>();
    let fruitless = 0;
    let pages = 0;
    let previousToken = startToken;
    const pager = paginateListTrainingJobs(
      {
        client: this.options.sagemaker,
        pageSize: LIST_PAGE_SIZE,
        startingToken: startToken,
        withCommand: this.sender.gate('ListTrainingJobs'),
      },
      { SortBy: 'CreationTime', SortOrder: 'Ascending', LastModifiedTimeAfter: modifiedAfter },
      { abortSignal: this.options.signal },
    );
    const iterator = pager[Symbol.asyncIterator]();
    for (;;) {
      const next = await this.guard('ListTrainingJobs', () => iterator.next());
      if (next.done) return;
      const page = next.value;
      const summaries = page.TrainingJobSummaries ?? [];
      let added = 0;
      for (const summary of summaries) {
        const name = summary.TrainingJobName;
        if (name !== undefined && !seenNames.has(name)) {
          seenNames.add(name);
          added++;
        }
      }
      const token = page.NextToken || undefined;
      if (++pages > MAX_PAGES)
        throw new CollectError(
          `ListTrainingJobs returned more than ${MAX_PAGES} pages in ${this.options.region} for account ${this.options.accountId}; paging stopped`,
        );
      fruitless = token !== undefined && added === 0 ? fruitless + 1 : 0;
      if (fruitless >= PAGES_WITHOUT_PROGRESS) {
        throw new CollectError(
          `ListTrainingJobs returned ${PAGES_WITHOUT_PROGRESS} pages in a row with no job it had not already returned, each with a new token, in ${this.options.region} for account ${this.options.accountId}; the listing cannot be trusted`,
        );
      }
      if (token !== undefined && token === previousToken) {
        // The same token twice in a row is how some services say "no more pages" (the SDK's stopOnSameToken).
        this.options.onWarning?.('ListTrainingJobs returned the same pagination token twice in a row; paging stopped there', {
          region: this.options.region,
          pages,
        });
        yield { summaries };
        return;
      }
      if (token !== undefined && seenTokens.has(token)) {
        throw new CollectError(
          `ListTrainingJobs returned a pagination token it had returned pages earlier, in ${this.options.region} for account ${this.options.accountId}: the listing loops and cannot be trusted`,
        );
      }
      if (token !== undefined) seenTokens.add(token);
      previousToken = token;
      yield { summaries, nextToken: token };
      if (token === undefined) return;
    }
  }

  /** Tags of every tagged training job, 100 a call, from `startToken` on. Throws the SDK's AccessDenied when the Tagging API is denied. */
  async *tagPages(startToken?: string): AsyncIterable<TagPage> {
    const seenTokens = new Set<string>();
    const pager = paginateGetResources(
      { client: this.options.tagging, pageSize: 100, startingToken: startToken, withCommand: this.sender.gate('GetResources') },
      { ResourceTypeFilters: ['sagemaker:training-job'] },
      { abortSignal: this.options.signal },
    );
    const iterator = pager[Symbol.asyncIterator]();
    for (let pages = 1; ; pages++) {
      const next = await this.guard('GetResources', () => iterator.next());
      if (next.done) return;
      const tags = (next.value.ResourceTagMappingList ?? []).map(
        (mapping) => [mapping.ResourceARN!, Object.fromEntries((mapping.Tags ?? []).map((t) => [t.Key!, t.Value ?? '']))] as const,
      );
      const token = next.value.PaginationToken || undefined;
      const repeated = token !== undefined && seenTokens.has(token);
      if (token !== undefined) seenTokens.add(token);
      if (pages > MAX_PAGES)
        throw new CollectError(
          `GetResources returned more than ${MAX_PAGES} pages in ${this.options.region} for account ${this.options.accountId}; paging stopped`,
        );
      yield { tags, nextToken: repeated ? undefined : token };
      if (token === undefined || repeated) return;
    }
  }

  /** The job's tags by ListTags; empty when the job no longer exists. */
  async listTags(arn: string): Promise<Record<string, string>> {
    const tags: Record<string, string> = {};
    const pager = paginateListTags(
      { client: this.options.sagemaker, pageSize: 100, withCommand: this.sender.gate('ListTags'), stopOnSameToken: true },
      { ResourceArn: arn },
      { abortSignal: this.options.signal },
    );
    try {
      await this.guard('ListTags', async () => {
        for await (const page of pager) for (const tag of page.Tags ?? []) tags[tag.Key!] = tag.Value ?? '';
      });
    } catch (error) {
      if (isNotFound(error)) return tags;
      throw error;
    }
    return tags;
  }

  /**
   * One job's Describe. A job that cannot be described is an outcome, not an exception, so the caller
   * can set it aside and publish the rest; only the deadline and a stopped run throw.
   */
  async describe(name: string): Promise<DescribeOutcome> {
    let raw: unknown;
    const command = withRawJsonCapture(new DescribeTrainingJobCommand({ TrainingJobName: name }), (body) => (raw = body));
    this.sender.gate('DescribeTrainingJob', { maxTransientAttempts: DESCRIBE_TRANSIENT_ATTEMPTS })(command);
    try {
      const response = await this.guard('DescribeTrainingJob', () =>
        this.options.sagemaker.send(command, { abortSignal: this.options.signal }),
      );
      // The SDK's response metadata is not part of the job.
      const job: Partial<typeof response> = { ...response };
      delete job.$metadata;
      return { kind: 'described', job: job as DescribeTrainingJobResponse, unknownApiFields: unknownFieldPaths(raw, job) };
    } catch (error) {
      if (error instanceof TimeBudgetExhaustedError || this.options.signal.aborted) throw error;
      if (isNotFound(error)) return { kind: 'vanished' };
      const cause = (error as Error).cause;
      if (cause instanceof RetriesExhaustedError) return { kind: 'deferred', reason: cause.message };
      return { kind: 'failed', reason: describeAwsError(cause) };
    }
  }

  /** Runs one call (or one page) and turns what escapes the retries into an error naming where. */
  private async guard<T>(operation: SourceOperation, call: () => Promise<T>): Promise<T> {
    const signal = this.options.signal;
    try {
      return await call();
    } catch (error) {
      if (error instanceof CollectError) throw error;
      const reason = signal.reason as { name?: string } | undefined;
      if (signal.aborted && reason?.name === 'TimeoutError') {
        throw new TimeBudgetExhaustedError(
          `${operation} not finished in ${this.options.region} for account ${this.options.accountId}: the run's time budget ran out`,
          { cause: error },
        );
      }
      if (signal.aborted && signal.reason instanceof Error) throw signal.reason;
      const kind = classifyError(error);
      if (kind === 'throttling' || kind === 'transient') {
        // The retry strategy stops retrying these only when the next wait would pass the deadline.
        throw new TimeBudgetExhaustedError(
          `${operation} failed in ${this.options.region} for account ${this.options.accountId}: still ${kind === 'throttling' ? 'throttled' : 'failing'} when the run's time budget ran out (${describeAwsError(error)})`,
          { cause: error },
        );
      }
      throw new CollectError(
        `${operation} failed in ${this.options.region} for account ${this.options.accountId}: ${describeAwsError(error)}`,
        { cause: error },
      );
    }
  }
}
