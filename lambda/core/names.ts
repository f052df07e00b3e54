/**
 * Names and patterns that the runtime and the CDK construct must agree on. Both import them from
 * here, so a metric the alarm watches, a role the member template creates or an action the policy
 * grants is spelt once.
 */

/** Powertools service name of the snapshot function (log `service` field, metric dimension). */
export const SERVICE_NAME = 'sagemaker-job-inventory';
/** Powertools service name of the events function (the live path: EventBridge state changes from its queue). */
export const EVENTS_SERVICE_NAME = 'sagemaker-job-inventory-events';
/** Powertools service name of the views custom resource. */
export const VIEWS_SERVICE_NAME = 'sagemaker-job-inventory-views';
/** Powertools service name of the weekly price refresh function. */
export const PRICES_SERVICE_NAME = 'sagemaker-job-inventory-prices';
/** The IAM action the price refresh calls; the Price List API supports no resource-level permissions. */
export const PRICE_LIST_ACTION = 'pricing:GetProducts';
/** CloudWatch namespace of the snapshot function's EMF metrics. */
export const METRICS_NAMESPACE = 'SageMakerJobInventory';

/** Metric names the function emits; the construct's alarms and dashboards refer to them by these keys. */
export const METRIC = {
  JobsWritten: 'JobsWritten',
  BytesWritten: 'BytesWritten',
  SnapshotsWritten: 'SnapshotsWritten',
  SnapshotsFailed: 'SnapshotsFailed',
  SnapshotsIncomplete: 'SnapshotsIncomplete',
  RunDuration: 'RunDuration',
  JobsVanishedDuringRun: 'JobsVanishedDuringRun',
  UnknownApiFields: 'UnknownApiFields',
  ApiCalls: 'ApiCalls',
  Throttles: 'Throttles',
  Retries: 'Retries',
  JobsDescribed: 'JobsDescribed',
  JobsCarried: 'JobsCarried',
  JobsNew: 'JobsNew',
  JobsGone: 'JobsGone',
  JobsSetAside: 'JobsSetAside',
  SnapshotsFull: 'SnapshotsFull',
  SnapshotsIncremental: 'SnapshotsIncremental',
  AccountsSkipped: 'AccountsSkipped',
  /** Instance types the weekly price read left out for odd rows (their jobs show no_price). */
  PricesSetAside: 'PricesSetAside',
  /** Events of a batch whose job was described and written into sagemaker_training_job_change. */
  EventsApplied: 'EventsApplied',
  /** Events of another detail-type (or source) the events function received: counted, not applied. */
  EventsIgnored: 'EventsIgnored',
  /** Malformed events, or events without a job ARN, sent to the events dead-letter queue with their reason. */
  EventsDeadLettered: 'EventsDeadLettered',
  /** Events from an (account, region) the inventory is not configured for: refused, not applied. */
  EventsRefused: 'EventsRefused',
  /** Events whose job could not be described (deleted, access denied): logged with the ARN and dropped. */
  EventsSkipped: 'EventsSkipped',
  /** Events left for SQS to deliver again (throttled past the deadline, a failed write or dead-letter send). */
  EventsRetried: 'EventsRetried',
  /** Rows written into sagemaker_training_job_change by one batch: one per job. */
  ChangeRowsWritten: 'ChangeRowsWritten',
} as const;

/** Name of the read-only role member accounts deploy; the inventory assumes `arn:…:role/<this>` in each. */
export const MEMBER_ROLE_NAME = 'SageMakerJobInventoryRead';
/** RoleSessionName of the inventory's AssumeRole calls, as CloudTrail in member accounts shows it. */
export const ROLE_SESSION_NAME = 'sagemaker-job-inventory';

/**
 * Every source API the collector calls, and the IAM action that allows it. The rate limits, the
 * function's policy and the member-account role are all derived from this table.
 */
export const SOURCE_API_ACTIONS = {
  ListTrainingJobs: 'sagemaker:ListTrainingJobs',
  DescribeTrainingJob: 'sagemaker:DescribeTrainingJob',
  ListTags: 'sagemaker:ListTags',
  GetResources: 'tag:GetResources',
} as const;
export type SourceOperation = keyof typeof SOURCE_API_ACTIONS;
export const SOURCE_OPERATIONS = Object.keys(SOURCE_API_ACTIONS) as SourceOperation[];

/** Source operations IAM can scope to a training-job ARN; the others support only `*`. */
export const TRAINING_JOB_SCOPED_OPERATIONS: readonly SourceOperation[] = ['DescribeTrainingJob', 'ListTags'];

/** AWS Region codes: us-east-1, ap-southeast-2, us-gov-west-1, eu-central-2. */
export const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d+$/;
/** 12-digit AWS account id. */
export const ACCOUNT_ID_PATTERN = /^\d{12}$/;
/** An AWS Organizations organization id, as `DescribeOrganization` returns it. */
export const ORGANIZATION_ID_PATTERN = /^o-[a-z0-9]{10,32}$/;
/** IAM role ARN in any partition; the role's path and name together may be up to 576 characters. */
export const ROLE_ARN_PATTERN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,576}$/;
/** KMS key or alias ARN. */
export const KMS_KEY_ARN_PATTERN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/.+$/;
/** SQS queue URL: an http(s) endpoint, the owner's 12-digit account id and a queue name of 1-80 characters. */
export const SQS_QUEUE_URL_PATTERN = /^https?:\/\/[^\s/]+\/\d{12}\/[\w-]{1,80}(\.fifo)?$/;
/** Glue database and table names that Athena can query without quoting. */
export const GLUE_NAME_PATTERN = /^[a-z0-9_]{1,255}$/;

/** Folder of the warehouse holding the work of runs in progress (leases, checkpoints, parts); the construct expires it. */
export const WORK_PREFIX = '_work';
/** Folder of the warehouse naming each (table, region, account)'s latest snapshot; it must never expire. */
export const STATE_PREFIX = '_state';

/** Key prefix of the Athena workgroup's query results in the bucket. */
export const ATHENA_RESULTS_PREFIX = 'athena-results/';

/** This package's version, written into every run record. */
export { version as TOOL_VERSION } from '../../package.json';

/** The EventBridge source and detail-type of a training job's state change, as SageMaker sends it (and the construct's rule matches). */
export const STATE_CHANGE_SOURCE = 'aws.sagemaker';
export const STATE_CHANGE_DETAIL_TYPE = 'SageMaker Training Job State Change';

/** A training job's ARN: its region, its account and its (lower-cased) name. */
export const TRAINING_JOB_ARN_PATTERN = /^arn:aws[a-z-]*:sagemaker:([a-z0-9-]+):(\d{12}):training-job\/([A-Za-z0-9][A-Za-z0-9-]{0,62})$/;
