import { AthenaClient } from '@aws-sdk/client-athena';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { PricingClient } from '@aws-sdk/client-pricing';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SQSClient } from '@aws-sdk/client-sqs';
import { STSClient } from '@aws-sdk/client-sts';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type {
  AwsCredentialIdentity,
  AwsCredentialIdentityProvider,
  FinalizeHandler,
  FinalizeHandlerArguments,
  HandlerExecutionContext,
} from '@smithy/types';
import { AttemptDeadlineHandler } from './attempt-deadline';
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
  /**
   * Time one HTTP attempt may take in all, its answer's body included (S3: without a byte, see createS3Client);
   * a hung or trickling server costs at most this per attempt. @default 10000
   */
  readonly attemptTimeoutMs?: number;
  readonly endpoint?: string;
  /** Path-style S3 addressing, needed by most S3 emulators. @default false */
  readonly forcePathStyle?: boolean;
}

const DEFAULT_ATTEMPT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_ATTEMPTS = 6;
const AGENTS = { httpsAgent: { keepAlive: true, maxSockets: 50 }, httpAgent: { keepAlive: true, maxSockets: 50 } } as const;

/** The configuration every client is built with: a total deadline per HTTP attempt (AttemptDeadlineHandler). */
export function commonClientConfig(settings: ClientSettings) {
  return {
    region: settings.region,
    credentials: settings.credentials,
    retryStrategy: new DeadlineRetryStrategy({
      budget: settings.budget ?? new RunBudget(),
      maxUnreachableAttempts: settings.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    }),
    requestHandler: new AttemptDeadlineHandler({
      connectionTimeout: settings.connectionTimeoutMs ?? 3000,
      attemptTimeoutMs: settings.attemptTimeoutMs ?? DEFAULT_ATTEMPT_TIMEOUT_MS,
      ...AGENTS,
    }),
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
  } as const;
}

/** The part of an SDK v3 client or command that takes a middleware at the finalizeRequest step (below the retries). */
export interface WithFinalizeStack {
  readonly middlewareStack: {
    add(middleware: never, options: { step: 'finalizeRequest'; name: string; priority: 'low'; override: boolean }): void;
  };
}

/**
 * Reports each attempt that timed out as it happens, through the run's budget (the CLI prints it, the
 * Lambda logs it), so a silent endpoint is never silence. Below the retry middleware: once per attempt.
 */
function reportingTimeouts<C extends WithFinalizeStack>(client: C, settings: ClientSettings): C {
  const budget = settings.budget;
  if (!budget) return client;
  const maxAttempts = settings.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const middleware =
    (next: FinalizeHandler<object, object>, context: HandlerExecutionContext) => async (args: FinalizeHandlerArguments<object>) => {
      try {
        return await next(args);
      } catch (error) {
        if ((error as Error)?.name === 'TimeoutError') {
          const attempt = /attempt=(\d+)/.exec(
            String((args.request as { headers?: Record<string, string> }).headers?.['amz-sdk-request']),
          )?.[1];
          const operation = (context.commandName ?? 'a call').replace(/Command$/, '');
          budget.warn?.(
            `${operation} attempt ${attempt ?? '?'} of at most ${maxAttempts} in ${settings.region} timed out: ${(error as Error).message.split('\n')[0]}`,
            { operation, region: settings.region, attempt: attempt === undefined ? undefined : Number(attempt), maxAttempts },
          );
        }
        throw error;
      }
    };
  client.middlewareStack.add(middleware as never, {
    step: 'finalizeRequest',
    name: 'inventoryAttemptTimeoutReport',
    priority: 'low',
    override: true,
  });
  return client;
}

export interface SourceClients {
  readonly sagemaker: SageMakerClient;
  readonly tagging: ResourceGroupsTaggingAPIClient;
  readonly sts: STSClient;
}

export function createSourceClients(settings: ClientSettings): SourceClients {
  return {
    sagemaker: reportingTimeouts(new SageMakerClient(commonClientConfig(settings)), settings),
    tagging: reportingTimeouts(new ResourceGroupsTaggingAPIClient(commonClientConfig(settings)), settings),
    sts: reportingTimeouts(new STSClient(commonClientConfig(settings)), settings),
  };
}

/**
 * S3 is the one client without a total deadline per attempt: an object's upload or download takes time
 * in proportion to its size (a large snapshot over a slow link), and a streamed GetObject body is read
 * by the caller long after the attempt. Its attempts end instead when no byte moves for the attempt
 * timeout, which still ends a hung or silent S3 endpoint.
 */
export function createS3Client(settings: ClientSettings): S3Client {
  const requestHandler = new NodeHttpHandler({
    connectionTimeout: settings.connectionTimeoutMs ?? 3000,
    socketTimeout: settings.attemptTimeoutMs ?? DEFAULT_ATTEMPT_TIMEOUT_MS,
    ...AGENTS,
  });
  // The bucket's region need not be a collected region: let S3 redirects find it.
  const client = new S3Client({
    ...commonClientConfig(settings),
    requestHandler,
    forcePathStyle: settings.forcePathStyle ?? false,
    followRegionRedirects: true,
  });
  return reportingTimeouts(client, settings);
}

export function createAthenaClient(settings: ClientSettings): AthenaClient {
  return reportingTimeouts(new AthenaClient(commonClientConfig(settings)), settings);
}

/** SQS (the events function's dead-letter queue), with the same deadline per attempt and retries as every client. */
export function createSqsClient(settings: ClientSettings): SQSClient {
  return reportingTimeouts(new SQSClient(commonClientConfig(settings)), settings);
}

/** AWS Organizations is a global service: the SDK sends any commercial region to its one endpoint. */
export function createOrganizationsClient(settings: ClientSettings): OrganizationsClient {
  return reportingTimeouts(new OrganizationsClient(commonClientConfig(settings)), settings);
}

/** The Price List API answers only in a few regions; us-east-1 serves every region's prices. */
export const PRICE_LIST_API_REGION = 'us-east-1';

export function createPricingClient(settings: Omit<ClientSettings, 'region'>): PricingClient {
  const pricing = { ...settings, region: PRICE_LIST_API_REGION };
  return reportingTimeouts(new PricingClient(commonClientConfig(pricing)), pricing);
}
