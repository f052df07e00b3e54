import type { SnapshotObjectId } from './layout';

export interface PublishResult {
  /** Where the object now is: a file path or s3:// URL. */
  readonly location: string;
  readonly bytes: number;
}

/** A local file holding an object's bytes, for readers that need random access (Parquet footers). */
export interface LocalCopy {
  readonly path: string;
  /** Removes the copy if it was downloaded; a no-op for a file that is the object itself. */
  release(): Promise<void>;
}

/** Proof that this run, and no other, may write one (account, region, date) until `release`. */
export interface Lease {
  readonly holder: string;
  release(): Promise<void>;
}

/**
 * The warehouse root: a local folder or `s3://bucket/prefix`. Keys are relative to it. Everything a
 * run writes goes through here: table objects (made visible atomically), and the small objects and
 * parts of its work area and state, which live under prefixes outside every table's location.
 */
export interface WarehouseStore {
  /** The root, as a user would write it. */
  describe(): string;
  /** Where `key` is, as a user would write it. */
  locationOf(key: string): string;
  /** Fails fast, naming the root, when the warehouse cannot be written at all (before any API call is spent). */
  checkWritable(): Promise<void>;
  /**
   * Makes one object visible atomically: readers see the old object or the complete new one, never a
   * partial one. If `body` fails, nothing becomes visible and any earlier object is untouched.
   */
  put(key: string, body: AsyncIterable<Uint8Array>): Promise<PublishResult>;
  /** `put` at a table object's partitioned path. */
  publish(id: SnapshotObjectId, body: AsyncIterable<Uint8Array>): Promise<PublishResult>;
  /** A small object's bytes, or undefined when there is none. */
  get(key: string): Promise<Uint8Array | undefined>;
  /** The object as a local file, or undefined when there is none. */
  download(key: string): Promise<LocalCopy | undefined>;
  /** Removes objects; missing ones are ignored. */
  delete(keys: readonly string[]): Promise<void>;
  /**
   * Takes the lease at `key` for `holder` until `expiresAt` (epoch ms), or returns undefined when another
   * holder has a lease there that has not expired. The same holder may take it again (a resumed run).
   */
  acquireLease(key: string, holder: string, expiresAt: number): Promise<Lease | undefined>;
}

export function jsonBytes(value: unknown): AsyncIterable<Uint8Array> {
  return (async function* () {
    yield Buffer.from(`${JSON.stringify(value)}\n`, 'utf8');
  })();
}

/** What a lease object records. */
export interface LeaseRecord {
  readonly holder: string;
  readonly expiresAt: number;
  readonly takenAt: number;
}
