import type { S3Client } from '@aws-sdk/client-s3';
import type { ClientSettings } from '../aws/clients';
import { LocalStore } from '../publish/local-store';
import { S3Store } from '../publish/s3-store';
import type { WarehouseStore } from '../publish/store';
import type { InventoryConfig } from './config';

/** What every client of a configuration shares (all but the region and the run's deadline). */
export function clientSettingsOf(
  config: InventoryConfig,
  credentials?: ClientSettings['credentials'],
): Omit<ClientSettings, 'region' | 'budget'> {
  return {
    credentials,
    maxAttempts: config.maxAttempts,
    forcePathStyle: config.s3ForcePathStyle,
    attemptTimeoutMs: config.requestTimeoutSeconds * 1000,
  };
}

/** The configuration's warehouse: a local folder, or S3 through the client `s3For` gives for a region. */
export function createStore(config: InventoryConfig, s3For: (region: string) => S3Client): WarehouseStore {
  if (config.output.kind === 'local') return new LocalStore(config.output.directory);
  // S3 follows region redirects, so the first configured region serves to start from.
  return new S3Store({
    client: s3For(config.regions[0]),
    bucket: config.output.bucket,
    prefix: config.output.prefix,
    kmsKeyArn: config.kmsKeyArn,
  });
}
