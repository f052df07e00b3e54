import type { TrainingJobSummary } from '@aws-sdk/client-sagemaker';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { OperationStats, TagStrategy } from '../collect/call-stats';
import { describeError, InventoryError } from '../errors';
import type { WarehouseStore } from '../publish/store';
import { readSnapshotState, schemaFingerprint, type SnapshotState } from './previous-snapshot';
import type { SetAsideJob, SnapshotMode, TargetRunSettings } from './target-run-types';
import type { workKeys } from './work-area';

/**
 * What a target run saves when its invocation ends before the target is done: the checkpoint (where
 * listing and tag paging stand, which parts and progress chunks exist, the mode and its base) and, per
 * invocation, a progress chunk of what it added. A resumed invocation replays the chunks in order.
 */

/** What a run keeps of a job's List summary: enough to decide whether to describe it. */
export interface SummaryRecord {
  readonly name: string;
  readonly arn?: string;
  readonly created?: number;
  readonly lastModified?: number;
  readonly status?: string;
}

/** What one invocation adds, saved beside the checkpoint; a resumed invocation replays them all. */
export interface ProgressChunk {
  readonly summaries: SummaryRecord[];
  /** Summaries of the modified-first listing (absent in progress saved before it existed). */
  readonly early?: SummaryRecord[];
  /** Tags read, by ARN; null where they are the ones the previous snapshot's row of the ARN holds (TAGS_AS_BEFORE). */
  readonly tags: [string, Record<string, string> | null][];
  readonly described: string[];
  readonly vanished: string[];
  readonly setAside: SetAsideJob[];
  readonly deferred: string[];
  readonly unknownFields: Record<string, number>;
}

export interface Checkpoint {
  readonly version: 1;
  readonly holder: string;
  readonly snapshotDate: string;
  readonly accountId: string;
  readonly region: string;
  readonly schemaFingerprint: string;
  readonly settingsFingerprint: string;
  readonly mode: SnapshotMode;
  readonly modeReason: string;
  readonly base?: SnapshotState;
  readonly startedAt: number;
  readonly tagScanStartedAt: number;
  invocations: number;
  /** `modifiedFirst`: the jobs modified since the previous snapshot have been listed (from `modifiedToken` on), ahead of the full listing. */
  list: { done: boolean; token?: string; modifiedFirst?: boolean; modifiedToken?: string };
  tags: { strategy: TagStrategy; done: boolean; token?: string };
  chunks: string[];
  parts: string[];
  operations: Record<string, OperationStats>;
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** The summary as the run keeps it; undefined for a summary without a name, which cannot be described. */
export function summaryRecord(summary: TrainingJobSummary): SummaryRecord | undefined {
  if (!summary.TrainingJobName) return undefined;
  return {
    name: summary.TrainingJobName,
    arn: summary.TrainingJobArn,
    created: summary.CreationTime?.getTime(),
    lastModified: summary.LastModifiedTime?.getTime(),
    status: summary.TrainingJobStatus,
  };
}

export async function loadCheckpoint(settings: TargetRunSettings, key: string): Promise<Checkpoint | undefined> {
  const bytes = await settings.store.get(key);
  if (bytes === undefined) return undefined;
  const checkpoint = JSON.parse(Buffer.from(bytes).toString('utf8')) as Checkpoint;
  const matches =
    checkpoint.version === 1 &&
    checkpoint.snapshotDate === settings.snapshotDate &&
    checkpoint.schemaFingerprint === schemaFingerprint(settings.schema) &&
    checkpoint.settingsFingerprint === settings.settingsFingerprint &&
    !(settings.full && checkpoint.mode !== 'full');
  if (!matches) {
    settings.events?.warning?.('the saved progress of an earlier run was written with other settings; starting over', {
      accountId: settings.target.accountId,
      region: settings.target.region,
    });
    return undefined;
  }
  return checkpoint;
}

export async function newCheckpoint(settings: TargetRunSettings): Promise<Checkpoint> {
  const { store, schema, target, snapshotDate, config } = settings;
  let mode: SnapshotMode = 'incremental';
  let modeReason = '';
  let base: SnapshotState | undefined;
  try {
    base = await readSnapshotState(store, schema.table, target);
  } catch (error) {
    settings.events?.warning?.(`${describeError(error)}; describing every job`, { accountId: target.accountId, region: target.region });
    modeReason = 'the previous snapshot state is unreadable';
  }
  // A base that cannot be read with today's schema, or is newer than this date, is not used at all;
  // otherwise a full describe still reads it, to count the jobs that are new and gone.
  if (base && base.schemaFingerprint !== schemaFingerprint(schema)) {
    modeReason = 'the table schema changed since the previous snapshot';
    base = undefined;
  } else if (base && base.snapshotDate > snapshotDate) {
    modeReason = `the previous snapshot (${base.snapshotDate}) is newer than this date`;
    base = undefined;
  }
  if (modeReason) void 0;
  else if (settings.full) modeReason = 'a full describe was asked for';
  else if (!base) modeReason = 'no previous snapshot';
  else if (base.settingsFingerprint !== settings.settingsFingerprint) modeReason = 'redaction settings changed since the previous snapshot';
  else if (daysBetween(base.lastFullSnapshotDate, snapshotDate) >= config.fullEveryDays) {
    modeReason = `${daysBetween(base.lastFullSnapshotDate, snapshotDate)} days since the last full describe (${base.lastFullSnapshotDate}); every ${config.fullEveryDays} days bounds drift`;
  }
  if (modeReason) mode = 'full';
  else modeReason = `only jobs new, changed or not settled since ${base!.snapshotDate} are described`;
  const now = Date.now();
  return {
    version: 1,
    holder: settings.holder,
    snapshotDate,
    accountId: target.accountId,
    region: target.region,
    schemaFingerprint: schemaFingerprint(schema),
    settingsFingerprint: settings.settingsFingerprint,
    mode,
    modeReason,
    base,
    startedAt: now,
    tagScanStartedAt: now,
    invocations: 0,
    list: { done: false },
    tags: { strategy: config.tagStrategy === 'per-job' ? 'per-job' : 'bulk', done: config.tagStrategy === 'per-job' },
    chunks: [],
    parts: [],
    operations: {},
  };
}

/** Saves this invocation's progress chunk, then the checkpoint that lists it. */
export async function saveProgress(
  store: WarehouseStore,
  keys: ReturnType<typeof workKeys>,
  checkpoint: Checkpoint,
  chunk: ProgressChunk,
  operations: Record<string, OperationStats>,
): Promise<void> {
  const key = keys.progress(checkpoint.invocations);
  await store.put(key, bytesOf(gzipSync(JSON.stringify(chunk))));
  checkpoint.chunks.push(key);
  checkpoint.operations = operations;
  await store.put(keys.checkpoint, bytesOf(Buffer.from(JSON.stringify(checkpoint), 'utf8')));
}

/** One saved progress chunk; a missing one means the work area was tampered with, and says how to start over. */
export async function readProgressChunk(store: WarehouseStore, key: string, checkpointKey: string, where: string): Promise<ProgressChunk> {
  const bytes = await store.get(key);
  if (!bytes)
    throw new InventoryError(
      `the saved progress ${store.locationOf(key)} of ${where} is missing; delete ${store.locationOf(checkpointKey)} to start over`,
    );
  return JSON.parse(gunzipSync(bytes).toString('utf8')) as ProgressChunk;
}

function bytesOf(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  return (async function* () {
    yield bytes;
  })();
}
