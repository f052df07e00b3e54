import { offsetPage, pageSize } from '../paging';
import { AwsError, validation } from '../protocol';
import type { PriceListDocument } from '../world/price-list';
import { THROTTLING, type CallContext, type OperationDefinition } from './operation';

/** The Price List API's GetProducts (AWS JSON 1.1, `AWSPriceListService.GetProducts`), over the world's price list. */
export const PRICING_OPERATIONS = {
  GetProducts: { protocol: 'json', throttlingError: THROTTLING.pricing, answer: getProducts },
} satisfies Record<string, OperationDefinition>;

interface Filter {
  readonly Type?: string;
  readonly Field?: string;
  readonly Value?: string;
}

/** TERM_MATCH compares one field exactly: `productFamily` is the product's own, any other names an attribute. */
function matches(document: PriceListDocument, filter: Filter): boolean {
  const field = String(filter.Field ?? '');
  const value = field === 'productFamily' ? document.product.productFamily : document.product.attributes[field];
  return value === filter.Value;
}

function getProducts(input: Record<string, unknown>, { world }: CallContext): unknown {
  const serviceCode = input.ServiceCode;
  if (typeof serviceCode !== 'string' || serviceCode === '') throw validation('ServiceCode is required');
  if (serviceCode !== 'AmazonSageMaker')
    throw new AwsError(400, 'NotFoundException', `The simulator has no price list for service ${serviceCode}`);
  if (input.FormatVersion !== undefined && input.FormatVersion !== 'aws_v1')
    throw validation(`FormatVersion ${String(input.FormatVersion)} is not supported; use aws_v1`);
  const filters = (input.Filters as Filter[] | undefined) ?? [];
  for (const filter of filters) {
    if (filter.Type !== 'TERM_MATCH')
      throw validation(`Filter type ${String(filter.Type)} is not implemented by the simulator; use TERM_MATCH`);
  }
  const selected = world.prices.products().filter((document) => filters.every((filter) => matches(document, filter)));
  const { page, nextToken } = offsetPage(selected, input.NextToken, pageSize(input.MaxResults, 100, 100));
  return {
    FormatVersion: 'aws_v1',
    PriceList: page.map((document) => JSON.stringify(document)),
    ...(nextToken ? { NextToken: nextToken } : {}),
  };
}
