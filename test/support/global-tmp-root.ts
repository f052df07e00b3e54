import { makeRunRoot } from './temporary-folders';

/** Runs once before the test workers start: the run's temporary root, which they inherit as TMPDIR. */
export default function globalTmpRoot(): void {
  const root = makeRunRoot();
  // The teardown runs in this process too, and finds the root here even if a suite changed TMPDIR.
  process.env.INVENTORY_TEST_RUN_ROOT = root;
}
