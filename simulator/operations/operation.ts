import type { Protocol } from '../protocol';
import { AwsError } from '../protocol';
import type { SimulatedWorld } from '../world/simulated-world';

/** Who is calling, and where: the account comes from the signing key, the region from the signature's scope. */
export interface CallContext {
  readonly world: SimulatedWorld;
  readonly accountId: string;
  readonly region: string;
}

/** One simulated API operation. */
export interface OperationDefinition {
  readonly protocol: Protocol;
  /** The error this service family answers a throttled call with. */
  readonly throttlingError: () => AwsError;
  /** The answer to a valid call; throws AwsError for a call the service would reject. */
  answer(input: Record<string, unknown>, context: CallContext): unknown;
}

/** Each API family names throttling its own way; the SDK recognises all of them as throttling. */
export const THROTTLING = {
  sagemaker: () => new AwsError(400, 'ThrottlingException', 'Rate exceeded'),
  tagging: () => new AwsError(400, 'ThrottledException', 'Rate exceeded'),
  sts: () => new AwsError(400, 'Throttling', 'Rate exceeded'),
  organizations: () =>
    new AwsError(
      400,
      'TooManyRequestsException',
      "AWS Organizations can't complete your request because another request is already in progress.",
    ),
  pricing: () => new AwsError(400, 'ThrottlingException', 'Rate exceeded'),
} as const;
