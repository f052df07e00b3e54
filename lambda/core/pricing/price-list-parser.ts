import { PriceListError } from '../errors';

/** One price dimension of an on-demand term: the rate for one unit of usage. */
export interface PriceDimension {
  readonly rateCode: string;
  readonly unit: string;
  /** Currency code → amount per unit, as the API states it (a decimal string). */
  readonly pricePerUnit: Readonly<Record<string, string>>;
  readonly description: string;
  /** ISO-8601 date the term took effect. */
  readonly effectiveDate: string;
}

/** One PriceList item: a product (SKU, family, attributes) and the dimensions of its on-demand terms. */
export interface PriceListProduct {
  readonly sku: string;
  readonly productFamily: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly onDemand: readonly PriceDimension[];
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/**
 * Reads one PriceList item. The API sends each as a JSON string: `product` (sku, productFamily,
 * attributes) and `terms.OnDemand.<offer term>.priceDimensions.<rate code>`. Anything missing that the
 * price table needs is a PriceListError naming the SKU (or the item's position when even that is missing).
 */
export function parsePriceListItem(item: unknown, position: string): PriceListProduct {
  let document: unknown = item;
  if (typeof item === 'string' || item instanceof String) {
    try {
      document = JSON.parse(String(item));
    } catch (error) {
      throw new PriceListError(`PriceList item ${position} is not JSON: ${String(item).slice(0, 80)}`, { cause: error });
    }
  }
  if (!isObject(document) || !isObject(document.product)) throw new PriceListError(`PriceList item ${position} has no product object`);
  const product = document.product;
  const sku = text(product.sku);
  if (!sku) throw new PriceListError(`PriceList item ${position} has no product.sku`);
  const where = `PriceList product ${sku}`;
  const attributes: Record<string, string> = {};
  if (!isObject(product.attributes)) throw new PriceListError(`${where} has no product.attributes object`);
  for (const [key, value] of Object.entries(product.attributes)) {
    if (typeof value === 'string') attributes[key] = value;
  }
  const terms = isObject(document.terms) ? document.terms : {};
  const onDemandTerms = terms.OnDemand === undefined ? {} : terms.OnDemand;
  if (!isObject(onDemandTerms)) throw new PriceListError(`${where} has terms.OnDemand that is not an object`);
  const onDemand: PriceDimension[] = [];
  for (const [termCode, term] of Object.entries(onDemandTerms)) {
    if (!isObject(term) || !isObject(term.priceDimensions))
      throw new PriceListError(`${where} has on-demand term ${termCode} without priceDimensions`);
    const effectiveDate = text(term.effectiveDate);
    if (!effectiveDate || Number.isNaN(Date.parse(effectiveDate))) {
      throw new PriceListError(
        `${where} has on-demand term ${termCode} with effectiveDate ${JSON.stringify(term.effectiveDate)}; allowed: an ISO-8601 date`,
      );
    }
    for (const [rateCode, dimension] of Object.entries(term.priceDimensions)) {
      if (!isObject(dimension) || !isObject(dimension.pricePerUnit))
        throw new PriceListError(`${where} has price dimension ${rateCode} without pricePerUnit`);
      const pricePerUnit: Record<string, string> = {};
      for (const [currency, amount] of Object.entries(dimension.pricePerUnit)) pricePerUnit[currency] = String(amount);
      onDemand.push({
        rateCode,
        unit: text(dimension.unit) ?? '',
        pricePerUnit,
        description: text(dimension.description) ?? '',
        effectiveDate,
      });
    }
  }
  return { sku, productFamily: text(product.productFamily) ?? '', attributes, onDemand };
}
