import type { PricingClient } from '@aws-sdk/client-pricing';
import type { S3Client } from '@aws-sdk/client-s3';
import { createPricingClient, createS3Client, type ClientSettings } from '../aws/clients';
import type { InventoryConfig } from '../pipeline/config';
import { clientSettingsOf, createStore } from '../pipeline/warehouse-store';
import type { WarehouseStore } from '../publish/store';

/** What a price snapshot talks to: the Price List API and the warehouse the training-job snapshots go to. */
export interface PriceSnapshotClients {
  readonly pricing: PricingClient;
  readonly store: WarehouseStore;
  destroy(): void;
}

/** Clients for a configuration's output (local folder or S3, with its KMS key and path style); created once per process. */
export function priceSnapshotClients(config: InventoryConfig, credentials?: ClientSettings['credentials']): PriceSnapshotClients {
  const settings = clientSettingsOf(config, credentials);
  const pricing = createPricingClient(settings);
  const s3Clients: S3Client[] = [];
  return {
    pricing,
    store: createStore(config, (region) => {
      const client = createS3Client({ ...settings, region });
      s3Clients.push(client);
      return client;
    }),
    destroy() {
      pricing.destroy();
      for (const client of s3Clients) client.destroy();
    },
  };
}
