import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * Writes `bytes`, as they come, into the scratch file `path`. Not synced to disk: the file is read back
 * by this process, which the page cache serves, and what is published is the store's copy, which the
 * store makes durable (local-store.ts syncs its file before the rename; S3 holds what it acknowledged).
 */
export async function writeBytesFile(path: string, bytes: AsyncIterable<Uint8Array>): Promise<void> {
  await pipeline(Readable.from(bytes, { objectMode: false }), createWriteStream(path));
}
