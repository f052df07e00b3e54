import type { PricingClient } from '@aws-sdk/client-pricing';
import { describeError, PriceListError } from '../errors';
import { ParquetWasmEncoder, type ParquetCompression } from '../parquet/parquet-encoder';
import type { SnapshotObjectId } from '../publish/layout';
import type { WarehouseStore } from '../publish/store';
import type { TableRow } from '../rows/training-job-row';
import { INSTANCE_PRICE_SCHEMA } from '../schema/table-schema';
import { readTrainingPriceList } from './price-list-reader';
import { parsePriceListItem, type PriceListProduct } from './price-list-parser';
import { selectTrainingPrices, type InstancePrice, type SetAsidePrice } from './price-selection';

/** The one object of a price snapshot: every requested region's prices, published together or not at all. */
export function priceSnapshotObject(snapshotDate: string): SnapshotObjectId {
  return { table: INSTANCE_PRICE_SCHEMA, partitions: { snapshot_date: snapshotDate }, name: 'prices' };
}

export function instancePriceRow(price: InstancePrice, retrievedAt: number): TableRow {
  return {
    region: price.region,
    instance_type: price.instanceType,
    usd_per_hour: price.usdPerHour,
    sku: price.sku,
    rate_code: price.rateCode,
    usage_type: price.usageType,
    effective_date: price.effectiveDate,
    price_description: price.description,
    retrieved_at: retrievedAt,
  };
}

/**
 * Reads and selects the training prices of every region. An instance type with odd rows is set aside (its
 * jobs show no_price); a row the API sent malformed, or a region left with no price, fails the collection.
 */
export async function collectTrainingPrices(
  pricing: PricingClient,
  regions: readonly string[],
): Promise<{ prices: InstancePrice[]; setAside: SetAsidePrice[]; productsRead: number }> {
  const prices: InstancePrice[] = [];
  const setAside: SetAsidePrice[] = [];
  let productsRead = 0;
  for (const region of regions) {
    const products: PriceListProduct[] = [];
    try {
      for await (const item of readTrainingPriceList(pricing, region))
        products.push(parsePriceListItem(item, `#${products.length + 1} of ${region}`));
    } catch (error) {
      if (error instanceof PriceListError) throw error;
      throw new PriceListError(`reading SageMaker prices for ${region} from the Price List API failed: ${describeError(error)}`, {
        cause: error,
      });
    }
    productsRead += products.length;
    const selection = selectTrainingPrices(products, region);
    prices.push(...selection.prices);
    setAside.push(...selection.setAside);
  }
  return { prices, setAside, productsRead };
}

export interface PriceSnapshotRequest {
  readonly pricing: PricingClient;
  /** The warehouse: its `publish` makes the one price object visible atomically. */
  readonly store: Pick<WarehouseStore, 'publish'>;
  readonly regions: readonly string[];
  readonly snapshotDate: string;
  /** @default 'zstd' */
  readonly compression?: ParquetCompression;
  /** Epoch ms written as `retrieved_at`. @default now */
  readonly retrievedAt?: number;
}

export interface PriceSnapshotReport {
  readonly snapshotDate: string;
  readonly location: string;
  readonly bytes: number;
  readonly productsRead: number;
  readonly prices: readonly InstancePrice[];
  /** Instance types left out for odd rows, each with its SKUs and why: warn about each one. */
  readonly setAside: readonly SetAsidePrice[];
  readonly durationMs: number;
}

/**
 * One price snapshot: every region is read and checked first, then one object is published, so a
 * malformed answer or a region without prices leaves the warehouse as it was (the previous snapshot of the
 * date, if any, included). Instance types with odd rows are left out of it and reported.
 */
export async function runPriceSnapshot(request: PriceSnapshotRequest): Promise<PriceSnapshotReport> {
  const started = Date.now();
  const retrievedAt = request.retrievedAt ?? started;
  const { prices, setAside, productsRead } = await collectTrainingPrices(request.pricing, request.regions);
  const encoder = new ParquetWasmEncoder(INSTANCE_PRICE_SCHEMA, { compression: request.compression ?? 'zstd' });
  async function* rows(): AsyncIterable<TableRow> {
    for (const price of prices) yield instancePriceRow(price, retrievedAt);
  }
  const { location, bytes } = await request.store.publish(priceSnapshotObject(request.snapshotDate), encoder.encode(rows()));
  return { snapshotDate: request.snapshotDate, location, bytes, productsRead, prices, setAside, durationMs: Date.now() - started };
}
