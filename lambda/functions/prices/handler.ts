import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { PRICES_SERVICE_NAME } from '../../core/names';
import { readConfig, readSnapshotDate } from '../../core/pipeline/config';
import { priceSnapshotClients } from '../../core/pricing/price-clients';
import { runPriceSnapshot } from '../../core/pricing/price-snapshot';
import { utcDate } from '../../core/publish/layout';

const logger = new Logger({ serviceName: PRICES_SERVICE_NAME });
// Read and checked once per cold start (regions, output, KMS key), the same variables the snapshot function reads.
const config = readConfig(process.env);
// Created once; warm invocations reuse the clients and their connections.
const clients = priceSnapshotClients(config);

/** The scheduled event; `snapshotDate` lets an operator re-read the prices for one date. */
export interface PriceRefreshEvent {
  readonly snapshotDate?: string;
}

export interface PriceRefreshResult {
  readonly snapshotDate: string;
  readonly location: string;
  readonly prices: number;
}

export async function handler(event: PriceRefreshEvent | undefined, context: Context): Promise<PriceRefreshResult> {
  logger.addContext(context);
  const snapshotDate = readSnapshotDate(event?.snapshotDate, utcDate(new Date()));
  try {
    const report = await runPriceSnapshot({
      pricing: clients.pricing,
      store: clients.store,
      regions: config.regions,
      snapshotDate,
      compression: config.compression,
    });
    logger.info('price snapshot written', {
      snapshotDate,
      location: report.location,
      bytes: report.bytes,
      prices: report.prices.length,
      productsRead: report.productsRead,
      durationMs: report.durationMs,
    });
    return { snapshotDate, location: report.location, prices: report.prices.length };
  } catch (error) {
    // Nothing was published: the previous price snapshot stays the one the cost view uses.
    logger.error('price snapshot not written', { snapshotDate, error: error as Error });
    throw error;
  }
}
