import type { PricingClient } from '@aws-sdk/client-pricing';
import type { S3Client } from '@aws-sdk/client-s3';
import { createPricingClient, createS3Client, type ClientSettings } from '../aws/clients';
import type { InventoryConfig } from '../pipeline/config';
import { LocalSnapshotPublisher } from '../publish/local-publisher';
import type { SnapshotPublisher } from '../publish/publisher';
import { S3SnapshotPublisher } from '../publish/s3-publisher';

/** What a price snapshot talks to: the Price List API and the warehouse the training-job snapshots go to. */
export interface PriceSnapshotClients {
  readonly pricing: PricingClient;
  readonly publisher: SnapshotPublisher;
  destroy(): void;
}

/** Clients for a configuration's output (local folder or S3, with its KMS key and path style); created once per process. */
export function priceSnapshotClients(config: InventoryConfig, credentials?: ClientSettings['credentials']): PriceSnapshotClients {
  const base = { credentials, maxAttempts: config.maxAttempts };
  const pricing = createPricingClient(base);
  let s3: S3Client | undefined;
  let publisher: SnapshotPublisher;
  if (config.output.kind === 'local') {
    publisher = new LocalSnapshotPublisher(config.output.directory);
  } else {
    // S3 follows region redirects, so the first configured region serves to start from.
    s3 = createS3Client({ ...base, region: config.regions[0], forcePathStyle: config.s3ForcePathStyle });
    publisher = new S3SnapshotPublisher({ client: s3, bucket: config.output.bucket, prefix: config.output.prefix, kmsKeyArn: config.kmsKeyArn });
  }
  return {
    pricing,
    publisher,
    destroy() {
      pricing.destroy();
      s3?.destroy();
    },
  };
}
