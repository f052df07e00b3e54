import { PriceListError } from '../errors';
import type { PriceDimension, PriceListProduct } from './price-list-parser';

/** Two rows price one (region, instance type): picking one would be a guess. */
export class AmbiguousPriceError extends PriceListError {}
/** An hourly training price without a USD amount. */
export class PriceCurrencyError extends PriceListError {}
/** A price dimension in a unit the selection does not know, so cannot tell whether it is hourly compute. */
export class PriceUnitError extends PriceListError {}
/** A region for which the API returned no on-demand training price at all. */
export class NoPricesError extends PriceListError {}

/** One row of `sagemaker_instance_price`, before it is written. */
export interface InstancePrice {
  readonly region: string;
  readonly instanceType: string;
  readonly usdPerHour: number;
  readonly sku: string;
  readonly rateCode: string;
  readonly usageType: string;
  /** Epoch ms. */
  readonly effectiveDate: number;
  readonly description: string;
}

/** Hourly compute: the only unit priced per instance-hour. */
const HOURLY_UNIT = 'Hrs';
/**
 * Units known not to be instance-hours, skipped on purpose: `Quantity` is a training plan's upfront fee.
 * Any other unit is an error, so a new kind of row is looked at before it can be mistaken for compute.
 */
const SKIPPED_UNITS: Readonly<Record<string, string>> = { Quantity: 'training-plan upfront fee' };
/** Prices in a Region proper; Outposts, Local Zones and Wavelength rows share the regionCode but not the rate. */
const REGION_LOCATION_TYPE = 'AWS Region';
const TRAINING_COMPONENT = 'Training';
/** Training compute's usage type: `<region prefix>-Train:ml.<type>`, the same value Cost and Usage Reports carry. */
const TRAINING_USAGE_TYPE = /-Train:ml\./;
const INSTANCE_FAMILY = 'ML Instance';
const USD_AMOUNT = /^\d+(\.\d+)?$/;

interface Candidate {
  readonly product: PriceListProduct;
  readonly dimension: PriceDimension;
  readonly usdPerHour: number;
}

/** Training compute in the region proper, whatever the server-side filter let through. */
function isTrainingComputeIn(product: PriceListProduct, region: string): boolean {
  const { attributes } = product;
  return (
    product.productFamily === INSTANCE_FAMILY &&
    attributes.regionCode === region &&
    attributes.component === TRAINING_COMPONENT &&
    attributes.platoinstancetype === TRAINING_COMPONENT &&
    TRAINING_USAGE_TYPE.test(attributes.usagetype ?? '') &&
    attributes.locationType === REGION_LOCATION_TYPE
  );
}

function hourlyDimensions(product: PriceListProduct): PriceDimension[] {
  const hourly: PriceDimension[] = [];
  for (const dimension of product.onDemand) {
    if (dimension.unit === HOURLY_UNIT) {
      hourly.push(dimension);
      continue;
    }
    if (Object.hasOwn(SKIPPED_UNITS, dimension.unit)) continue;
    throw new PriceUnitError(
      `PriceList product ${product.sku} (${product.attributes.instanceName ?? 'no instanceName'}) has an on-demand price in unit ${JSON.stringify(dimension.unit)} (rate ${dimension.rateCode}); ` +
        `allowed: ${HOURLY_UNIT} (instance-hours), or ${Object.entries(SKIPPED_UNITS)
          .map(([unit, what]) => `${unit} (${what}, skipped)`)
          .join(', ')}`,
    );
  }
  return hourly;
}

function usdPerHour(product: PriceListProduct, dimension: PriceDimension): number {
  const amount = dimension.pricePerUnit.USD;
  if (amount === undefined) {
    throw new PriceCurrencyError(
      `PriceList product ${product.sku} (${product.attributes.instanceName}) prices rate ${dimension.rateCode} in ${Object.keys(dimension.pricePerUnit).join(', ') || 'no currency'}; allowed: USD`,
    );
  }
  if (!USD_AMOUNT.test(amount)) {
    throw new PriceListError(
      `PriceList product ${product.sku} (${product.attributes.instanceName}) has USD amount ${JSON.stringify(amount)}; allowed: a non-negative decimal number`,
    );
  }
  return Number(amount);
}

/** An instance type whose rows could not be read as one hourly price: its jobs show no_price until the list is fixed. */
export interface SetAsidePrice {
  readonly region: string;
  readonly instanceType: string;
  /** Every SKU that priced it. */
  readonly skus: readonly string[];
  readonly reason: string;
}

/** The prices kept, and the instance types set aside. */
export interface TrainingPriceSelection {
  readonly prices: InstancePrice[];
  readonly setAside: SetAsidePrice[];
}

/**
 * The on-demand training price of each instance type in `region`, one per type. Kept: products of family
 * `ML Instance`, in `region`, component `Training`, `platoinstancetype` `Training`, location type `AWS Region`,
 * a usage type with `-Train:ml.`, with an on-demand dimension in `Hrs` priced in USD. Skipped: other
 * components (Hosting, HyperPod `Cluster`), other location types (Outposts), other usage types, and
 * `Quantity` dimensions (training-plan fees). An odd row (a unit not listed above, an hourly price without
 * USD, two rows left for one type) sets that instance type aside, naming its SKUs: the other types are
 * kept. A region left with no price at all is an error.
 */
export function selectTrainingPrices(products: readonly PriceListProduct[], region: string): TrainingPriceSelection {
  const byType = new Map<string, Candidate>();
  const odd = new Map<string, { skus: Set<string>; reasons: string[] }>();
  const setTypeAside = (instanceType: string, skus: readonly string[], error: PriceListError) => {
    const entry = odd.get(instanceType) ?? { skus: new Set<string>(), reasons: [] };
    for (const sku of skus) entry.skus.add(sku);
    entry.reasons.push(error.message);
    odd.set(instanceType, entry);
  };
  for (const product of products) {
    if (!isTrainingComputeIn(product, region)) continue;
    const instanceType = product.attributes.instanceName;
    if (!instanceType || !instanceType.startsWith('ml.')) {
      throw new PriceListError(
        `PriceList product ${product.sku} has instanceName ${JSON.stringify(instanceType)}; allowed: a SageMaker instance type such as ml.m5.xlarge`,
      );
    }
    try {
      for (const dimension of hourlyDimensions(product)) {
        const candidate = { product, dimension, usdPerHour: usdPerHour(product, dimension) };
        const seen = byType.get(instanceType);
        if (seen) {
          const describe = (c: Candidate) =>
            `SKU ${c.product.sku} (rate ${c.dimension.rateCode}, ${c.usdPerHour} USD, usage type ${c.product.attributes.usagetype})`;
          throw new AmbiguousPriceError(
            `${region} ${instanceType} has two on-demand training prices: ${describe(seen)} and ${describe(candidate)}; allowed: exactly one`,
          );
        }
        byType.set(instanceType, candidate);
      }
    } catch (error) {
      if (!(error instanceof PriceListError) || error instanceof NoPricesError) throw error;
      setTypeAside(instanceType, [product.sku, ...(byType.has(instanceType) ? [byType.get(instanceType)!.product.sku] : [])], error);
    }
  }
  for (const instanceType of odd.keys()) {
    const kept = byType.get(instanceType);
    if (kept) odd.get(instanceType)!.skus.add(kept.product.sku);
    byType.delete(instanceType);
  }
  if (byType.size === 0) {
    throw new NoPricesError(
      `the Price List API returned no on-demand training price for region ${region} (${products.length} products read${odd.size > 0 ? `, ${odd.size} instance types set aside` : ''}); allowed: a region where SageMaker training is offered`,
    );
  }
  const prices = [...byType.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([instanceType, { product, dimension, usdPerHour }]) => ({
      region,
      instanceType,
      usdPerHour,
      sku: product.sku,
      rateCode: dimension.rateCode,
      usageType: product.attributes.usagetype ?? '',
      effectiveDate: Date.parse(dimension.effectiveDate),
      description: dimension.description,
    }));
  const setAside = [...odd.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([instanceType, { skus, reasons }]) => ({ region, instanceType, skus: [...skus].sort(), reason: reasons.join('; ') }));
  return { prices, setAside };
}
