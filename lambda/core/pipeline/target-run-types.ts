import type { SourceClients } from '../aws/clients';
import type { CollectStats } from '../collect/call-stats';
import type { JobCounts, SetAsideJob } from '../publish/run-record';
import type { WarehouseStore } from '../publish/store';
import type { TrainingJobRowMapper } from '../rows/training-job-row';
import type { TableSchema } from '../schema/table-schema';
import type { InventoryConfig } from './config';
import type { SnapshotTarget } from './targets';

/** How a run describes jobs: every one, or only those a List summary shows may have changed. */
export type SnapshotMode = 'full' | 'incremental';

/** A job left out of a snapshot, and why. */
export type { SetAsideJob } from '../publish/run-record';

/** A job in its target's snapshot for the first time: what the ledger's `first_seen` row holds. */
export interface FirstSeenJob {
  readonly arn: string;
  readonly name: string;
  /** Epoch ms. */
  readonly created?: number;
}

export interface TargetResult extends SnapshotTarget, JobCounts {
  /** succeeded: every listed job is in the object; incomplete: published without the set-aside jobs; failed: nothing published. */
  readonly status: 'succeeded' | 'incomplete' | 'failed';
  readonly mode?: SnapshotMode;
  /** Why this mode (e.g. "no previous snapshot", "7 days since the last full describe"). */
  readonly modeReason?: string;
  readonly setAside: readonly SetAsideJob[];
  readonly bytesWritten: number;
  readonly location?: string;
  readonly collect?: CollectStats;
  /** API field → number of jobs that had it, for fields the schema (or the SDK) has no place for. */
  readonly unknownFields: Readonly<Record<string, number>>;
  readonly error?: string;
  /**
   * Objects this run wrote or superseded that it could not remove (s3:// URLs or paths): no view reads
   * them, and the next run of the date removes them. A failed target's are never visible; a published one's are the objects it replaced.
   */
  readonly leftToClean?: readonly string[];
  /** What went wrong after the outcome was settled (a lease not released), without changing it. */
  readonly warnings?: readonly string[];
  readonly durationMs: number;
}

/** How far a target that continues in a later invocation has got. */
export interface TargetProgress extends SnapshotTarget {
  readonly mode: SnapshotMode;
  readonly jobsListed: number;
  readonly jobsToDescribe: number;
  readonly jobsDescribed: number;
  readonly invocations: number;
  /** What the deadline interrupted, when it did (e.g. a call still throttled or failing). */
  readonly interrupted?: string;
}

export type TargetStep =
  | { readonly status: 'published'; readonly result: TargetResult }
  | { readonly status: 'continuing'; readonly progress: TargetProgress }
  | { readonly status: 'failed'; readonly result: TargetResult };

/** How far a target has got while it runs. */
export interface TargetAdvance extends TargetProgress {
  /** Every job is listed: jobsToDescribe no longer grows. */
  readonly listingDone: boolean;
}

export interface TargetRunEvents {
  /** Every 500 jobs described. */
  progress?(target: SnapshotTarget, jobsDescribed: number): void;
  /** After each page listed and each job described: cheap, for a progress display. */
  advanced?(advance: TargetAdvance): void;
  /** Every job is in: the target's object is being merged and published, a step that makes no API call. */
  publishing?(target: SnapshotTarget): void;
  warning?(message: string, details: Record<string, unknown>): void;
}

export interface TargetRunSettings {
  readonly store: WarehouseStore;
  readonly clients: SourceClients;
  readonly target: SnapshotTarget;
  readonly snapshotDate: string;
  readonly schema: TableSchema;
  readonly config: Pick<
    InventoryConfig,
    | 'limits'
    | 'concurrency'
    | 'tagStrategy'
    | 'compression'
    | 'rowGroupRows'
    | 'fullEveryDays'
    | 'shrinkGuard'
    | 'jobThrottleAttempts'
    | 'stallPeriodSeconds'
  >;
  readonly mapper: TrainingJobRowMapper;
  /** Settings that change how rows are written (redaction): a change since the previous snapshot forces a full describe. */
  readonly settingsFingerprint: string;
  /** Names this run in the lease, so its own later invocations may continue. */
  readonly holder: string;
  /** Describe every job whatever the previous snapshot says. */
  readonly full?: boolean;
  /**
   * Keep the lease when the target continues in a later invocation (Step Functions), so no other run
   * can start in between. A run that ends here (the CLI) lets it go; its saved progress stays.
   * @default false
   */
  readonly keepLeaseBetweenInvocations?: boolean;
  readonly signal?: AbortSignal;
  readonly events?: TargetRunEvents;
}

export interface InvocationBudget {
  /** Epoch ms after which no new work starts: what is running finishes, then progress is saved. */
  readonly softStopAt: number;
  /** Epoch ms at which calls in flight are cancelled. Saving progress happens after it, within the invocation's margin. */
  readonly deadline: number;
}
