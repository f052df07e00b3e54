import {
  GetResourcesCommand,
  type GetResourcesCommandOutput,
  type ResourceGroupsTaggingAPIClient,
} from '@aws-sdk/client-resource-groups-tagging-api';
import {
  DescribeTrainingJobCommand,
  ListTagsCommand,
  ListTrainingJobsCommand,
  type DescribeTrainingJobResponse,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { CollectError } from '../errors';
import type { TrainingJobRecord } from '../rows/training-job-row';
import { AsyncChannel } from './async-channel';
import { CallStatsRecorder, isThrottlingError, type CollectStats, type TagStrategy } from './call-stats';
import { TokenBucket } from './token-bucket';

/** Calls per second this client allows itself, per (account, region). */
export interface ApiRateLimits {
  readonly ListTrainingJobs: number;
  readonly DescribeTrainingJob: number;
  readonly ListTags: number;
  readonly GetResources: number;
}

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
  /** Epoch ms after which throttled calls are no longer retried and the run fails. @default no deadline */
  readonly deadline?: number;
  /** Cancels the run. */
  readonly signal?: AbortSignal;
  /** Warnings (repeated pagination token, tagging API denied). @default ignored */
  readonly onWarning?: (message: string, details: Record<string, unknown>) => void;
}

type Operation = keyof ApiRateLimits;

/** The part of an SDK v3 command this module touches: its own middleware stack. */
interface CommandWithStack {
  middlewareStack: { add(middleware: never, options: { step: 'finalizeRequest'; name: string; priority: 'low' }): void };
}
type Dispatch<C, Output> = (command: C, options: { abortSignal: AbortSignal }) => Promise<Output>;

const MAX_THROTTLE_BACKOFF_MS = 20_000;

/**
 * Collects every training job of one (account, region) with all Describe fields and current tags.
 * Rate limits are enforced per attempt (the SDK's retries included) by a token bucket per operation,
 * so retries never push the client over the limit; the SDK's adaptive retry handles 5xx and resets,
 * and throttled calls are retried here until the deadline. Records stream out through a bounded
 * channel as they are described.
 */
export class TrainingJobCollector {
  private readonly buckets: Record<Operation, TokenBucket>;
  private readonly calls = new CallStatsRecorder();
  private readonly concurrency: number;
  private jobsListed = 0;
  private jobsDescribed = 0;
  private jobsVanished = 0;
  private repeatedTokens = 0;
  private startedAt = 0;
  private finishedAt = 0;
  private tagStrategyUsed: TagStrategy = 'bulk';

  constructor(private readonly options: TrainingJobCollectorOptions) {
    const limits = { ...DEFAULT_RATE_LIMITS, ...options.limits };
    for (const [operation, rate] of Object.entries(limits)) {
      if (!(rate > 0) || !Number.isFinite(rate)) {
        throw new CollectError(`rate limit for ${operation} is ${rate}; allowed: a positive number of calls per second`);
      }
    }
    this.buckets = {
      ListTrainingJobs: new TokenBucket(limits.ListTrainingJobs, 1),
      DescribeTrainingJob: new TokenBucket(limits.DescribeTrainingJob, 1),
      ListTags: new TokenBucket(limits.ListTags, 1),
      GetResources: new TokenBucket(limits.GetResources, 1),
    };
    this.concurrency = options.concurrency ?? 8;
    if (!Number.isInteger(this.concurrency) || this.concurrency < 1 || this.concurrency > 64) {
      throw new CollectError(`concurrency is ${this.concurrency}; allowed: a whole number from 1 to 64`);
    }
  }

  stats(): CollectStats {
    return {
      accountId: this.options.accountId,
      region: this.options.region,
      operations: this.calls.snapshot(),
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
    const signal = this.options.signal ? AbortSignal.any([this.options.signal, abort.signal]) : abort.signal;
    // Every call in flight listens on this one signal; that is by design, not a leak.
    setMaxListeners(0, signal);

    const strategy = this.options.tagStrategy ?? 'auto';
    this.tagStrategyUsed = strategy === 'per-job' ? 'per-job' : 'bulk';
    const tagScanStartedAt = Date.now();
    const bulkTags: Promise<Map<string, Record<string, string>> | undefined> =
      strategy === 'per-job' ? Promise.resolve(undefined) : this.readAllTags(signal, strategy === 'bulk');
    // Rejections are observed by the workers; this keeps an early failure from being "unhandled".
    bulkTags.catch(() => undefined);

    const listing = this.listJobNames(names, output, signal).then(
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
        const job = await this.describe(name, signal);
        if (!job) continue;
        const tagMap = await bulkTags;
        // A job created after the bulk scan began may have tags the scan did not see: ask for them directly.
        const tags =
          tagMap && job.CreationTime!.getTime() < tagScanStartedAt - 1000
            ? (tagMap.get(job.TrainingJobArn!) ?? {})
            : await this.listTags(job.TrainingJobArn!, signal);
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

  private async listJobNames(names: AsyncChannel<string>, output: AsyncChannel<unknown>, signal: AbortSignal): Promise<void> {
    const seenTokens = new Set<string>();
    const seenArns = new Set<string>();
    let nextToken: string | undefined;
    do {
      const page = await this.send(
        'ListTrainingJobs',
        new ListTrainingJobsCommand({ MaxResults: 100, SortBy: 'CreationTime', SortOrder: 'Ascending', NextToken: nextToken }),
        (command, options) => this.options.sagemaker.send(command, options),
        signal,
      );
      for (const summary of page.TrainingJobSummaries ?? []) {
        if (seenArns.has(summary.TrainingJobArn!)) continue;
        seenArns.add(summary.TrainingJobArn!);
        this.jobsListed++;
        await names.push(summary.TrainingJobName!);
      }
      nextToken = page.NextToken;
      if (output.isClosed) return;
      if (nextToken !== undefined && seenTokens.has(nextToken)) {
        this.repeatedTokens++;
        this.options.onWarning?.('ListTrainingJobs returned a pagination token it had already returned; paging stopped', {
          region: this.options.region,
          jobsListed: this.jobsListed,
        });
        break;
      }
      if (nextToken !== undefined) seenTokens.add(nextToken);
    } while (nextToken);
  }

  private async describe(name: string, signal: AbortSignal): Promise<DescribeTrainingJobResponse | undefined> {
    try {
      const job = await this.send(
        'DescribeTrainingJob',
        new DescribeTrainingJobCommand({ TrainingJobName: name }),
        (command, options) => this.options.sagemaker.send(command, options),
        signal,
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

  private async listTags(arn: string, signal: AbortSignal): Promise<Record<string, string>> {
    const tags: Record<string, string> = {};
    let nextToken: string | undefined;
    do {
      let page;
      try {
        page = await this.send(
          'ListTags',
          new ListTagsCommand({ ResourceArn: arn, MaxResults: 100, NextToken: nextToken }),
          (command, options) => this.options.sagemaker.send(command, options),
          signal,
        );
      } catch (error) {
        if (isNotFound(error)) return tags;
        throw error;
      }
      for (const tag of page.Tags ?? []) tags[tag.Key!] = tag.Value ?? '';
      nextToken = page.NextToken;
    } while (nextToken);
    return tags;
  }

  private async readAllTags(signal: AbortSignal, required: boolean): Promise<Map<string, Record<string, string>> | undefined> {
    const tagsByArn = new Map<string, Record<string, string>>();
    const seenTokens = new Set<string>();
    let token: string | undefined;
    try {
      do {
        const page: GetResourcesCommandOutput = await this.send(
          'GetResources',
          new GetResourcesCommand({ ResourceTypeFilters: ['sagemaker:training-job'], ResourcesPerPage: 100, PaginationToken: token }),
          (command, options) => this.options.tagging.send(command, options),
          signal,
        );
        for (const mapping of page.ResourceTagMappingList ?? []) {
          tagsByArn.set(mapping.ResourceARN!, Object.fromEntries((mapping.Tags ?? []).map((t) => [t.Key!, t.Value ?? ''])));
        }
        token = page.PaginationToken || undefined;
        if (token !== undefined && seenTokens.has(token)) {
          this.repeatedTokens++;
          break;
        }
        if (token !== undefined) seenTokens.add(token);
      } while (token);
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

  /**
   * Sends one logical call. The token bucket gates every attempt (via a per-command middleware inside
   * the SDK's retry loop), and counts it; throttling that outlasts the SDK's attempts is retried
   * here with capped, jittered backoff until the deadline.
   */
  private async send<C extends CommandWithStack, Output>(
    operation: Operation,
    command: C,
    dispatch: Dispatch<C, Output>,
    signal: AbortSignal,
  ): Promise<Output> {
    const stats = this.calls.operation(operation);
    const bucket = this.buckets[operation];
    let attempt = 0;
    const deadline = this.options.deadline ?? Number.POSITIVE_INFINITY;
    const gate = (next: (args: unknown) => Promise<unknown>) => async (args: unknown) => {
        await bucket.acquire(signal);
        // Past the deadline the run must end while it can still report; a Lambda timeout would report nothing.
        if (Date.now() > deadline) {
          throw new TimeBudgetExhaustedError(
            `${operation} not sent in ${this.options.region} for account ${this.options.accountId}: the run's time budget ran out after ${this.jobsDescribed} of ${this.jobsListed} jobs listed so far were described (${this.calls.totalThrottles()} calls throttled)`,
          );
        }
        stats.calls++;
        if (attempt++ > 0) stats.retries++;
        try {
          return await next(args);
        } catch (error) {
          if (isThrottlingError(error)) {
            stats.throttles++;
            bucket.drain();
          } else {
            stats.errors++;
          }
          throw error;
        }
    };
    command.middlewareStack.add(gate as never, { step: 'finalizeRequest', name: `inventoryRateLimit${operation}`, priority: 'low' });
    for (let round = 0; ; round++) {
      try {
        return await dispatch(command, { abortSignal: signal });
      } catch (error) {
        if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : error;
        if (error instanceof TimeBudgetExhaustedError) throw error;
        const backoff = Math.random() * Math.min(MAX_THROTTLE_BACKOFF_MS, 500 * 2 ** round);
        if (isThrottlingError(error) && Date.now() + backoff < deadline) {
          await sleep(backoff, undefined, { signal });
          continue;
        }
        const why = isThrottlingError(error) ? 'still throttled when the time budget ran out' : describeAwsError(error);
        throw new CollectError(`${operation} failed in ${this.options.region} for account ${this.options.accountId}: ${why}`, { cause: error });
      }
    }
  }
}

/** The run's deadline passed before a call could be sent. Raised inside the SDK middleware, which does not retry it. */
export class TimeBudgetExhaustedError extends CollectError {}

/** `send` wraps SDK errors in CollectError; classification looks at the SDK's error underneath. */
function sdkError(error: unknown): { name?: string; message?: string } | undefined {
  return (error instanceof CollectError ? error.cause : error) as { name?: string; message?: string } | undefined;
}

function isNotFound(error: unknown): boolean {
  const e = sdkError(error);
  return e?.name === 'ResourceNotFound' || (e?.name === 'ValidationException' && /not (be )?found|does not exist/i.test(e.message ?? ''));
}

function isAccessDenied(error: unknown): boolean {
  const name = sdkError(error)?.name ?? '';
  return name === 'AccessDeniedException' || name === 'AccessDenied' || name === 'UnauthorizedOperation';
}

function describeAwsError(error: unknown): string {
  const e = error as { name?: string; message?: string; code?: string; $metadata?: { attempts?: number } };
  const attempts = e?.$metadata?.attempts ? ` after ${e.$metadata.attempts} attempts` : '';
  return `${e?.name ?? 'Error'}${e?.code && e.code !== e.name ? ` (${e.code})` : ''}: ${e?.message ?? String(error)}${attempts}`;
}
