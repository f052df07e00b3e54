import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, rmdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PublishError } from '../errors';
import { snapshotObjectPath, type SnapshotObjectId } from './layout';
import type { PublishResult, SnapshotPublisher } from './publisher';

/**
 * Writes to `<file>.<uuid>.tmp` beside the target, fsyncs, then renames: rename(2) within one folder is
 * atomic, so DuckDB or a copy job sees the previous file or the new one. The temp name has no
 * `.parquet` suffix, so a `*.parquet` glob never picks up a file still being written.
 */
export class LocalSnapshotPublisher implements SnapshotPublisher {
  constructor(private readonly directory: string) {}

  describe(): string {
    return this.directory;
  }

  async publish(id: SnapshotObjectId, body: AsyncIterable<Uint8Array>): Promise<PublishResult> {
    const target = join(this.directory, snapshotObjectPath(id));
    const temporary = `${target}.${randomUUID()}.tmp`;
    let bytes = 0;
    try {
      await mkdir(dirname(target), { recursive: true });
      const counter = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          bytes += chunk.length;
          callback(null, chunk);
        },
      });
      await pipeline(Readable.from(body, { objectMode: false }), counter, createWriteStream(temporary, { flush: true }));
      await rename(temporary, target);
    } catch (error) {
      await rm(temporary, { force: true });
      // A partition folder created for this attempt alone would show an empty partition to readers.
      await rmdir(dirname(target)).catch(() => undefined);
      throw new PublishError(`writing ${target} failed; the previous snapshot object, if any, is unchanged`, { cause: error });
    }
    return { location: target, bytes };
  }
}
