import { offsetPage, pageSize } from '../paging';
import { THROTTLING, type CallContext, type OperationDefinition } from './operation';

/** The Resource Groups Tagging API's GetResources, for training jobs. */
export const TAGGING_OPERATIONS = {
  GetResources: { protocol: 'json', throttlingError: THROTTLING.tagging, answer: getResources },
} satisfies Record<string, OperationDefinition>;

function getResources(input: Record<string, unknown>, { world, accountId, region }: CallContext): unknown {
  const types = (input.ResourceTypeFilters as string[] | undefined) ?? [];
  if (types.length > 0 && !types.includes('sagemaker:training-job')) return { ResourceTagMappingList: [], PaginationToken: '' };
  // The Tagging API returns only resources that have at least one tag.
  const tagged = world.plans(accountId, region).filter((plan) => Object.keys(plan.tags).length > 0);
  const { page, nextToken } = offsetPage(tagged, input.PaginationToken, pageSize(input.ResourcesPerPage, 50, 100));
  return {
    ResourceTagMappingList: page.map((plan) => ({ ResourceARN: plan.arn, Tags: Object.entries(plan.tags).map(([Key, Value]) => ({ Key, Value })) })),
    PaginationToken: nextToken ?? '',
  };
}
