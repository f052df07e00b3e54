import {
  paginateGetResources,
  type ResourceGroupsTaggingAPIClient,
  type ResourceTagMapping,
  type Tag,
} from '@aws-sdk/client-resource-groups-tagging-api';
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
import { TRAINING_JOB_ARN_PATTERN, type SourceOperation } from '../names';
import { DEFAULT_RATE_LIMITS, RateLimitedSender, type ApiRateLimits } from './rate-limited-sender';
import { PageBounds, requiredList } from './page-bounds';
import { unknownFieldPaths, withRawJsonCapture } from './raw-fields';
import type { CallObserver } from './stall-watch';
import { SETTINGS } from '../settings/settings';

/** Attempts one Describe gets for a 5xx or reset before its job is deferred; throttling has its own cap (jobThrottleAttempts). */
export const DESCRIBE_TRANSIENT_ATTEMPTS = 8;
/** Summaries asked for per ListTrainingJobs page: the most the API returns. */
export const LIST_PAGE_SIZE = 100;

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
  /** Applied to every job's tags as they arrive, so a secret in a tag is never held, saved or logged. @default tags kept as they are */
  readonly redactTags?: (tags: Record<string, string>) => Record<string, string>;
  /** Throttled attempts one job's Describe gets, once Describe has succeeded for other jobs, before the job is deferred. @default SETTINGS.jobThrottleAttempts.default */
  readonly jobThrottleAttempts?: number;
  /** Told of every attempt's outcome (the stall watch). @default none */
  readonly observer?: CallObserver;
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
  /** Failed in a way a retry later may fix (5xx, resets or throttling of this one job beyond this call's attempts). */
  | { readonly kind: 'deferred'; readonly reason: string }
  /** Failed in a way no retry will fix for this job (the service rejects the request for it). */
  | { readonly kind: 'failed'; readonly reason: string };

/** A value from an answer, quoted and cut short for a message. */
function quoted(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 120 ? `${text.slice(0, 117)}…` : text;
}

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
    this.sender = new RateLimitedSender(limits, options.signal, options.observer);
  }

  get region(): string {
    return this.options.region;
  }

  get accountId(): string {
    return this.options.accountId;
  }

  /** "in us-east-1 for account 123456789012", for messages. */
  private get where(): string {
    return `in ${this.options.region} for account ${this.options.accountId}`;
  }

  /**
   * Every job's summary, oldest first, from `startToken` on; with `modifiedAfter`, only the jobs
   * modified after that time. Paging is bounded by PageBounds; a page without its list of summaries
   * fails the listing.
   */
  async *summaryPages(startToken?: string, modifiedAfter?: Date): AsyncIterable<SummaryPage> {
    const bounds = new PageBounds('ListTrainingJobs', this.where, startToken, 'job');
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
      const summaries = requiredList<TrainingJobSummary>(
        'ListTrainingJobs',
        'TrainingJobSummaries',
        next.value.TrainingJobSummaries,
        this.where,
      );
      const token = next.value.NextToken || undefined;
      const verdict = bounds.check(
        summaries.map((summary) => summary.TrainingJobName),
        token,
      );
      if (verdict === 'repeated') this.warnRepeated(bounds);
      yield verdict === 'more' ? { summaries, nextToken: token } : { summaries };
      if (verdict !== 'more') return;
    }
  }

  /** Tags of every tagged training job, 100 a call, from `startToken` on, bounded as the listing is. Throws the SDK's AccessDenied when the Tagging API is denied. */
  async *tagPages(startToken?: string): AsyncIterable<TagPage> {
    const bounds = new PageBounds('GetResources', this.where, startToken, 'tagged resource');
    const pager = paginateGetResources(
      { client: this.options.tagging, pageSize: 100, startingToken: startToken, withCommand: this.sender.gate('GetResources') },
      { ResourceTypeFilters: ['sagemaker:training-job'] },
      { abortSignal: this.options.signal },
    );
    const iterator = pager[Symbol.asyncIterator]();
    for (;;) {
      const next = await this.guard('GetResources', () => iterator.next());
      if (next.done) return;
      const mappings = requiredList<ResourceTagMapping>(
        'GetResources',
        'ResourceTagMappingList',
        next.value.ResourceTagMappingList,
        this.where,
      );
      const tags = mappings.map((mapping) => {
        if (typeof mapping?.ResourceARN !== 'string')
          throw new CollectError(`GetResources answered a resource without its ResourceARN ${this.where}; the answer cannot be trusted`);
        return [mapping.ResourceARN, this.tagMap('GetResources', mapping.Tags)] as const;
      });
      const token = next.value.PaginationToken || undefined;
      const verdict = bounds.check(
        tags.map(([arn]) => arn),
        token,
      );
      if (verdict === 'repeated') this.warnRepeated(bounds);
      yield verdict === 'more' ? { tags, nextToken: token } : { tags };
      if (verdict !== 'more') return;
    }
  }

  /** The job's tags by ListTags, bounded as the listing is; empty when the job no longer exists. */
  async listTags(arn: string): Promise<Record<string, string>> {
    const tags: Record<string, string> = {};
    const bounds = new PageBounds('ListTags', `for ${arn}`, undefined, 'tag');
    const pager = paginateListTags(
      { client: this.options.sagemaker, pageSize: 100, withCommand: this.sender.gate('ListTags') },
      { ResourceArn: arn },
      { abortSignal: this.options.signal },
    );
    try {
      await this.guard('ListTags', async () => {
        for await (const page of pager) {
          const pageTags = this.tagMap('ListTags', page.Tags);
          Object.assign(tags, pageTags);
          const verdict = bounds.check(Object.keys(pageTags), page.NextToken || undefined);
          if (verdict === 'repeated') this.warnRepeated(bounds);
          if (verdict !== 'more') return;
        }
      });
    } catch (error) {
      if (isNotFound(error)) return tags;
      throw error;
    }
    return tags;
  }

  private warnRepeated(bounds: PageBounds): void {
    this.options.onWarning?.(bounds.repeatedMessage(), { region: this.options.region, pages: bounds.pageCount });
  }

  /** A list of tags as a map, redacted; a list or tag of the wrong shape is an error, never a tag lost in silence. */
  private tagMap(operation: SourceOperation, list: unknown): Record<string, string> {
    const tags: Record<string, string> = {};
    for (const tag of requiredList<Tag>(operation, 'Tags', list, this.where)) {
      if (typeof tag?.Key !== 'string' || (tag.Value !== undefined && typeof tag.Value !== 'string'))
        throw new CollectError(
          `${operation} answered a tag that is not a Key and a Value of text ${this.where}; the answer cannot be trusted`,
        );
      tags[tag.Key] = tag.Value ?? '';
    }
    return this.options.redactTags ? this.options.redactTags(tags) : tags;
  }

  /**
   * One job's Describe. A job that cannot be described is an outcome, not an exception, so the caller
   * can set it aside and publish the rest; only the deadline and a stopped run throw. An answer is
   * taken only for the job asked for: its name, and the ARN the listing gave (`listedArn`), in this
   * account and region.
   */
  async describe(name: string, listedArn?: string): Promise<DescribeOutcome> {
    let raw: unknown;
    const command = withRawJsonCapture(new DescribeTrainingJobCommand({ TrainingJobName: name }), (body) => (raw = body));
    this.sender.gate('DescribeTrainingJob', {
      maxTransientAttempts: DESCRIBE_TRANSIENT_ATTEMPTS,
      maxThrottledAttempts: this.options.jobThrottleAttempts ?? SETTINGS.jobThrottleAttempts.default,
    })(command);
    try {
      const response = await this.guard('DescribeTrainingJob', () =>
        this.options.sagemaker.send(command, { abortSignal: this.options.signal }),
      );
      // The SDK's response metadata is not part of the job.
      const job: Partial<typeof response> = { ...response };
      delete job.$metadata;
      const mismatch = this.identityMismatch(job, name, listedArn, raw);
      if (mismatch) return { kind: 'failed', reason: mismatch };
      return { kind: 'described', job: job as DescribeTrainingJobResponse, unknownApiFields: unknownFieldPaths(raw, job) };
    } catch (error) {
      if (error instanceof TimeBudgetExhaustedError || this.options.signal.aborted) throw error;
      if (isNotFound(error)) return { kind: 'vanished' };
      const cause = (error as Error).cause;
      if (cause instanceof RetriesExhaustedError) return { kind: 'deferred', reason: cause.message };
      return { kind: 'failed', reason: describeAwsError(cause) };
    }
  }

  /**
   * Why an answer is not the job asked for, or undefined when it is. A malformed ARN is left to the row
   * mapper, which names it.
   */
  private identityMismatch(
    job: Partial<DescribeTrainingJobResponse>,
    name: string,
    listedArn: string | undefined,
    raw: unknown,
  ): string | undefined {
    const errorType = (raw as { __type?: unknown } | undefined)?.__type;
    if (job.TrainingJobName === undefined && typeof errorType === 'string')
      return `DescribeTrainingJob answered ${JSON.stringify(name)} with an error body (${quoted(errorType)}) sent as success`;
    if (job.TrainingJobName !== name)
      return `DescribeTrainingJob for ${JSON.stringify(name)} answered for ${job.TrainingJobName === undefined ? 'no job (TrainingJobName is missing)' : `another job, ${quoted(job.TrainingJobName)}`}`;
    const arn = TRAINING_JOB_ARN_PATTERN.exec(job.TrainingJobArn ?? '');
    if (!arn) return undefined;
    const [, region, account, arnName] = arn;
    if (region !== this.options.region)
      return `TrainingJobArn is in region ${region}, but the job was collected from region ${this.options.region}`;
    if (account !== this.options.accountId)
      return `DescribeTrainingJob for ${JSON.stringify(name)} answered with an ARN of account ${account}, not of account ${this.options.accountId} that was asked`;
    if (arnName.toLowerCase() !== name.toLowerCase() || (listedArn !== undefined && job.TrainingJobArn !== listedArn))
      return `DescribeTrainingJob for ${JSON.stringify(name)} answered with the ARN ${quoted(job.TrainingJobArn!)}, not ${listedArn ?? `one of training-job/${name.toLowerCase()}`}`;
    return undefined;
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
