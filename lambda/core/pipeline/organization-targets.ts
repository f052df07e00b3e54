import { paginateListAccounts, type Account } from '@aws-sdk/client-organizations';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { AwsClientPool } from '../aws/client-pool';
import { describeAwsError, isAccessDenied } from '../aws/error-classification';
import { mapWithConcurrency } from '../collect/concurrency';
import { describeError, InventoryError } from '../errors';
import type { OrganizationTargetSettings } from './config';

/** An account left out of a run, and why; reported, never fatal to the others. */
export interface SkippedAccount {
  readonly accountId: string;
  readonly roleArn?: string;
  readonly reason: string;
}

/** An organization account whose role was assumed: the run snapshots it through `roleArn`. */
export interface ReachableAccount {
  readonly accountId: string;
  readonly roleArn: string;
}

/** The caller, as STS names it: the account the run's own credentials belong to. */
export interface CallerIdentity {
  readonly accountId: string;
  readonly arn: string;
}

/** organizations:ListAccounts was refused, or the caller's account is not in an organization. */
export class OrganizationAccessError extends InventoryError {}

const ACTIVE = 'ACTIVE';
/** AssumeRole probes in flight at once: STS allows far more, but an organization's worth at once gains nothing. */
const PROBE_CONCURRENCY = 8;

/** `aws`, `aws-cn`, `aws-us-gov`, from any ARN. */
function partitionOf(arn: string | undefined): string | undefined {
  return arn?.split(':')[1] || undefined;
}

/** ACTIVE by `State` (the current field) or, from older answers, `Status`; suspended, closed or pending accounts are not. */
function isActive(account: Account): boolean {
  return (account.State ?? account.Status) === ACTIVE;
}

/**
 * Every account of the organization, page by page (`ListAccounts` returns at most 20 at a time). It
 * answers only in the management account or a delegated administrator; a refusal is an error that
 * names the caller and the permission, since no account can be snapshotted without it.
 */
async function listAccounts(pool: AwsClientPool, region: string, caller: CallerIdentity): Promise<Account[]> {
  const accounts: Account[] = [];
  try {
    for await (const page of paginateListAccounts({ client: pool.organizations(region) }, {})) accounts.push(...(page.Accounts ?? []));
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name === 'AWSOrganizationsNotInUseException') {
      throw new OrganizationAccessError(
        `account ${caller.accountId} is not in an AWS Organization, so it has no accounts to list; allowed: SM_INVENTORY_ORGANIZATION=true only in an organization's management account or a delegated administrator (${describeAwsError(error)})`,
        { cause: error },
      );
    }
    if (isAccessDenied(error)) {
      throw new OrganizationAccessError(
        `organizations:ListAccounts was denied to ${caller.arn} in account ${caller.accountId}: listing the organization's accounts needs the organization's management account or a delegated administrator, ` +
          `and organizations:ListAccounts allowed to this role (${describeAwsError(error)})`,
        { cause: error },
      );
    }
    throw new OrganizationAccessError(`organizations:ListAccounts failed for account ${caller.accountId}: ${describeAwsError(error)}`, {
      cause: error,
    });
  }
  return accounts;
}

/**
 * The organization's accounts to snapshot: ACTIVE ones, narrowed by the include and exclude lists,
 * less the caller's own account (its own credentials serve it, when the run includes it). Each is
 * probed by assuming its role once; one that cannot be assumed (role not deployed yet, trust policy
 * missing, an SCP) is reported in `skipped` with the reason and left out, so the others still run.
 */
export async function organizationAccounts(
  pool: AwsClientPool,
  region: string,
  settings: OrganizationTargetSettings,
  caller: CallerIdentity,
): Promise<{ reachable: ReachableAccount[]; skipped: SkippedAccount[] }> {
  const listed = await listAccounts(pool, region, caller);
  const active = listed.filter((account) => account.Id !== undefined && isActive(account));
  const skipped: SkippedAccount[] = [];
  for (const accountId of settings.includeAccounts) {
    const found = listed.find((account) => account.Id === accountId);
    if (!found) skipped.push({ accountId, reason: 'listed in SM_INVENTORY_ORGANIZATION_ACCOUNTS but not an account of the organization' });
    else if (!isActive(found))
      skipped.push({
        accountId,
        reason: `listed in SM_INVENTORY_ORGANIZATION_ACCOUNTS but ${found.State ?? found.Status ?? 'not ACTIVE'} in the organization`,
      });
  }
  const chosen = active.filter(
    (account) =>
      account.Id !== caller.accountId &&
      (settings.includeAccounts.length === 0 || settings.includeAccounts.includes(account.Id!)) &&
      !settings.excludeAccounts.includes(account.Id!),
  );
  const probed = await mapWithConcurrency(chosen, PROBE_CONCURRENCY, async (account): Promise<ReachableAccount | SkippedAccount> => {
    const partition = partitionOf(account.Arn) ?? partitionOf(caller.arn) ?? 'aws';
    const roleArn = `arn:${partition}:iam::${account.Id}:role/${settings.roleName}`;
    try {
      // Any call through the role's credentials makes the SDK assume it; the clients are kept for the run.
      await pool.source(region, roleArn).sts.send(new GetCallerIdentityCommand({}));
      return { accountId: account.Id!, roleArn };
    } catch (error) {
      return { accountId: account.Id!, roleArn, reason: `cannot assume ${roleArn}: ${describeError(error)}` };
    }
  });
  const unreachable = (result: ReachableAccount | SkippedAccount): result is SkippedAccount => 'reason' in result;
  skipped.push(...probed.filter(unreachable));
  return { reachable: probed.filter((result): result is ReachableAccount => !unreachable(result)), skipped };
}
