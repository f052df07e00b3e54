import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { AwsClientPool } from '../aws/client-pool';
import { describeError, InventoryError } from '../errors';
import type { InventoryConfig } from './config';
import { organizationAccounts, type CallerIdentity, type SkippedAccount } from './organization-targets';

export type { SkippedAccount } from './organization-targets';

/** One (account, region) of a run. */
export interface SnapshotTarget {
  readonly accountId: string;
  readonly region: string;
  /** Undefined: the caller's own credentials. */
  readonly roleArn?: string;
}

/** The targets of a run, and the accounts left out of it with the reason. */
export interface ResolvedTargets {
  readonly targets: SnapshotTarget[];
  readonly skipped: SkippedAccount[];
}

async function callerIdentity(pool: AwsClientPool, region: string): Promise<CallerIdentity> {
  try {
    const identity = await pool.source(region).sts.send(new GetCallerIdentityCommand({}));
    return { accountId: identity.Account!, arn: identity.Arn ?? '' };
  } catch (error) {
    throw new InventoryError(`cannot identify the caller's account with sts:GetCallerIdentity in ${region}: ${describeError(error)}`, {
      cause: error,
    });
  }
}

/**
 * Every (account, region) to snapshot: the caller's account (from STS), the configured roles' (from
 * their ARNs), and the organization's accounts whose role could be assumed, each once.
 */
export async function resolveTargetSet(config: InventoryConfig, pool: AwsClientPool): Promise<ResolvedTargets> {
  const region = config.regions[0];
  const accounts: { accountId: string; roleArn?: string }[] = [];
  const caller = config.includeCallerAccount || config.organization ? await callerIdentity(pool, region) : undefined;
  if (config.includeCallerAccount) accounts.push({ accountId: caller!.accountId });
  for (const roleArn of config.roleArns) accounts.push({ accountId: roleArn.split(':')[4], roleArn });
  let skipped: SkippedAccount[] = [];
  if (config.organization) {
    const organization = await organizationAccounts(pool, region, config.organization, caller!);
    accounts.push(...organization.reachable);
    skipped = organization.skipped;
  }
  const seen = new Set<string>();
  const targets = accounts
    .filter((account) => !seen.has(account.accountId) && seen.add(account.accountId))
    .flatMap((account) => config.regions.map((region) => ({ ...account, region })));
  return { targets, skipped };
}

/** The targets of `resolveTargetSet`; each skipped account goes to `onSkipped`. */
export async function resolveTargets(
  config: InventoryConfig,
  pool: AwsClientPool,
  onSkipped?: (account: SkippedAccount) => void,
): Promise<SnapshotTarget[]> {
  const { targets, skipped } = await resolveTargetSet(config, pool);
  for (const account of skipped) onSkipped?.(account);
  return targets;
}
