/**
 * Every temporary file of a test run lives under one folder of its own, so `npm test` leaves none behind:
 * the global setup makes the run's root and points TMPDIR at it (the workers, and every process they
 * start, inherit it), and the global teardown removes it with whatever the suites left there.
 *
 * Scratch folders of the product (`inventory-*`, lambda/core/process/scratch-folder.ts) must be gone by
 * then: the product removes its own, and the next run removes a killed run's at once. One still there
 * is a leak, and fails the run.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SCRATCH_PREFIX } from '../../lambda/core/process/scratch-folder';

/** Makes the run's root and points TMPDIR at it; returns it. */
export function makeRunRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'sm-inventory-test-'));
  process.env.TMPDIR = root;
  return root;
}

/** Removes the run's root; throws naming any product scratch folder left in it. */
export function removeRunRoot(root: string): void {
  const leaked = readdirSync(root).filter((entry) => entry.startsWith(SCRATCH_PREFIX));
  rmSync(root, { recursive: true, force: true });
  if (leaked.length > 0)
    throw new Error(
      `the product left ${leaked.length} scratch folder(s) in TMPDIR during the test run (now removed): ${leaked.join(', ')}`,
    );
}
