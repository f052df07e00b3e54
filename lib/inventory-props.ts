import type { Duration, RemovalPolicy, Size } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { ApiRateLimits, ParquetCompression, TagStrategyOption } from '../lambda/core/settings/settings';

/**
 * How the collector paces its API calls and writes Parquet. Each prop is a row of the settings table
 * (lambda/core/settings/settings.ts): the same range and default as its `SM_INVENTORY_*` variable, checked at
 * synth time, so a bad value fails `cdk synth`, not the first run. The docs here are checked against the table.
 */
export interface CollectorSettings {
  /**
   * Calls per second per (account, region), by operation; an operation left out keeps its default.
   * Allowed: <operation>=<calls per second from 0.01 to 10000> with operation one of ListTrainingJobs, DescribeTrainingJob, ListTags, GetResources.
   * @default ListTrainingJobs=2,DescribeTrainingJob=10,ListTags=10,GetResources=5
   */
  readonly rateLimits?: Partial<ApiRateLimits>;
  /**
   * Describe calls in flight per (account, region).
   * Allowed: a whole number from 1 to 64.
   * @default 8
   */
  readonly concurrency?: number;
  /**
   * (account, region) pairs collected at once.
   * Allowed: a whole number from 1 to 32.
   * @default 4
   */
  readonly parallelTargets?: number;
  /**
   * How tags are read: in bulk (Tagging API GetResources), per job (ListTags), or auto (bulk where it pays).
   * Allowed: auto, bulk, per-job.
   * @default auto
   */
  readonly tagStrategy?: TagStrategyOption;
  /**
   * Parquet codec of the snapshot files.
   * Allowed: zstd, snappy, gzip, uncompressed.
   * @default zstd
   */
  readonly compression?: ParquetCompression;
  /**
   * Rows per Parquet row group.
   * Allowed: a whole number from 100 to 1000000.
   * @default 1000
   */
  readonly rowGroupRows?: number;
  /**
   * Attempts per call when the endpoint cannot be reached or does not answer in time; throttling and 5xx answers are retried until the time budget ends.
   * Allowed: a whole number from 1 to 20.
   * @default 6
   */
  readonly maxAttempts?: number;
  /**
   * Seconds one HTTP attempt may take in all, from the request to the last byte of the answer, before it counts as failed and is reported (S3: seconds without a byte, since a transfer grows with its object). SageMaker, Tagging and STS answer in well under a second, so 10 s is a hung or trickling endpoint, and with SM_INVENTORY_MAX_ATTEMPTS an endpoint that never answers fails in about a minute.
   * Allowed: a whole number from 1 to 300.
   * @default 10
   */
  readonly requestTimeout?: number;
  /**
   * Throttled attempts one job's DescribeTrainingJob gets, while the same operation succeeds for other jobs, before the job is deferred (then retried once at the end of the run and, still throttled, set aside with the rest of its region published); 10 rides out about a minute of backoff. While no Describe succeeds, throttling is the account's and is retried until the time budget or SM_INVENTORY_STALL_PERIOD ends.
   * Allowed: a whole number from 1 to 100.
   * @default 10
   */
  readonly jobThrottleAttempts?: number;
  /**
   * Seconds an (account, region) may go without one successful call before it gives up, naming the last failure, instead of waiting for the time budget; 300 outlasts the throttling storms the retries ride out (waits of up to 20 s) and ends a dead endpoint long before the one-hour budget.
   * Allowed: a whole number from 1 to 86400.
   * @default 300
   */
  readonly stallPeriod?: number;
  /**
   * Days after the last full describe of an (account, region) when a run describes every job again instead of only new, changed and unsettled ones; 1 describes everything every day.
   * Allowed: a whole number from 1 to 365.
   * @default 7
   */
  readonly fullEveryDays?: number;
  /**
   * Share of each operation's rate limit the collector uses, so the account's own clients keep the rest; throttles caused by other clients slow the run down and never fail it.
   * Allowed: a number from 0.001 to 1.
   * @default 1
   */
  readonly rateShare?: number;
  /**
   * Before anything is written or logged, replace secrets in every free-text column (environment, hyper_parameters, tags, failure_reason and status messages, container entrypoint and arguments, every JSON column at any depth) with ***REDACTED***: a value whose key or flag names a secret (password, passwd, passphrase, secret, token, apikey, credential, privatekey, connectionstring, accesskey, sessionkey, signingkey, authorization, bearer, webhook, dsn), and each part of any value that looks like a credential (AWS access keys, PEM private keys, sk-/hf_/ghp_/xox-/glpat- tokens, JWTs, URL passwords, Authorization and Bearer credentials, secret-named key=value); keys stay.
   * Allowed: true or false.
   * @default true
   */
  readonly redactSecrets?: boolean;
  /**
   * Extra key fragments that name a secret (matched ignoring case and punctuation).
   * Allowed: key fragments of 2-64 letters, digits, _ . : -.
   * @default none
   */
  readonly redactKeyPatterns?: string[];
  /**
   * Publish an (account, region) even when its job count dropped past SM_INVENTORY_SHRINK_SHARE and SM_INVENTORY_SHRINK_JOBS, or to 0, since its previous snapshot (jobs really deleted); otherwise nothing is published for it and the run exits 2 naming the counts.
   * Allowed: true or false.
   * @default false
   */
  readonly allowShrink?: boolean;
  /**
   * Share of the previous job count an (account, region) may lose before its snapshot is refused (both this and SM_INVENTORY_SHRINK_JOBS must be passed; a drop to 0 always is).
   * Allowed: a number from 0 to 1.
   * @default 0.1
   */
  readonly shrinkShare?: number;
  /**
   * Jobs an (account, region) may lose before its snapshot is refused (both this and SM_INVENTORY_SHRINK_SHARE must be passed).
   * Allowed: a whole number from 0 to 1000000.
   * @default 20
   */
  readonly shrinkJobs?: number;
}

/** Which organization accounts to snapshot, and the role assumed in each. */
export interface OrganizationTargets {
  /**
   * Name of the role assumed in each organization account (the member-account template creates it).
   * Allowed: an IAM role name of 1-64 letters, digits and +=,.@_- (no path, no ARN), such as SageMakerJobInventoryRead.
   * @default SageMakerJobInventoryRead
   */
  readonly roleName?: string;
  /**
   * Only these organization accounts (those that are ACTIVE).
   * Allowed: 12-digit AWS account ids.
   * @default every ACTIVE account
   */
  readonly includeAccounts?: string[];
  /**
   * Accounts to leave out of the organization's accounts.
   * Allowed: 12-digit AWS account ids.
   * @default none
   */
  readonly excludeAccounts?: string[];
}

/**
 * The account's Cost and Usage Report: an AWS Data Exports CUR 2.0 export (resource IDs included, Parquet)
 * and the Glue table over it. Legacy CUR (its variable schema) is not read.
 */
export interface CostAndUsageReportProps {
  /** Glue database of the CUR 2.0 table: lower-case letters, digits and underscores, not starting with a digit. */
  readonly databaseName: string;
  /** Glue table over the export's `data/` folder, partitioned by `billing_period`: the same characters. */
  readonly tableName: string;
  /** The bucket AWS Data Exports delivers the export to. */
  readonly bucket: s3.IBucket;
  /**
   * The export's folder in the bucket, `<S3 path prefix>/<export name>` as set on the export, without a leading or
   * trailing `/`: readers may get the objects under `<prefix>/data/` and nothing else of the bucket.
   */
  readonly prefix: string;
}

/**
 * Training-job state changes from EventBridge, between snapshots: a rule on this account's default bus sends them to an
 * encrypted SQS queue (with a dead-letter queue), and the events function applies them in batches into
 * `sagemaker_training_job_change`, which `sagemaker_training_job_live` reads. The events of the other accounts and regions reach this
 * account's default event bus in the stack's region through the member-account forwarding template; its bus policy
 * admits `events:PutEvents` from exactly the accounts of `memberAccountRoleArns` and `organization.includeAccounts`,
 * or, when the organization is snapshotted without an account list, from the organization `organizationId`.
 */
export interface LiveEventsProps {
  /**
   * The AWS Organization's id, from `aws organizations describe-organization`: the bus policy admits its accounts
   * (`aws:PrincipalOrgID`). Required with `organization` and no `organization.includeAccounts`, refused otherwise.
   * Allowed: o- and 10 to 32 lower-case letters or digits, such as o-a1b2c3d4e5.
   * @default none: only accounts listed by id are admitted
   */
  readonly organizationId?: string;
  /**
   * The share of `collector.rateShare` given to the events: the snapshot function then paces its calls at
   * `collector.rateShare × (1 − rateShare)` and the events function at `collector.rateShare × rateShare`, divided
   * among its `maxConcurrency` concurrent batches (each paces its own calls), so together they never exceed
   * `collector.rateShare`. From 0.05 to 0.95.
   * @default 0.2
   */
  readonly rateShare?: number;
  /**
   * Batches the queue's event source runs at once (SQS event source `maxConcurrency`): the events' rate share is
   * divided by it. A whole number from 2 (the least Lambda allows) to 20.
   * @default 2
   */
  readonly maxConcurrency?: number;
  /**
   * Messages per batch, a whole number from 1 to 10000. Each job of a batch is described once, however many of
   * its events the batch holds.
   * @default 100
   */
  readonly batchSize?: number;
  /**
   * How long the event source gathers messages before it invokes the function, 0 to 300 seconds: a longer window
   * makes fewer, larger batches (and describes a job that changes often fewer times).
   * @default 1 minute
   */
  readonly maxBatchingWindow?: Duration;
  /**
   * Deliveries of a message (each a failed batch item: throttled past the deadline, a failed write) before SQS
   * moves it to the dead-letter queue, a whole number from 1 to 100.
   * @default 5
   */
  readonly maxReceiveCount?: number;
  /**
   * The events function's timeout, 1 to 15 minutes; calls stop retrying 15 s before it. The queue's visibility
   * timeout is six times this plus `maxBatchingWindow`, as Lambda advises.
   * @default 3 minutes
   */
  readonly timeout?: Duration;
  /**
   * The events function's memory in MiB, 256 to 10240.
   * @default 1024
   */
  readonly memorySize?: number;
}

/** QuickSight over the inventory: who owns the dashboard, and the role QuickSight queries Athena with. */
export interface QuickSightProps {
  /** The QuickSight user or group ARN that owns the data source, datasets and dashboard. */
  readonly principalArn: string;
  /**
   * QuickSight's service role in this account, granted `grantQuery`.
   * @default 'aws-quicksight-service-role-v0'
   */
  readonly serviceRoleName?: string;
  /**
   * The cost-allocation tag whose column groups the dashboard's cost by team.
   * @default 'team'
   */
  readonly teamTagKey?: string;
}

export interface SageMakerTrainingJobInventoryProps {
  /**
   * When the snapshot runs: a recurring `rate()` or `cron()` expression. A `rate()` sets `schedulePeriod`
   * by itself, and `maxRunDuration` must fit in one period.
   * @default daily at 02:00 UTC
   */
  readonly schedule?: scheduler.ScheduleExpression;
  /**
   * How often `schedule` fires. The "no snapshot written" alarm fires after two periods without one.
   * Between 1 hour and 3.5 days (CloudWatch evaluates at most 7 days); equal to the rate of a `rate()` schedule.
   * @default the rate of a `rate()` schedule, else 1 day (the default schedule's)
   */
  readonly schedulePeriod?: Duration;
  /**
   * Regions to snapshot, in every account.
   * Allowed: AWS Region codes such as us-east-1, each once.
   * @default the stack's region
   */
  readonly regions?: string[];
  /**
   * Roles in member accounts to assume (deployed from the member-account template).
   * Allowed: IAM role ARNs such as arn:aws:iam::123456789012:role/SageMakerJobInventoryRead.
   * @default none
   */
  readonly memberAccountRoleArns?: string[];
  /**
   * Also snapshot the account of the caller's own credentials.
   * Allowed: true or false.
   * @default true
   */
  readonly includeOwnAccount?: boolean;
  /**
   * Also snapshot the accounts of the AWS Organization: every ACTIVE account that
   * `organizations:ListAccounts` returns (deploy in the management account or a delegated
   * administrator), through a role of the same name in each. An account whose role cannot be assumed
   * is reported and skipped.
   * @default none: only this account and `memberAccountRoleArns`
   */
  readonly organization?: OrganizationTargets;
  /**
   * Where snapshots and Athena results go. For a bucket of your own, add a lifecycle rule expiring
   * `<prefix>/_work/` (the progress of abandoned runs) after a few days; `<prefix>/_state/` must not expire.
   * @default a new bucket: KMS-encrypted, versioned, TLS-only, with access logs and lifecycle rules
   */
  readonly bucket?: s3.IBucket;
  /**
   * Key prefix in the bucket, without slashes at either end.
   * @default 'inventory'
   */
  readonly prefix?: string;
  /**
   * Glue database name.
   * @default 'sagemaker_inventory'
   */
  readonly databaseName?: string;
  /**
   * Glue table name.
   * @default 'sagemaker_training_job'
   */
  readonly tableName?: string;
  /**
   * Key for the bucket, the dead-letter queue, Athena results and the state machine's log group. An
   * imported key's policy must let CloudWatch Logs (`logs.<region>.amazonaws.com`) use it for that group.
   * @default a new customer-managed key with yearly rotation
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * What happens to the data the construct creates (the key, the bucket and its access-log bucket, the
   * functions' log groups) when it is removed from the stack or the stack is deleted. `DESTROY` deletes
   * an empty bucket only: CloudFormation cannot delete a bucket that holds objects.
   * @default RemovalPolicy.RETAIN: snapshots, their key and the logs outlive the stack
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Retention of the function's logs.
   * @default one year
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Topic notified when an alarm fires (and when it clears).
   * @default alarms without actions
   */
  readonly alarmTopic?: sns.ITopic;
  /**
   * Function memory in MiB, 256 to 10240.
   * @default 1024
   */
  readonly memorySize?: number;
  /**
   * The snapshot function's `/tmp` (ephemeral storage), 512 MiB to 10 GiB. A daily snapshot's merge holds up to three
   * times one (account, region)'s snapshot object there: about 270 MiB at 300,000 jobs. Raise it for more jobs.
   * @default Size.mebibytes(512)
   */
  readonly ephemeralStorageSize?: Size;
  /**
   * Function timeout, 1 to 15 minutes. Throttled calls stop retrying 30 s before it.
   * @default 15 minutes
   */
  readonly timeout?: Duration;
  /**
   * First snapshot date Athena's partition projection covers, YYYY-MM-DD.
   * @default '2024-01-01'
   */
  readonly projectionStartDate?: string;
  /**
   * Largest amount of data one Athena query in the workgroup may scan, in bytes (at least 10 MB).
   * @default 10 GiB
   */
  readonly athenaBytesScannedCutoff?: number;
  /**
   * Cost-allocation tag keys that become `tag_<key>` columns of the flat view.
   * @default team, project, cost-center, sagemaker:domain-arn, sagemaker:user-profile-arn
   */
  readonly costAllocationTagKeys?: string[];
  /**
   * Days an (account, region) may go without a run before `sagemaker_training_job_current` leaves its jobs
   * out (an account that left the organization or was excluded, a region removed), 1-3650. The freshness
   * view shows it as stale; the historical views (cost, flat, ledger) keep its jobs.
   * @default 7
   */
  readonly staleAfterDays?: number;
  /**
   * How the collector paces its API calls and writes Parquet, checked at synth time.
   * @default each setting's own default (see `CollectorSettings`)
   */
  readonly collector?: CollectorSettings;
  /**
   * Trace with AWS X-Ray: the state machine's executions and every function (active tracing).
   * @default false: no traces; every function and the state machine log JSON and emit metrics
   */
  readonly tracing?: boolean;
  /**
   * Longest a state machine execution may run (a first snapshot of a large account takes several
   * invocations); past it the execution stops, counts as timed out and alarms. 1 hour to 7 days, and
   * no longer than `schedulePeriod`, so a run ends before the next one starts.
   * @default 23 hours, or `schedulePeriod` when that is shorter
   */
  readonly maxRunDuration?: Duration;
  /**
   * Extra environment for the function, e.g. `POWERTOOLS_LOG_LEVEL`. Settings the construct manages
   * (every `SM_INVENTORY_*` variable, the Powertools service name and metric namespace) are rejected:
   * set them through their props.
   * @default none
   */
  readonly functionEnvironment?: Record<string, string>;
  /**
   * When the on-demand training prices of the `regions` are read from the AWS Price List API into the
   * `sagemaker_instance_price` table the cost view joins (a second schedule); `false` deploys no price refresh.
   * @default weekly, Mondays at 01:00 UTC
   */
  readonly priceRefreshSchedule?: scheduler.ScheduleExpression | false;
  /**
   * Deploys QuickSight over the inventory: an Athena data source on the workgroup, datasets over the flat
   * and cost views and the cost dashboard, owned by `principalArn` (a QuickSight user or group ARN), and
   * `grantQuery` for QuickSight's service role. The account must already subscribe to QuickSight.
   * @default no QuickSight resources
   */
  readonly quickSight?: QuickSightProps;
  /**
   * Reads the account's Cost and Usage Report (a CUR 2.0 export and its Glue table): creates the billed-cost
   * views (`sagemaker_cur_training_line`, `sagemaker_training_job_billed_cost`) and their named queries, lets
   * `grantQuery`, the views function and QuickSight read that table and the export's objects, and (with
   * `quickSight`) adds billed vs estimated and unattributed spend to the dashboard.
   * @default no billed-cost views, queries or permissions
   */
  readonly costAndUsageReport?: CostAndUsageReportProps;
  /**
   * Live events: EventBridge's training-job state changes applied between snapshots (the live path): an EventBridge
   * rule, an encrypted queue with a dead-letter queue and alarms, and the events function, sharing the API rate budget
   * with the snapshot (see `LiveEventsProps.rateShare`). With accounts other than this one (`memberAccountRoleArns`,
   * `organization`), a policy on this account's default event bus admits the events their forwarding rules send, from
   * them only.
   * @default no live events: no rule, queue, function or bus policy; `sagemaker_training_job_live` shows the latest snapshot only
   */
  readonly liveEvents?: LiveEventsProps;
}
