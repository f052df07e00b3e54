import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { AwsClientPool } from '../aws/client-pool';
import type { ClientSettings } from '../aws/clients';
import type { CollectStats } from '../collect/call-stats';
import { mapWithConcurrency } from '../collect/concurrency';
import { TrainingJobCollector } from '../collect/training-job-collector';
import { describeError, InventoryError } from '../errors';
import { ParquetWasmEncoder } from '../parquet/parquet-encoder';
import { accountRegionObject, formatWarehouseRoot, utcDate } from '../publish/layout';
import { LocalSnapshotPublisher } from '../publish/local-publisher';
import { publishRunRecord } from '../publish/run-record';
import type { SnapshotPublisher } from '../publish/publisher';
import { S3SnapshotPublisher } from '../publish/s3-publisher';
import { TrainingJobRowMapper, type TableRow, type TrainingJobRecord } from '../rows/training-job-row';
import { TRAINING_JOB_SCHEMA, type TableSchema } from '../schema/table-schema';
import type { InventoryConfig } from './config';

/** One (account, region) of a run. */
export interface SnapshotTarget {
  readonly accountId: string;
  readonly region: string;
  /** Undefined: the caller's own credentials. */
  readonly roleArn?: string;
}

export interface TargetResult extends SnapshotTarget {
  readonly status: 'succeeded' | 'failed';
  readonly jobsWritten: number;
  readonly bytesWritten: number;
  readonly location?: string;
  readonly collect?: CollectStats;
  /** API field name → number of jobs that had it, for fields the schema lacks. */
  readonly unknownFields: Readonly<Record<string, number>>;
  readonly error?: string;
  readonly durationMs: number;
}

export interface SnapshotReport {
  readonly snapshotDate: string;
  readonly output: string;
  readonly targets: readonly TargetResult[];
  readonly failed: readonly TargetResult[];
  readonly durationMs: number;
}

export interface SnapshotEvents {
  targetStarted?(target: SnapshotTarget): void;
  targetProgress?(target: SnapshotTarget, jobsWritten: number): void;
  targetFinished?(result: TargetResult): void;
  warning?(message: string, details: Record<string, unknown>): void;
}

export interface SnapshotRunOptions {
  /** UTC date of the snapshot. @default today (UTC) */
  readonly snapshotDate?: string;
  /** Epoch ms by which every target must be done: calls in flight are aborted and no retry starts after it. @default now + the configured time budget */
  readonly deadline?: number;
  readonly events?: SnapshotEvents;
  /** The caller's credentials. @default the SDK's default chain */
  readonly credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  readonly signal?: AbortSignal;
  readonly schema?: TableSchema;
  /** Clients to use and keep (a warm Lambda passes the same pool each time). @default a pool for this run, destroyed after it */
  readonly clients?: AwsClientPool;
}

/** The run ended with at least one (account, region) not written; the others were published. */
export class SnapshotIncompleteError extends InventoryError {
  constructor(readonly report: SnapshotReport) {
    super(
      `${report.failed.length} of ${report.targets.length} (account, region) snapshots failed for ${report.snapshotDate}: ` +
        report.failed.map((t) => `${t.accountId}/${t.region}: ${t.error}`).join('; '),
    );
  }
}

/**
 * The snapshot pipeline: for each (account, region), collect → map rows → encode Parquet row groups
 * as records arrive → publish atomically. Targets run independently: one failing leaves the others'
 * objects published and its own previous object untouched.
 */
export async function runSnapshot(config: InventoryConfig, options: SnapshotRunOptions = {}): Promise<SnapshotReport> {
  const started = performance.now();
  const snapshotDate = options.snapshotDate ?? utcDate(new Date());
  const schema = options.schema ?? TRAINING_JOB_SCHEMA;
  const events = options.events ?? {};
  const mapper = new TrainingJobRowMapper(schema);
  const encoder = new ParquetWasmEncoder(schema, { compression: config.compression, rowGroupRows: config.rowGroupRows });
  const pool = options.clients ?? clientPoolFor(config, options.credentials);
  const deadline = Math.min(options.deadline ?? Number.POSITIVE_INFINITY, Date.now() + config.timeBudgetSeconds * 1000);
  pool.budget.deadline = deadline;
  let results: TargetResult[];
  try {
    const publisher = createPublisher(config, pool);
    const targets = await resolveTargets(config, pool);
    results = await mapWithConcurrency(targets, config.parallelTargets, async (target) => {
      events.targetStarted?.(target);
      const result = await snapshotTarget(target, publisher);
      events.targetFinished?.(result);
      return result;
    });
  } finally {
    if (!options.clients) pool.destroy();
  }

  const report: SnapshotReport = {
    snapshotDate,
    output: formatWarehouseRoot(config.output),
    targets: results,
    failed: results.filter((r) => r.status === 'failed'),
    durationMs: performance.now() - started,
  };
  return report;

  async function snapshotTarget(target: SnapshotTarget, publisher: SnapshotPublisher): Promise<TargetResult> {
    const targetStarted = performance.now();
    const clients = pool.source(target.region, target.roleArn);
    const collector = new TrainingJobCollector({
      ...clients,
      accountId: target.accountId,
      region: target.region,
      limits: config.limits,
      concurrency: config.concurrency,
      tagStrategy: config.tagStrategy,
      deadline,
      signal: options.signal,
      onWarning: (message, details) => events.warning?.(message, { accountId: target.accountId, ...details }),
    });
    const unknownFields: Record<string, number> = {};
    let jobsWritten = 0;
    async function* rows(records: AsyncIterable<TrainingJobRecord>): AsyncIterable<TableRow> {
      for await (const record of records) {
        const mapped = mapper.map(record);
        for (const field of mapped.unknownFields) unknownFields[field] = (unknownFields[field] ?? 0) + 1;
        jobsWritten++;
        if (jobsWritten % 500 === 0) events.targetProgress?.(target, jobsWritten);
        yield mapped.row;
      }
    }
    const startedAt = Date.now();
    try {
      const published = await publisher.publish(
        accountRegionObject(schema, snapshotDate, target.region, target.accountId),
        encoder.encode(rows(collector.records())),
      );
      const collected = collector.stats();
      const operations = Object.values(collected.operations);
      await publishRunRecord(
        publisher,
        {
          snapshotDate,
          accountId: target.accountId,
          region: target.region,
          status: 'complete',
          mode: 'full',
          jobsWritten,
          jobsDescribed: collected.jobsDescribed,
          jobsCarried: 0,
          jobsNew: jobsWritten,
          jobsGone: 0,
          jobsSetAside: 0,
          apiCalls: operations.reduce((sum, op) => sum + op.calls, 0),
          throttledCalls: operations.reduce((sum, op) => sum + op.throttles, 0),
          unknownApiFields: Object.keys(unknownFields),
          snapshotObject: published.location,
          snapshotBytes: published.bytes,
          startedAt,
          finishedAt: Date.now(),
        },
        config.compression,
      );
      return {
        ...target,
        status: 'succeeded',
        jobsWritten,
        bytesWritten: published.bytes,
        location: published.location,
        collect: collector.stats(),
        unknownFields,
        durationMs: performance.now() - targetStarted,
      };
    } catch (error) {
      return {
        ...target,
        status: 'failed',
        jobsWritten: 0,
        bytesWritten: 0,
        collect: collector.stats(),
        unknownFields,
        error: describeError(rootCause(error)),
        durationMs: performance.now() - targetStarted,
      };
    }
  }
}

/** The publisher wraps the collector's error; the most specific one is what the operator needs to read. */
function rootCause(error: unknown): unknown {
  let current = error;
  while (current instanceof InventoryError && current.cause instanceof InventoryError) current = current.cause;
  return current;
}

/** The clients a configuration calls for, for callers that do not keep a pool of their own. */
export function clientPoolFor(config: InventoryConfig, credentials?: ClientSettings['credentials']): AwsClientPool {
  return new AwsClientPool({ credentials, maxAttempts: config.maxAttempts, forcePathStyle: config.s3ForcePathStyle });
}

function createPublisher(config: InventoryConfig, pool: AwsClientPool): SnapshotPublisher {
  if (config.output.kind === 'local') return new LocalSnapshotPublisher(config.output.directory);
  // S3 follows region redirects, so the first configured region serves to start from.
  const client = pool.s3(config.regions[0]);
  return new S3SnapshotPublisher({ client, bucket: config.output.bucket, prefix: config.output.prefix, kmsKeyArn: config.kmsKeyArn });
}

/** Every (account, region) to snapshot. The caller's account comes from STS; a role's from its ARN. */
async function resolveTargets(config: InventoryConfig, pool: AwsClientPool): Promise<SnapshotTarget[]> {
  const accounts: { accountId: string; roleArn?: string }[] = [];
  if (config.includeCallerAccount) {
    const region = config.regions[0];
    try {
      const identity = await pool.source(region).sts.send(new GetCallerIdentityCommand({}));
      accounts.push({ accountId: identity.Account! });
    } catch (error) {
      throw new InventoryError(`cannot identify the caller's account with sts:GetCallerIdentity in ${region}: ${describeError(error)}`, { cause: error });
    }
  }
  for (const roleArn of config.roleArns) accounts.push({ accountId: roleArn.split(':')[4], roleArn });
  const seen = new Set<string>();
  return accounts
    .filter((account) => !seen.has(account.accountId) && seen.add(account.accountId))
    .flatMap((account) => config.regions.map((region) => ({ ...account, region })));
}
