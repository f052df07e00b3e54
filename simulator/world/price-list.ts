import { INSTANCE_TYPES, TRAINING_PLAN_INSTANCE_TYPES } from './job-generator';

/**
 * The simulated AWS Price List for SageMaker: one product per (region, instance type, kind), shaped as
 * GetProducts' `aws_v1` PriceList documents. Besides each instance type's Training row it carries the
 * rows that make real price lists hard to read: a Hosting and a HyperPod `Cluster` row for every type
 * (other rates), a training-plan upfront fee in unit `Quantity` for the large accelerators, and an
 * Outposts row (same regionCode, `locationType` AWS Outposts) for general-purpose types in us-east-1.
 */

/** One PriceList item as the API sends it (before JSON.stringify). */
export interface PriceListDocument {
  readonly product: { readonly productFamily: string; readonly attributes: Record<string, string>; readonly sku: string };
  readonly serviceCode: 'AmazonSageMaker';
  readonly terms: { readonly OnDemand: Record<string, OnDemandTerm> };
  readonly version: string;
  readonly publicationDate: string;
}

interface OnDemandTerm {
  readonly offerTermCode: string;
  readonly sku: string;
  readonly effectiveDate: string;
  readonly priceDimensions: Record<
    string,
    {
      rateCode: string;
      unit: string;
      description: string;
      beginRange: string;
      endRange: string;
      appliesTo: string[];
      pricePerUnit: Record<string, string>;
    }
  >;
  readonly termAttributes: Record<string, string>;
}

/** Real on-demand training prices in us-east-1 (USD per instance-hour), as published in 2025. */
const US_EAST_1_TRAINING_USD: Readonly<Record<string, number>> = {
  'ml.m5.xlarge': 0.23,
  'ml.m5.2xlarge': 0.461,
  'ml.c5.2xlarge': 0.408,
  'ml.c5.4xlarge': 0.816,
  'ml.g4dn.xlarge': 0.7364,
  'ml.g5.2xlarge': 1.515,
  'ml.g5.12xlarge': 7.09,
  'ml.p3.2xlarge': 3.825,
  'ml.p3.8xlarge': 14.688,
  'ml.p4d.24xlarge': 37.688,
  'ml.p5.48xlarge': 113.068,
  'ml.trn1.32xlarge': 24.725,
};

/** Regions with a price list: the name the API uses, the usage-type prefix, and the price level against us-east-1. */
export const PRICED_REGIONS: Readonly<Record<string, { readonly location: string; readonly usagePrefix: string; readonly level: number }>> =
  {
    'us-east-1': { location: 'US East (N. Virginia)', usagePrefix: 'USE1', level: 1 },
    'us-east-2': { location: 'US East (Ohio)', usagePrefix: 'USE2', level: 1 },
    'us-west-1': { location: 'US West (N. California)', usagePrefix: 'USW1', level: 1.17 },
    'us-west-2': { location: 'US West (Oregon)', usagePrefix: 'USW2', level: 1 },
    'ca-central-1': { location: 'Canada (Central)', usagePrefix: 'CAN1', level: 1.1 },
    'eu-west-1': { location: 'EU (Ireland)', usagePrefix: 'EU', level: 1.12 },
    'eu-west-2': { location: 'EU (London)', usagePrefix: 'EUW2', level: 1.16 },
    'eu-central-1': { location: 'EU (Frankfurt)', usagePrefix: 'EUC1', level: 1.2 },
    'eu-north-1': { location: 'EU (Stockholm)', usagePrefix: 'EUN1', level: 1.06 },
    'ap-northeast-1': { location: 'Asia Pacific (Tokyo)', usagePrefix: 'APN1', level: 1.29 },
    'ap-southeast-1': { location: 'Asia Pacific (Singapore)', usagePrefix: 'APS1', level: 1.25 },
    'ap-southeast-2': { location: 'Asia Pacific (Sydney)', usagePrefix: 'APS2', level: 1.26 },
    'ap-south-1': { location: 'Asia Pacific (Mumbai)', usagePrefix: 'APS3', level: 1.06 },
  };

/** The on-demand offer term code and the rate codes of hourly and one-off dimensions, as in real price lists. */
const ON_DEMAND_TERM = 'JRTCKXETXF';
const HOURLY_RATE = '6YS6EN2CT7';
const QUANTITY_RATE = '2TG2D8R56U';
const OUTPOSTS_TYPES = new Set(['ml.m5.xlarge', 'ml.m5.2xlarge', 'ml.c5.2xlarge', 'ml.c5.4xlarge']);

/** What a product prices. */
export type PriceRowKind = 'Training' | 'Hosting' | 'Cluster' | 'TrainingPlan' | 'Outposts';

export interface PriceProductSpec {
  readonly region: string;
  readonly instanceType: string;
  readonly kind: PriceRowKind;
  /** Amount per unit; a currency other than USD may be given through `pricePerUnit`. */
  readonly usd: number;
  readonly effectiveDate: string;
  /** @default Hrs, or Quantity for a training plan */
  readonly unit?: string;
  /** @default { USD: usd } */
  readonly pricePerUnit?: Record<string, string>;
  /** @default derived from region, type and kind */
  readonly sku?: string;
}

/** 14 upper-case letters and digits derived from `text`, like the SKUs of real price lists. */
function skuOf(text: string): string {
  let hash = 2166136261;
  let out = '';
  for (let round = 0; out.length < 14; round++) {
    for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 16777619);
    hash = Math.imul(hash ^ round, 16777619);
    out += (hash >>> 0).toString(36).toUpperCase();
  }
  return out.slice(0, 14);
}

const decimal = (usd: number) => usd.toFixed(10);

/** One product as GetProducts returns it. */
export function priceProduct(spec: PriceProductSpec): PriceListDocument {
  const region = PRICED_REGIONS[spec.region] ?? { location: spec.region, usagePrefix: spec.region.toUpperCase(), level: 1 };
  const sku = spec.sku ?? skuOf(`${spec.region}|${spec.instanceType}|${spec.kind}`);
  const outposts = spec.kind === 'Outposts';
  const component = spec.kind === 'Hosting' ? 'Hosting' : spec.kind === 'Cluster' ? 'Cluster' : 'Training';
  const usageKind = { Training: 'Train', Hosting: 'Host', Cluster: 'Cluster', TrainingPlan: 'TrainingPlan', Outposts: 'Outposts-Train' }[
    spec.kind
  ];
  const unit = spec.unit ?? (spec.kind === 'TrainingPlan' ? 'Quantity' : 'Hrs');
  const rate = unit === 'Quantity' ? QUANTITY_RATE : HOURLY_RATE;
  const description =
    spec.kind === 'TrainingPlan'
      ? `Upfront fee of a SageMaker training plan for ${spec.instanceType}`
      : `$${spec.usd} per ${unit === 'Hrs' ? 'Hour' : unit} for ${spec.instanceType} ${component}${outposts ? ' on Outposts' : ''}`;
  return {
    product: {
      productFamily: 'ML Instance',
      sku,
      attributes: {
        servicecode: 'AmazonSageMaker',
        servicename: 'Amazon SageMaker',
        location: outposts ? `${region.location} Outposts` : region.location,
        locationType: outposts ? 'AWS Outposts' : 'AWS Region',
        regionCode: spec.region,
        instanceName: spec.instanceType,
        component,
        platoinstancetype: component,
        usagetype: `${region.usagePrefix}-${usageKind}:${spec.instanceType}`,
        operation: 'RunInstance',
      },
    },
    serviceCode: 'AmazonSageMaker',
    terms: {
      OnDemand: {
        [`${sku}.${ON_DEMAND_TERM}`]: {
          offerTermCode: ON_DEMAND_TERM,
          sku,
          effectiveDate: spec.effectiveDate,
          priceDimensions: {
            [`${sku}.${ON_DEMAND_TERM}.${rate}`]: {
              rateCode: `${sku}.${ON_DEMAND_TERM}.${rate}`,
              unit,
              description,
              beginRange: '0',
              endRange: 'Inf',
              appliesTo: [],
              pricePerUnit: spec.pricePerUnit ?? { USD: decimal(spec.usd) },
            },
          },
          termAttributes: {},
        },
      },
    },
    version: spec.effectiveDate.replace(/\D/g, '').slice(0, 14),
    publicationDate: spec.effectiveDate,
  };
}

const round4 = (usd: number) => Math.round(usd * 10_000) / 10_000;

/**
 * The price list the simulator serves. Tests and the demo change it as AWS would between two weekly
 * reads (a price cut, a type withdrawn from a region) or add a row to see how the reader copes.
 */
export class SimulatedPriceList {
  private readonly documents: PriceListDocument[] = [];

  constructor(effectiveDate: string) {
    for (const [region, { level }] of Object.entries(PRICED_REGIONS)) {
      for (const [instanceType] of INSTANCE_TYPES) {
        const training = round4(US_EAST_1_TRAINING_USD[instanceType] * level);
        const add = (kind: PriceRowKind, usd: number) =>
          this.documents.push(priceProduct({ region, instanceType, kind, usd: round4(usd), effectiveDate }));
        add('Training', training);
        add('Hosting', training * 1.15);
        add('Cluster', training * 1.25);
        if (TRAINING_PLAN_INSTANCE_TYPES.has(instanceType)) add('TrainingPlan', training * 24 * 7);
        if (region === 'us-east-1' && OUTPOSTS_TYPES.has(instanceType)) add('Outposts', training * 1.4);
      }
    }
  }

  /** Every product, in a stable order (the API pages through them). */
  products(): readonly PriceListDocument[] {
    return this.documents;
  }

  add(document: PriceListDocument): void {
    this.documents.push(document);
  }

  /** Removes every product with this SKU. */
  remove(sku: string): void {
    for (let i = this.documents.length - 1; i >= 0; i--) if (this.documents[i].product.sku === sku) this.documents.splice(i, 1);
  }

  /** The on-demand training rate of one instance-hour now: the ground truth tests price jobs with. */
  trainingRate(region: string, instanceType: string): number | undefined {
    const training = this.training(region, instanceType);
    if (!training) return undefined;
    const [term] = Object.values(training.terms.OnDemand);
    const [dimension] = Object.values(term.priceDimensions);
    return Number(dimension.pricePerUnit.USD);
  }

  /** The SKU of the training row of a type in a region. */
  trainingSku(region: string, instanceType: string): string | undefined {
    return this.training(region, instanceType)?.product.sku;
  }

  /** A new training rate from `effectiveDate` on, as a price change publishes it. */
  reprice(region: string, instanceType: string, usd: number, effectiveDate: string): void {
    const index = this.documents.indexOf(this.training(region, instanceType)!);
    if (index < 0) throw new RangeError(`no training price for ${instanceType} in ${region}`);
    this.documents[index] = priceProduct({ region, instanceType, kind: 'Training', usd, effectiveDate });
  }

  /** Takes the training row of a type out of a region's list (the type is no longer offered there). */
  withdraw(region: string, instanceType: string): void {
    const index = this.documents.indexOf(this.training(region, instanceType)!);
    if (index >= 0) this.documents.splice(index, 1);
  }

  private training(region: string, instanceType: string): PriceListDocument | undefined {
    return this.documents.find(
      (d) =>
        d.product.attributes.regionCode === region &&
        d.product.attributes.instanceName === instanceType &&
        d.product.attributes.component === 'Training' &&
        d.product.attributes.locationType === 'AWS Region' &&
        d.product.attributes.usagetype.includes('-Train:'),
    );
  }
}
