import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { AwsClientPool } from '../aws/client-pool';
import { describeError, InventoryError } from '../errors';
import type { InventoryConfig } from './config';

/** One (account, region) of a run. */
export interface SnapshotTarget {
  readonly accountId: string;
  readonly region: string;
  /** Undefined: the caller's own credentials. */
  readonly roleArn?: string;
}

/** Every (account, region) to snapshot. The caller's account comes from STS; a role's from its ARN. */
export async function resolveTargets(config: InventoryConfig, pool: AwsClientPool): Promise<SnapshotTarget[]> {
  const accounts: { accountId: string; roleArn?: string }[] = [];
  if (config.includeCallerAccount) {
    const region = config.regions[0];
    try {
      const identity = await pool.source(region).sts.send(new GetCallerIdentityCommand({}));
      accounts.push({ accountId: identity.Account! });
    } catch (error) {
      throw new InventoryError(`cannot identify the caller's account with sts:GetCallerIdentity in ${region}: ${describeError(error)}`, { cause: error });
    }
  }
  for (const roleArn of config.roleArns) accounts.push({ accountId: roleArn.split(':')[4], roleArn });
  const seen = new Set<string>();
  return accounts
    .filter((account) => !seen.has(account.accountId) && seen.add(account.accountId))
    .flatMap((account) => config.regions.map((region) => ({ ...account, region })));
}
