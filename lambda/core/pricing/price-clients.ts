import type { PricingClient } from '@aws-sdk/client-pricing';
import { createPricingClient, type ClientSettings } from '../aws/clients';
import type { InventoryConfig } from '../pipeline/config';
import { clientPoolFor, createStore } from '../pipeline/snapshot';
import type { WarehouseStore } from '../publish/store';

/** What a price snapshot talks to: the Price List API and the warehouse the training-job snapshots go to. */
export interface PriceSnapshotClients {
  readonly pricing: PricingClient;
  readonly store: WarehouseStore;
  destroy(): void;
}

/** Clients for a configuration's output (local folder or S3, with its KMS key and path style); created once per process. */
export function priceSnapshotClients(config: InventoryConfig, credentials?: ClientSettings['credentials']): PriceSnapshotClients {
  const pricing = createPricingClient({ credentials, maxAttempts: config.maxAttempts });
  const pool = clientPoolFor(config, credentials);
  return {
    pricing,
    store: createStore(config, pool),
    destroy() {
      pricing.destroy();
      pool.destroy();
    },
  };
}
