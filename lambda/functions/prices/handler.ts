import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { METRIC, METRICS_NAMESPACE, PRICES_SERVICE_NAME } from '../../core/names';
import { readConfig, readSnapshotDate } from '../../core/pipeline/config';
import { priceSnapshotClients } from '../../core/pricing/price-clients';
import { runPriceSnapshot } from '../../core/pricing/price-snapshot';
import { utcDate } from '../../core/publish/layout';

const logger = new Logger({ serviceName: PRICES_SERVICE_NAME });
const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: PRICES_SERVICE_NAME });
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
    for (const type of report.setAside)
      logger.warn('instance type set aside: its jobs show no_price until the price list is read again', { ...type });
    metrics.addMetric(METRIC.PricesSetAside, MetricUnit.Count, report.setAside.length);
    metrics.publishStoredMetrics();
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
