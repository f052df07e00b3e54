import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { AwsClientPool } from '../aws/client-pool';
import type { InventoryConfig } from '../pipeline/config';
import { clientPoolFor } from '../pipeline/snapshot';
import { resolveTargetSet, type SnapshotTarget } from '../pipeline/targets';
import { createStore } from '../pipeline/warehouse-store';
import { applyStateChanges, type ChangeBatchReport } from './apply-changes';

export interface ChangeBatchRunOptions {
  /** Clients to use and keep (a warm Lambda passes the same pool each time). @default a pool for this batch, destroyed after it */
  readonly clients?: AwsClientPool;
  /** The caller's credentials. @default the SDK's default chain */
  readonly credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** The configured targets, when already resolved (a warm Lambda keeps them). @default resolved as a snapshot resolves them */
  readonly targets?: readonly SnapshotTarget[];
  /** Epoch ms by which the batch must be done. @default now + the configured time budget */
  readonly deadline?: number;
  readonly onWarning?: (message: string, details: Record<string, unknown>) => void;
}

/**
 * One batch of events against a configuration, as `sm-inventory apply-events` runs it
 * (and an events function consuming a queue of them would): the same targets a snapshot has (an event of any other account or region is refused),
 * the same clients and rate limits, the same warehouse.
 */
export async function runChangeBatch(
  config: InventoryConfig,
  events: readonly unknown[],
  options: ChangeBatchRunOptions = {},
): Promise<ChangeBatchReport> {
  const pool = options.clients ?? clientPoolFor(config, options.credentials);
  try {
    const targets = options.targets ?? (await resolveTargetSet(config, pool)).targets;
    return await applyStateChanges(events, {
      store: createStore(config, (region) => pool.s3(region)),
      pool,
      targets,
      config,
      deadline: Math.min(options.deadline ?? Number.POSITIVE_INFINITY, Date.now() + config.timeBudgetSeconds * 1000),
      onWarning: options.onWarning,
    });
  } finally {
    if (!options.clients) pool.destroy();
  }
}
