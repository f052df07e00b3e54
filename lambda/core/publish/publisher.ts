import type { SnapshotObjectId } from './layout';

export interface PublishResult {
  /** Where the object now is: a file path or s3:// URL. */
  readonly location: string;
  readonly bytes: number;
}

/**
 * Makes one snapshot object visible atomically: readers see the old object or the complete new one,
 * never a partial one. If `body` fails, nothing becomes visible and any earlier object is untouched.
 */
export interface SnapshotPublisher {
  publish(id: SnapshotObjectId, body: AsyncIterable<Uint8Array>): Promise<PublishResult>;
  describe(): string;
}
