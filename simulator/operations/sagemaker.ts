import type { DescribeTrainingJobResponse, TrainingJobSummary } from '@aws-sdk/client-sagemaker';
import { keysetPage, offsetPage, pageSize } from '../paging';
import { AwsError, validation } from '../protocol';
import type { SimulatedWorld } from '../world/simulated-world';
import { THROTTLING, type CallContext, type OperationDefinition } from './operation';

/** SageMaker's training-job reads: ListTrainingJobs, DescribeTrainingJob, ListTags. */
export const SAGEMAKER_OPERATIONS = {
  ListTrainingJobs: { protocol: 'json', throttlingError: THROTTLING.sagemaker, answer: listTrainingJobs },
  DescribeTrainingJob: { protocol: 'json', throttlingError: THROTTLING.sagemaker, answer: describeTrainingJob },
  ListTags: { protocol: 'json', throttlingError: THROTTLING.sagemaker, answer: listTags },
} satisfies Record<string, OperationDefinition>;

const SORT_KEYS = ['Name', 'CreationTime', 'Status'];

type ListItem = { key: string; job: DescribeTrainingJobResponse };

/** The sorted, filtered jobs of one listing, kept while the world is unchanged: every page of a 100,000-job listing would otherwise sort them all again. */
const listings = new WeakMap<SimulatedWorld, { version: number; byQuery: Map<string, ListItem[]> }>();

function listItems(
  world: SimulatedWorld,
  accountId: string,
  region: string,
  input: Record<string, unknown>,
  sortBy: string,
  descending: boolean,
): ListItem[] {
  let cache = listings.get(world);
  if (!cache || cache.version !== world.version()) {
    cache = { version: world.version(), byQuery: new Map() };
    listings.set(world, cache);
  }
  // Paging arguments do not change which jobs are listed, or their order.
  const query = Object.entries(input).filter(([name]) => name !== 'NextToken' && name !== 'MaxResults');
  const cacheKey = JSON.stringify([accountId, region, sortBy, descending, query]);
  let items = cache.byQuery.get(cacheKey);
  if (!items) {
    const sortKey = (job: DescribeTrainingJobResponse): string =>
      sortBy === 'Name'
        ? job.TrainingJobName!
        : sortBy === 'Status'
          ? `${job.TrainingJobStatus}`
          : String(job.CreationTime!.getTime()).padStart(15, '0');
    items = world
      .plans(accountId, region)
      .map((plan) => world.describe(plan))
      .filter((job) => matchesListFilters(job, input))
      .map((job) => ({ key: `${sortKey(job)}\u0000${job.TrainingJobArn}`, job }));
    cache.byQuery.set(cacheKey, items);
  }
  return items;
}

function listTrainingJobs(input: Record<string, unknown>, { world, accountId, region }: CallContext): unknown {
  const maxResults = pageSize(input.MaxResults, 10, 100);
  const sortBy = String(input.SortBy ?? 'CreationTime');
  const descending = (input.SortOrder ?? 'Descending') === 'Descending';
  if (!SORT_KEYS.includes(sortBy)) throw validation(`SortBy ${sortBy} is not one of ${SORT_KEYS.join(', ')}`);
  const { page, nextToken } = keysetPage(
    listItems(world, accountId, region, input, sortBy, descending),
    input.NextToken,
    maxResults,
    descending,
  );
  return {
    TrainingJobSummaries: page.map(({ job }): TrainingJobSummary => ({
      TrainingJobName: job.TrainingJobName,
      TrainingJobArn: job.TrainingJobArn,
      CreationTime: job.CreationTime,
      TrainingEndTime: job.TrainingEndTime,
      LastModifiedTime: job.LastModifiedTime,
      TrainingJobStatus: job.TrainingJobStatus,
      SecondaryStatus: job.SecondaryStatus,
      WarmPoolStatus: job.WarmPoolStatus,
    })),
    ...(nextToken ? { NextToken: nextToken } : {}),
  };
}

function describeTrainingJob(input: Record<string, unknown>, { world, accountId, region }: CallContext): unknown {
  const plan = world.findByName(accountId, region, String(input.TrainingJobName ?? ''));
  if (!plan) throw new AwsError(400, 'ResourceNotFound', 'Requested resource not found.');
  return world.describe(plan);
}

function listTags(input: Record<string, unknown>, { world, accountId, region }: CallContext): unknown {
  const plan = world.findByArn(accountId, region, String(input.ResourceArn ?? ''));
  if (!plan) throw validation(`Resource ${String(input.ResourceArn)} does not exist.`);
  const tags = Object.entries(plan.tags).map(([Key, Value]) => ({ Key, Value }));
  const { page, nextToken } = offsetPage(tags, input.NextToken, pageSize(input.MaxResults, 50, 100));
  return { Tags: page, ...(nextToken ? { NextToken: nextToken } : {}) };
}

function epochMs(value: unknown): number | undefined {
  return typeof value === 'number' ? value * 1000 : typeof value === 'string' ? Date.parse(value) : undefined;
}

function matchesListFilters(job: DescribeTrainingJobResponse, input: Record<string, unknown>): boolean {
  const created = job.CreationTime!.getTime();
  const modified = job.LastModifiedTime?.getTime() ?? created;
  const bounds: [number | undefined, number, 'after' | 'before'][] = [
    [epochMs(input.CreationTimeAfter), created, 'after'],
    [epochMs(input.CreationTimeBefore), created, 'before'],
    [epochMs(input.LastModifiedTimeAfter), modified, 'after'],
    [epochMs(input.LastModifiedTimeBefore), modified, 'before'],
  ];
  for (const [bound, value, side] of bounds) {
    if (bound !== undefined && (side === 'after' ? !(value > bound) : !(value < bound))) return false;
  }
  if (input.StatusEquals && job.TrainingJobStatus !== input.StatusEquals) return false;
  if (input.NameContains && !job.TrainingJobName!.includes(String(input.NameContains))) return false;
  return true;
}
