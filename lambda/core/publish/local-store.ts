import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream, existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { readFile, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PublishError } from '../errors';
import { isOwnerGone, thisProcess, type ProcessOwner } from '../process/process-owner';
import { ensureDirectory } from './directories';
import { snapshotObjectPath, type SnapshotObjectId } from './layout';
import type { Lease, LeaseRecord, LocalCopy, PublishResult, WarehouseStore } from './store';

/**
 * A temporary file older than this belongs to a run that died, wherever it ran; the next write in its
 * folder removes it. One whose writer provably died on this host goes at once.
 */
const STALE_TEMPORARY_MS = 60 * 60_000;
/** `<file>.<uuid>.tmp` (before writers were named), or `<file>.<pid>-<host hash>-<uuid>.tmp`. */
const TEMPORARY = /\.(?:(\d+)-([0-9a-f]{12})-)?[0-9a-f-]{36}\.tmp$/;

/** The host as a temporary file's name holds it: host names may hold dots and other characters a file name should not. */
function hostTag(host: string): string {
  return createHash('sha256').update(host).digest('hex').slice(0, 12);
}

/** A temporary name for `target` that names its writer, so the next run can tell a dead writer's file from a live one's. */
function temporaryFor(target: string): string {
  return `${target}.${process.pid}-${hostTag(hostname())}-${randomUUID()}.tmp`;
}

/**
 * A warehouse in a local folder. Objects are written to `<file>.<uuid>.tmp` beside the target, fsynced,
 * then renamed: rename(2) within one folder is atomic, so DuckDB or a copy job sees the previous file or
 * the new one. The temporary name has no `.parquet` suffix, so a `*.parquet` glob never picks it up.
 * Leases are lock files created exclusively (O_EXCL); one whose process died or whose time ran out is taken over.
 */
export class LocalStore implements WarehouseStore {
  private readonly directory: string;
  /** Leases this process holds, so the same holder's next invocation continues under them. */
  private readonly held = new Map<string, Lease>();

  constructor(directory: string) {
    this.directory = resolve(directory);
  }

  describe(): string {
    return this.directory;
  }

  locationOf(key: string): string {
    return this.path(key);
  }

  async checkWritable(): Promise<void> {
    const probe = join(this.directory, `.write-check-${randomUUID()}`);
    try {
      await ensureDirectory(this.directory);
      await writeFile(probe, '');
      await rm(probe, { force: true });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'an error';
      throw new PublishError(
        `the warehouse folder ${this.directory} cannot be written (${code}); allowed: a folder this user can create and write`,
        { cause: error },
      );
    }
  }

  private path(key: string): string {
    const path = resolve(this.directory, key);
    if (!path.startsWith(this.directory + sep))
      throw new PublishError(`key ${JSON.stringify(key)} would leave the warehouse folder ${this.directory}`);
    return path;
  }

  publish(id: SnapshotObjectId, body: AsyncIterable<Uint8Array>): Promise<PublishResult> {
    return this.put(snapshotObjectPath(id), body);
  }

  async put(key: string, body: AsyncIterable<Uint8Array>): Promise<PublishResult> {
    const target = this.path(key);
    const temporary = temporaryFor(target);
    let bytes = 0;
    const createdFolder = !existsSync(dirname(target));
    try {
      await ensureDirectory(dirname(target));
      removeStaleTemporaries(dirname(target));
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
      if (createdFolder) await rmdir(dirname(target)).catch(() => undefined);
      throw new PublishError(`writing ${target} failed; the previous object, if any, is unchanged`, { cause: error });
    }
    return { location: target, bytes };
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    try {
      return await readFile(this.path(key));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new PublishError(`reading ${this.path(key)} failed`, { cause: error });
    }
  }

  async download(key: string): Promise<LocalCopy | undefined> {
    const path = this.path(key);
    return existsSync(path) ? { path, release: async () => undefined } : undefined;
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (const key of keys) await rm(this.path(key), { force: true });
  }

  async acquireLease(key: string, holder: string, expiresAt: number): Promise<Lease | undefined> {
    const path = this.path(key);
    const mine = this.held.get(path);
    if (mine) return mine.holder === holder ? mine : undefined;
    await ensureDirectory(dirname(path));
    const record: LocalLeaseRecord = { holder, expiresAt, takenAt: Date.now(), ...thisProcess() };
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await writeFile(path, JSON.stringify(record), { flag: 'wx' });
        const lease: Lease = {
          holder,
          release: async () => {
            this.held.delete(path);
            await rm(path, { force: true });
          },
        };
        this.held.set(path, lease);
        return lease;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw new PublishError(`cannot write the lock ${path}`, { cause: error });
      }
      const existing = await readLease(path);
      if (existing ? !isAbandoned(existing, holder) : await isFresh(path)) return undefined;
      // Abandoned (its process died, or it expired): move it aside, then try once more to create ours.
      const aside = `${path}.${randomUUID()}.stale`;
      await rename(path, aside).catch(() => undefined);
      await rm(aside, { force: true });
    }
    return undefined;
  }
}

/** A local lock file records its process, so one whose process died (SIGKILL) is taken over at once. */
interface LocalLeaseRecord extends LeaseRecord, ProcessOwner {}

async function readLease(path: string): Promise<LocalLeaseRecord | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as LocalLeaseRecord;
  } catch {
    return undefined;
  }
}

/** An unreadable lock file that is only seconds old is one being written right now, not a damaged one. */
async function isFresh(path: string): Promise<boolean> {
  try {
    return Date.now() - (await stat(path)).mtimeMs < 10_000;
  } catch {
    return false;
  }
}

function isAbandoned(lease: LocalLeaseRecord, holder: string): boolean {
  return lease.holder === holder || lease.expiresAt <= Date.now() || isOwnerGone(lease);
}

/** Temporary files of writes whose process died (SIGKILL, power loss): they are garbage, not data. */
function removeStaleTemporaries(folder: string): void {
  const now = Date.now();
  const host = hostTag(hostname());
  for (const entry of readdirSync(folder)) {
    const name = TEMPORARY.exec(entry);
    if (!name) continue;
    const path = join(folder, entry);
    try {
      const writerGone = name[2] === host && isOwnerGone({ pid: Number(name[1]), host: hostname() });
      if (writerGone || now - statSync(path).mtimeMs > STALE_TEMPORARY_MS) rmSync(path, { force: true });
    } catch {
      // Renamed or removed meanwhile by its own writer.
    }
  }
}
