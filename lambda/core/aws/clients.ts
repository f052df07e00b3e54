import { AthenaClient } from '@aws-sdk/client-athena';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { PricingClient } from '@aws-sdk/client-pricing';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { STSClient } from '@aws-sdk/client-sts';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { DeadlineRetryStrategy, RunBudget } from './retry-strategy';

/**
 * Settings shared by every client. Endpoints are deliberately not here: the SDK reads
 * AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_<SERVICE> itself, which is how the same code reaches real AWS,
 * the project's simulator or any emulator. `endpoint` exists only for callers that start a local
 * server in-process and know its address.
 */
export interface ClientSettings {
  readonly region: string;
  readonly credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Attempts for an endpoint that cannot be reached or does not answer; throttling and 5xx are retried until the budget's deadline. @default 6 */
  readonly maxAttempts?: number;
  /** The run's deadline, read by the retry strategy. @default no deadline */
  readonly budget?: RunBudget;
  /** Socket connect timeout. @default 3000 */
  readonly connectionTimeoutMs?: number;
  /** Time allowed for one HTTP response; a hung server costs at most this per attempt. @default 30000 */
  readonly requestTimeoutMs?: number;
  readonly endpoint?: string;
  /** Path-style S3 addressing, needed by most S3 emulators. @default false */
  readonly forcePathStyle?: boolean;
}

/** The configuration every client is built with. */
export function commonClientConfig(settings: ClientSettings) {
  return {
    region: settings.region,
    credentials: settings.credentials,
    retryStrategy: new DeadlineRetryStrategy({
      budget: settings.budget ?? new RunBudget(),
      maxUnreachableAttempts: settings.maxAttempts ?? 6,
    }),
    requestHandler: new NodeHttpHandler({
      connectionTimeout: settings.connectionTimeoutMs ?? 3000,
      requestTimeout: settings.requestTimeoutMs ?? 30_000,
      // Without this a hung server only logs a warning and the call waits for ever.
      throwOnRequestTimeout: true,
      httpsAgent: { keepAlive: true, maxSockets: 50 },
      httpAgent: { keepAlive: true, maxSockets: 50 },
    }),
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
  } as const;
}

export interface SourceClients {
  readonly sagemaker: SageMakerClient;
  readonly tagging: ResourceGroupsTaggingAPIClient;
  readonly sts: STSClient;
}

export function createSourceClients(settings: ClientSettings): SourceClients {
  return {
    sagemaker: new SageMakerClient(commonClientConfig(settings)),
    tagging: new ResourceGroupsTaggingAPIClient(commonClientConfig(settings)),
    sts: new STSClient(commonClientConfig(settings)),
  };
}

export function createS3Client(settings: ClientSettings): S3Client {
  // The bucket's region need not be a collected region: let S3 redirects find it.
  return new S3Client({ ...commonClientConfig(settings), forcePathStyle: settings.forcePathStyle ?? false, followRegionRedirects: true });
}

export function createAthenaClient(settings: ClientSettings): AthenaClient {
  return new AthenaClient(commonClientConfig(settings));
}

/** AWS Organizations is a global service: the SDK sends any commercial region to its one endpoint. */
export function createOrganizationsClient(settings: ClientSettings): OrganizationsClient {
  return new OrganizationsClient(commonClientConfig(settings));
}

/** The Price List API answers only in a few regions; us-east-1 serves every region's prices. */
export const PRICE_LIST_API_REGION = 'us-east-1';

export function createPricingClient(settings: Omit<ClientSettings, 'region'>): PricingClient {
  return new PricingClient(commonClientConfig({ ...settings, region: PRICE_LIST_API_REGION }));
}
