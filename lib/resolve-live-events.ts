import { Duration, Token } from 'aws-cdk-lib';
import { ConfigError } from '../lambda/core/errors';
import { SETTINGS } from '../lambda/core/settings/settings';
import type { LiveEventsProps } from './inventory-props';

/** The `liveEvents` props with every default applied and checked, and the rate shares they give each function. */
export interface ResolvedLiveEvents {
  readonly rateShare: number;
  readonly maxConcurrency: number;
  readonly batchSize: number;
  readonly maxBatchingWindow: Duration;
  readonly maxReceiveCount: number;
  readonly timeout: Duration;
  readonly memorySize: number;
  /** SM_INVENTORY_RATE_SHARE of the snapshot function: `collector.rateShare × (1 − rateShare)`. */
  readonly snapshotRateShare: number;
  /** SM_INVENTORY_RATE_SHARE of each concurrent events batch: `collector.rateShare × rateShare / maxConcurrency`. */
  readonly eventsRateShare: number;
}

/** The shares are rounded down to this many decimals: the two functions together stay within the collector's share. */
const SHARE_DECIMALS = 6;

// The tiny nudge keeps a product that lands a hair under a round share (0.5 × 0.3 / 3) on it.
const floorShare = (share: number) => Math.floor(share * 10 ** SHARE_DECIMALS + 1e-9) / 10 ** SHARE_DECIMALS;

function refuse(name: string, value: unknown, allowed: string): ConfigError {
  return new ConfigError(`liveEvents.${name} is ${JSON.stringify(value)}; allowed: ${allowed}`);
}

function wholeNumber(name: string, value: number, min: number, max: number): number {
  if (!Token.isUnresolved(value) && !(Number.isInteger(value) && value >= min && value <= max))
    throw refuse(name, value, `a whole number from ${min} to ${max}`);
  return value;
}

function seconds(name: string, value: Duration, min: number, max: number, allowed: string): Duration {
  const total = value.toSeconds();
  if (total < min || total > max) throw refuse(name, value.toHumanString(), allowed);
  return value;
}

/**
 * Checks `liveEvents` and splits `collectorRateShare` between the snapshot and the events: each concurrent
 * events batch paces its own calls, so the events' share is divided by `maxConcurrency`. A split whose events
 * share falls below what SM_INVENTORY_RATE_SHARE allows is refused, naming the values that made it.
 */
export function resolveLiveEvents(props: LiveEventsProps | undefined, collectorRateShare: number): ResolvedLiveEvents | undefined {
  if (!props) return undefined;
  const rateShare = props.rateShare ?? 0.2;
  if (!(rateShare >= 0.05 && rateShare <= 0.95)) throw refuse('rateShare', rateShare, 'a number from 0.05 to 0.95');
  const maxConcurrency = wholeNumber('maxConcurrency', props.maxConcurrency ?? 2, 2, 20);
  const resolved = {
    rateShare,
    maxConcurrency,
    batchSize: wholeNumber('batchSize', props.batchSize ?? 100, 1, 10_000),
    maxBatchingWindow: seconds('maxBatchingWindow', props.maxBatchingWindow ?? Duration.minutes(1), 0, 300, '0 to 300 seconds'),
    maxReceiveCount: wholeNumber('maxReceiveCount', props.maxReceiveCount ?? 5, 1, 100),
    timeout: seconds('timeout', props.timeout ?? Duration.minutes(3), 60, 900, '1 to 15 minutes'),
    memorySize: wholeNumber('memorySize', props.memorySize ?? 1024, 256, 10_240),
    snapshotRateShare: floorShare(collectorRateShare * (1 - rateShare)),
    eventsRateShare: floorShare((collectorRateShare * rateShare) / maxConcurrency),
  };
  if (resolved.eventsRateShare < SETTINGS.rateShare.min)
    throw new ConfigError(
      `liveEvents.rateShare ${rateShare} of collector.rateShare ${collectorRateShare}, over liveEvents.maxConcurrency ${maxConcurrency} batches, gives each batch a rate share of ${resolved.eventsRateShare}; allowed: at least ${SETTINGS.rateShare.min} (raise either share, or lower maxConcurrency)`,
    );
  return resolved;
}
