import { paginateGetProducts, type PricingClient } from '@aws-sdk/client-pricing';

/** The Price List service code of SageMaker. */
export const SAGEMAKER_SERVICE_CODE = 'AmazonSageMaker';

/**
 * The server-side selection of training compute in one region. It narrows the answer but cannot make it
 * unambiguous: training-plan fees and Outposts rows match it too, so the selection checks every row again.
 */
export function trainingPriceFilters(region: string): { Type: 'TERM_MATCH'; Field: string; Value: string }[] {
  return [
    { Type: 'TERM_MATCH', Field: 'productFamily', Value: 'ML Instance' },
    { Type: 'TERM_MATCH', Field: 'regionCode', Value: region },
    { Type: 'TERM_MATCH', Field: 'component', Value: 'Training' },
    { Type: 'TERM_MATCH', Field: 'platoinstancetype', Value: 'Training' },
  ];
}

/** Every PriceList item (one product with its terms, as a JSON document) of SageMaker training compute in `region`. */
export async function* readTrainingPriceList(client: PricingClient, region: string): AsyncIterable<unknown> {
  const pages = paginateGetProducts(
    { client, pageSize: 100 },
    { ServiceCode: SAGEMAKER_SERVICE_CODE, FormatVersion: 'aws_v1', Filters: trainingPriceFilters(region) },
  );
  for await (const page of pages) {
    // Typed as a union with a JSON-string wrapper; at run time a list of JSON strings.
    const items = (page.PriceList ?? []) as unknown as readonly unknown[];
    yield* items;
  }
}
