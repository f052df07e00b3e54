import { offsetPage, pageSize } from '../paging';
import type { TrainingJobPlan } from '../world/job-generator';
import type { SimulatedWorld } from '../world/simulated-world';
import { THROTTLING, type CallContext, type OperationDefinition } from './operation';

/** The Resource Groups Tagging API's GetResources, for training jobs. */
export const TAGGING_OPERATIONS = {
  GetResources: { protocol: 'json', throttlingError: THROTTLING.tagging, answer: getResources },
} satisfies Record<string, OperationDefinition>;

/** Tagged jobs per (account, region), kept while the world is unchanged, as every page would otherwise scan them all. */
const tagged = new WeakMap<SimulatedWorld, { version: number; byTarget: Map<string, TrainingJobPlan[]> }>();

function taggedPlans(world: SimulatedWorld, accountId: string, region: string): TrainingJobPlan[] {
  let cache = tagged.get(world);
  if (!cache || cache.version !== world.version()) {
    cache = { version: world.version(), byTarget: new Map() };
    tagged.set(world, cache);
  }
  let plans = cache.byTarget.get(`${accountId}/${region}`);
  if (!plans) {
    plans = world.plans(accountId, region).filter((plan) => Object.keys(plan.tags).length > 0);
    cache.byTarget.set(`${accountId}/${region}`, plans);
  }
  return plans;
}

function getResources(input: Record<string, unknown>, { world, accountId, region }: CallContext): unknown {
  const types = (input.ResourceTypeFilters as string[] | undefined) ?? [];
  if (types.length > 0 && !types.includes('sagemaker:training-job')) return { ResourceTagMappingList: [], PaginationToken: '' };
  // The Tagging API returns only resources that have at least one tag.
  const tagged = taggedPlans(world, accountId, region);
  const { page, nextToken } = offsetPage(tagged, input.PaginationToken, pageSize(input.ResourcesPerPage, 50, 100));
  return {
    ResourceTagMappingList: page.map((plan) => ({
      ResourceARN: plan.arn,
      Tags: Object.entries(plan.tags).map(([Key, Value]) => ({ Key, Value })),
    })),
    PaginationToken: nextToken ?? '',
  };
}
