import type { Data, Map_, RecordBatch, Utf8, Vector } from 'apache-arrow';
import { createHash } from 'node:crypto';
import { InventoryError, describeError } from '../errors';
import { SnapshotReader } from '../parquet/parquet-reader';
import { stringMapCellHash, utf8Cells } from '../parquet/string-map-cell';
import { readCommittedKeys } from '../publish/run-record';
import type { LocalCopy, WarehouseStore } from '../publish/store';
import type { TableSchema } from '../schema/table-schema';
import type { ArnRows } from './arn-rows';
import { PreviousJobIndex } from './previous-job-index';
import type { SnapshotTarget } from './targets';
import { stateKey } from './work-area';

/**
 * What a run leaves for the next run of the same (account, region): which object holds the latest
 * snapshot, and what it was written with. A mismatch in either fingerprint means its rows are not the
 * rows a full describe would write today, so the next run describes everything.
 */
export interface SnapshotState {
  readonly version: 1;
  readonly snapshotDate: string;
  /** Key of the snapshot object, relative to the warehouse root. */
  readonly key: string;
  readonly rows: number;
  readonly schemaFingerprint: string;
  /** Settings that change how rows are written (redaction). */
  readonly settingsFingerprint: string;
  /** The last snapshot in which every job was described. */
  readonly lastFullSnapshotDate: string;
  /**
   * The committed state this one replaced. A run writes its state before its commit point (the run
   * record), so when the commit never happens this is what the next run starts from.
   */
  readonly previous?: SnapshotState;
}

/** What the previous snapshot says of one job: enough to decide whether to describe it again. */
export interface PreviousJob {
  /** Epoch ms. With the ARN it identifies the job: a name, and so an ARN, comes back after DeleteTrainingJob. */
  readonly creationTime: number | null;
  readonly lastModifiedTime: number | null;
  readonly status: string | null;
  /** Ended, its warm pool gone or reused, and no rule evaluation still running: nothing about it changes any more. */
  readonly settled: boolean;
}

export function schemaFingerprint(schema: TableSchema): string {
  return fingerprint(schema.columns.map((c) => `${c.name}:${c.type}`));
}

export function fingerprint(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);
}

/**
 * The state of the latest committed snapshot: the state object when the run record of its date names its
 * object, else the committed state it replaced (a run whose commit failed after its state was written).
 */
export async function readSnapshotState(store: WarehouseStore, table: string, target: SnapshotTarget): Promise<SnapshotState | undefined> {
  const state = await readStateObject(store, table, target);
  if (state === undefined) return undefined;
  const committed = await readCommittedKeys(store, state.snapshotDate, target);
  return committed?.snapshot === state.key ? state : state.previous;
}

async function readStateObject(store: WarehouseStore, table: string, target: SnapshotTarget): Promise<SnapshotState | undefined> {
  const bytes = await store.get(stateKey(table, target));
  if (bytes === undefined) return undefined;
  let state: SnapshotState;
  try {
    state = JSON.parse(Buffer.from(bytes).toString('utf8')) as SnapshotState;
  } catch (error) {
    throw new InventoryError(`the state ${store.locationOf(stateKey(table, target))} is not JSON`, { cause: error });
  }
  if (state.version !== 1 || typeof state.key !== 'string' || typeof state.snapshotDate !== 'string') {
    throw new InventoryError(`the state ${store.locationOf(stateKey(table, target))} is not a snapshot state this version reads`);
  }
  return state;
}

export async function writeSnapshotState(
  store: WarehouseStore,
  table: string,
  target: SnapshotTarget,
  state: SnapshotState,
): Promise<void> {
  await store.put(
    stateKey(table, target),
    (async function* () {
      yield Buffer.from(`${JSON.stringify(state)}\n`);
    })(),
  );
}

const ENDED = new Set(['Completed', 'Failed', 'Stopped']);
const RELEASED_WARM_POOL = new Set(['Terminated', 'Reused']);

function parsedJson(text: unknown): unknown {
  if (typeof text !== 'string') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Whether a JSON array of rule evaluation statuses has one in progress; text without the word has none, and is not parsed. */
function anyRuleInProgress(text: string | null): boolean {
  if (text === null || (!text.includes('InProgress') && !text.includes('\\u'))) return false;
  const statuses = parsedJson(text);
  return Array.isArray(statuses) && statuses.some((s) => (s as { RuleEvaluationStatus?: string })?.RuleEvaluationStatus === 'InProgress');
}

/** The columns of a row of the training-job table that tell whether its job is settled. */
interface SettledFields {
  readonly status: string | null;
  readonly warmPoolStatus: string | null;
  readonly debugRuleStatuses: string | null;
  readonly profilerRuleStatuses: string | null;
}

/** The settled rule, on a row of the training-job table. */
export function isSettled(row: SettledFields): boolean {
  if (row.status === null || !ENDED.has(row.status)) return false;
  if (row.warmPoolStatus !== null) {
    const status = (parsedJson(row.warmPoolStatus) as { Status?: string } | undefined)?.Status;
    if (!status || !RELEASED_WARM_POOL.has(status)) return false;
  }
  return !anyRuleInProgress(row.debugRuleStatuses) && !anyRuleInProgress(row.profilerRuleStatuses);
}

/**
 * A job's tags today when they are the ones its row of the previous snapshot holds: they are read from
 * that row again when the new object is written, not kept in memory all day (most tags do not move).
 */
export const TAGS_AS_BEFORE: unique symbol = Symbol('tags as in the previous snapshot');

/** A job's tags as the run holds them: the set read today, or TAGS_AS_BEFORE. */
export type TodayTags = Readonly<Record<string, string>> | typeof TAGS_AS_BEFORE;

/** The columns the index reads: its texts, each decoded a column at a time, its times and its tags (hashed). */
const INDEX_TEXT_COLUMNS = [
  '_key',
  'training_job_status',
  'warm_pool_status',
  'debug_rule_evaluation_statuses',
  'profiler_rule_evaluation_statuses',
] as const;
const INDEX_TIME_COLUMNS = ['creation_time', 'last_modified_time'] as const;
const INDEX_COLUMNS = [...INDEX_TEXT_COLUMNS, ...INDEX_TIME_COLUMNS, 'tags'];

/**
 * Adds the jobs of `batch` (the index columns of the rows from `firstPosition` of the file) to `jobs`,
 * a column at a time: each string column decoded at once, no object made per row. Returns the latest
 * last_modified_time among them, if any.
 */
function indexBatch(jobs: PreviousJobIndex, batch: RecordBatch, firstPosition: number): number | undefined {
  const [keys, statuses, warmPools, debugRules, profilerRules] = INDEX_TEXT_COLUMNS.map((name) =>
    nullableCells(batch.getChild(name)!.data[0] as Data<Utf8>),
  );
  const [created, modified] = INDEX_TIME_COLUMNS.map((name) => batch.getChild(name)!);
  const tags = batch.getChild('tags')!.data[0] as Data<Map_<Utf8, Utf8>>;
  let latest: number | undefined;
  for (let index = 0; index < batch.numRows; index++) {
    const lastModifiedTime = timeAt(modified, index);
    if (lastModifiedTime !== null) latest = Math.max(latest ?? lastModifiedTime, lastModifiedTime);
    const status = statuses[index];
    const settled = isSettled({
      status,
      warmPoolStatus: warmPools[index],
      debugRuleStatuses: debugRules[index],
      profilerRuleStatuses: profilerRules[index],
    });
    const job = { creationTime: timeAt(created, index), lastModifiedTime, status, settled };
    jobs.add(String(keys[index]), job, firstPosition + index, stringMapCellHash(tags, index));
  }
  return latest;
}

/** Every cell of a string column, decoded at once, null where unset. */
function nullableCells(column: Data<Utf8>): (string | null)[] {
  const cells: (string | null)[] = utf8Cells(column);
  if (column.nullCount > 0) for (let index = 0; index < cells.length; index++) if (!column.getValid(index)) cells[index] = null;
  return cells;
}

/** A timestamp cell in epoch milliseconds, or null. */
function timeAt(column: Vector, index: number): number | null {
  const value: unknown = column.get(index);
  return value === null || value === undefined ? null : Number(value);
}

/** The previous snapshot, opened: its per-job index and a way to stream its rows again. */
export interface PreviousSnapshot {
  readonly state: SnapshotState;
  readonly jobs: PreviousJobIndex;
  /** The latest LastModifiedTime of any job in it (epoch ms); undefined when it has no job. */
  readonly latestModifiedTime: number | undefined;
  readonly reader: SnapshotReader;
  /**
   * What outlives the index: its ARNs by row, by which the carried jobs and today's tags are kept, the
   * row of each position of the file (-1 where a later position of the same ARN took it), and by row
   * its position and the hash of its tags (stringMapHash).
   */
  readonly rows: {
    readonly arns: ArnRows;
    readonly ofPosition: Int32Array;
    readonly positionOf: Uint32Array;
    readonly tagsHashOf: Float64Array;
  };
  /** Empties `jobs` once the describe-or-carry decisions are made; the rows stay readable. */
  releaseIndex(): void;
  close(): Promise<void>;
}

/** Why the previous snapshot cannot be the base of an incremental run; the run describes everything instead. */
export class PreviousSnapshotUnusableError extends InventoryError {}

/**
 * Opens the previous snapshot of the target and indexes it by ARN, reading only the columns the
 * describe-or-carry decision needs, one row group at a time.
 */
export async function openPreviousSnapshot(store: WarehouseStore, schema: TableSchema, state: SnapshotState): Promise<PreviousSnapshot> {
  let copy: LocalCopy | undefined;
  try {
    copy = await store.download(state.key);
  } catch (error) {
    throw new PreviousSnapshotUnusableError(
      `the previous snapshot ${store.locationOf(state.key)} cannot be read: ${describeError(error)}`,
      { cause: error },
    );
  }
  if (!copy) throw new PreviousSnapshotUnusableError(`the previous snapshot ${store.locationOf(state.key)} is gone`);
  const release = copy.release;
  try {
    const reader = await SnapshotReader.open(copy.path, schema);
    if (reader.rows !== state.rows) {
      reader.close();
      throw new PreviousSnapshotUnusableError(
        `the previous snapshot ${store.locationOf(state.key)} has ${reader.rows} rows where its state says ${state.rows}`,
      );
    }
    const jobs = new PreviousJobIndex(reader.rows);
    let latestModifiedTime: number | undefined;
    let position = 0;
    for await (const batch of reader.batchesOf(INDEX_COLUMNS)) {
      const latest = indexBatch(jobs, batch, position);
      if (latest !== undefined) latestModifiedTime = Math.max(latestModifiedTime ?? latest, latest);
      position += batch.numRows;
    }
    return {
      state,
      jobs,
      latestModifiedTime,
      reader,
      rows: { arns: jobs.arns, ofPosition: jobs.rowOfPosition, positionOf: jobs.positionOfRow, tagsHashOf: jobs.tagsHashOfRow },
      releaseIndex: () => jobs.clear(),
      close: async () => {
        reader.close();
        await release();
      },
    };
  } catch (error) {
    await release();
    if (error instanceof PreviousSnapshotUnusableError) throw error;
    throw new PreviousSnapshotUnusableError(
      `the previous snapshot ${store.locationOf(state.key)} cannot be used: ${describeError(error)}`,
      { cause: error },
    );
  }
}
