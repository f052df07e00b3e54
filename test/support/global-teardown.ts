import { removeRunRoot } from './temporary-folders';

/** Runs once after every suite: the run's temporary root goes, and with it everything the suites left there. */
export default function globalTeardown(): void {
  const root = process.env.INVENTORY_TEST_RUN_ROOT;
  if (root) removeRunRoot(root);
}
