import { offsetPage, pageSize } from '../paging';
import { AwsError } from '../protocol';
import { THROTTLING, type CallContext, type OperationDefinition } from './operation';
import { DEFAULT_ACCOUNT } from './sts';

/** The simulated organization's id; its management account is the default caller's. */
const ORGANIZATION_ID = 'o-simulated01';
const JOINED = new Date(Date.UTC(2024, 0, 15));

/** AWS Organizations' ListAccounts (AWS JSON 1.1, target `AWSOrganizationsV20161128.ListAccounts`). */
export const ORGANIZATIONS_OPERATIONS = {
  ListAccounts: { protocol: 'json', throttlingError: THROTTLING.organizations, answer: listAccounts },
} satisfies Record<string, OperationDefinition>;

/**
 * Every account of the organization, 20 at most per page as AWS pages them. Only the management
 * account may call it here (a delegated administrator is an AWS-side setting the simulator has no
 * use for); any other caller is denied the way AWS denies it.
 */
function listAccounts(input: Record<string, unknown>, { world, accountId }: CallContext): unknown {
  if (accountId !== DEFAULT_ACCOUNT)
    throw new AwsError(400, 'AccessDeniedException', "You don't have permissions to access this resource.");
  const members = world.organizationMembers(DEFAULT_ACCOUNT);
  const { page, nextToken } = offsetPage(members, input.NextToken, pageSize(input.MaxResults, 20, 20));
  return {
    Accounts: page.map(({ accountId: id, state }) => ({
      Id: id,
      Arn: `arn:aws:organizations::${DEFAULT_ACCOUNT}:account/${ORGANIZATION_ID}/${id}`,
      Email: `aws+${id}@example.com`,
      Name: id === DEFAULT_ACCOUNT ? 'management' : `member-${id.slice(-4)}`,
      Status: state,
      State: state,
      JoinedMethod: id === DEFAULT_ACCOUNT ? 'CREATED' : 'INVITED',
      JoinedTimestamp: JOINED,
    })),
    ...(nextToken ? { NextToken: nextToken } : {}),
  };
}
