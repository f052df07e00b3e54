import { dirname } from 'node:path';
import { describeError, PublishError } from '../errors';
import { accountRegionObject, newGeneration, snapshotObjectPath } from '../publish/layout';
import { readCommittedKeys, type CommittedKeys } from '../publish/run-record';
import { jsonBytes, type PublishResult, type WarehouseStore } from '../publish/store';
import { TRAINING_JOB_LEDGER_SCHEMA, type TableSchema } from '../schema/table-schema';
import type { SnapshotTarget } from './targets';
import type { workKeys } from './work-area';

/** A commit that did not happen: nothing the run wrote is visible, and `leftToClean` names what it could not remove. */
export class CommitError extends PublishError {
  constructor(
    message: string,
    readonly leftToClean: readonly string[],
    options: { cause: unknown },
  ) {
    super(message, options);
  }
}

/** What an earlier attempt of the same (account, region, date) was writing when it stopped: removed unless committed. */
interface CommitIntent {
  readonly objects: readonly string[];
}

/**
 * The one commit point of an (account, region, date). The table objects (snapshot, ledger) are written
 * beside the committed ones under a fresh generation name, which no view reads until the run record
 * names it; the run record, replaced in place by one atomic write, is the commit. Before it, every
 * failure leaves what Athena and `current` show as it was (the new objects are removed, or named as left
 * to clean); after it, the objects it superseded are removed, and a failure to remove them is reported,
 * never a failure of the run. Each object is first named in an intent record in the work area, so a
 * later run of the date removes what a killed one left.
 */
export class CommitPoint {
  /** Keys this run wrote that are not committed yet. */
  private readonly staged: string[] = [];

  private constructor(
    private readonly store: WarehouseStore,
    private readonly snapshotSchema: TableSchema,
    private readonly target: SnapshotTarget,
    private readonly snapshotDate: string,
    private readonly intentKey: string,
    /** What the run record of the date commits now, before this run. */
    readonly committed: CommittedKeys | undefined,
    private readonly earlierIntent: readonly string[],
    readonly generation: string,
  ) {}

  static async open(
    store: WarehouseStore,
    snapshotSchema: TableSchema,
    target: SnapshotTarget,
    snapshotDate: string,
    keys: ReturnType<typeof workKeys>,
  ): Promise<CommitPoint> {
    const committed = await readCommittedKeys(store, snapshotDate, target);
    const earlier = readIntent(await store.get(keys.intent));
    return new CommitPoint(store, snapshotSchema, target, snapshotDate, keys.intent, committed, earlier, newGeneration());
  }

  /** The key of a table's new object for this run: beside the committed one, under this run's generation. */
  keyOf(schema: Pick<TableSchema, 'table' | 'partitionKeys'>): string {
    return snapshotObjectPath(accountRegionObject(schema, this.snapshotDate, this.target.region, this.target.accountId, this.generation));
  }

  /** The key of the ledger object the run record of the date names now, if any. */
  committedLedgerKey(): string | undefined {
    return this.committed?.ledger;
  }

  /** Writes `bytes` as a new object at `key`, named in the intent record first. No view reads it until the commit. */
  async stage(key: string, bytes: AsyncIterable<Uint8Array>): Promise<PublishResult> {
    this.staged.push(key);
    await this.store.put(this.intentKey, jsonBytes({ objects: [...this.earlierIntent, ...this.staged] } satisfies CommitIntent));
    return this.store.put(key, bytes);
  }

  /**
   * Runs `steps`, the last of which writes the run record. When one fails, the objects staged so far are
   * removed and a CommitError says nothing became visible (naming what could not be removed).
   */
  async commit<T>(steps: () => Promise<T>): Promise<T> {
    try {
      return await steps();
    } catch (error) {
      const left = await this.remove(this.staged);
      const where = `${this.target.accountId}/${this.target.region} on ${this.snapshotDate}`;
      const leftText = left.length > 0 ? `; left to clean (no view reads them): ${left.join(', ')}` : '';
      throw new CommitError(
        `${describeError(error)}; nothing of ${where} was committed: current, the run table and the ledger show what they showed before${leftText}`,
        left,
        { cause: error },
      );
    }
  }

  /**
   * After the commit: removes the objects of the date the new run record no longer names (the earlier
   * generation, the names of versions before generations, what killed attempts left) and the intent.
   * Returns the locations it could not remove: they are invisible to every view, and the next run of the date retries.
   */
  async retire(keep: readonly string[]): Promise<string[]> {
    const snapshots = dirname(this.keyOf(this.snapshotSchema));
    const ledgers = dirname(this.keyOf(TRAINING_JOB_LEDGER_SCHEMA));
    const superseded = [
      ...(this.committed ? [this.committed.snapshot] : []),
      ...(this.committed?.ledger ? [this.committed.ledger] : []),
      // The one name of each object before generations: what an upgraded warehouse holds for the date.
      `${snapshots}/${this.target.accountId}.parquet`,
      `${ledgers}/${this.target.accountId}.parquet`,
      ...this.earlierIntent,
    ];
    const left = await this.remove([...new Set(superseded)].filter((key) => !keep.includes(key)));
    if (left.length === 0) await this.store.delete([this.intentKey]).catch(() => undefined);
    return left;
  }

  /** Deletes `keys`; returns their locations when it cannot. */
  private async remove(keys: readonly string[]): Promise<string[]> {
    if (keys.length === 0) return [];
    try {
      await this.store.delete(keys);
      return [];
    } catch {
      return keys.map((key) => this.store.locationOf(key));
    }
  }
}

/** The objects an intent record names; an unreadable one (a write cut short) names none, and is replaced by the next stage. */
function readIntent(bytes: Uint8Array | undefined): readonly string[] {
  if (!bytes) return [];
  try {
    const objects = (JSON.parse(Buffer.from(bytes).toString('utf8')) as Partial<CommitIntent>).objects;
    return Array.isArray(objects) ? objects.filter((key): key is string => typeof key === 'string') : [];
  } catch {
    return [];
  }
}
