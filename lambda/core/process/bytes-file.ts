import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * Writes `bytes`, as they come, into the file `path`. `flush` syncs it to disk before resolving: for a
 * file that is published, not for scratch read back at once, which the page cache serves.
 */
export async function writeBytesFile(path: string, bytes: AsyncIterable<Uint8Array>, options: { flush: boolean }): Promise<void> {
  await pipeline(Readable.from(bytes, { objectMode: false }), createWriteStream(path, { flush: options.flush }));
}
