import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isOwnerGone, thisProcess, type ProcessOwner } from './process-owner';

/** Every scratch folder's name starts so, in the system's temporary folder (TMPDIR). */
export const SCRATCH_PREFIX = 'inventory-';
/** The file in a scratch folder that names the process it belongs to. */
export const OWNER_FILE = 'owner.json';
/**
 * A run's scratch folder without an owner file (made before owners were recorded) is garbage after this
 * long. Other `inventory-*` folders without one may be another program's, and are left alone.
 */
const UNOWNED_SCRATCH_MS = 24 * 60 * 60_000;
const UNOWNED_RUN_SCRATCH = /^inventory-run-[A-Za-z0-9]{6}$/;

/** A folder for one task's files, removed with everything in it by `release`. */
export interface ScratchFolder {
  readonly path: string;
  release(): Promise<void>;
}

/**
 * A new scratch folder `inventory-<purpose>-*` in TMPDIR that records its owner. First removes the
 * scratch folders whose owner is provably gone (a run killed with SIGKILL, or out of memory): they are
 * garbage, and a machine that runs the CLI daily would otherwise fill its TMPDIR.
 */
export async function makeScratchFolder(purpose: string): Promise<ScratchFolder> {
  await removeAbandonedScratch();
  const path = await mkdtemp(join(tmpdir(), `${SCRATCH_PREFIX}${purpose}-`));
  await writeFile(join(path, OWNER_FILE), JSON.stringify(thisProcess()));
  return { path, release: () => rm(path, { recursive: true, force: true }) };
}

/** Removes the scratch folders in TMPDIR whose owner is provably gone; returns their paths. */
export async function removeAbandonedScratch(): Promise<string[]> {
  const removed: string[] = [];
  for (const entry of await readdir(tmpdir(), { withFileTypes: true }).catch(() => [])) {
    if (!entry.isDirectory() || !entry.name.startsWith(SCRATCH_PREFIX)) continue;
    const path = join(tmpdir(), entry.name);
    if (!(await isAbandoned(path, UNOWNED_RUN_SCRATCH.test(entry.name)))) continue;
    await rm(path, { recursive: true, force: true }).catch(() => undefined);
    removed.push(path);
  }
  return removed;
}

async function isAbandoned(path: string, oursWithoutOwner: boolean): Promise<boolean> {
  try {
    const owner = JSON.parse(await readFile(join(path, OWNER_FILE), 'utf8')) as Partial<ProcessOwner>;
    return isOwnerGone(owner);
  } catch (error) {
    // No owner file: a folder being made right now (its owner is written next), or one made before owners were recorded.
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || !oursWithoutOwner) return false;
    return Date.now() - (await stat(path).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs > UNOWNED_SCRATCH_MS;
  }
}
