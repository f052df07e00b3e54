import { CollectError } from '../errors';
import type { ShrinkGuardSettings } from './config';
import type { SnapshotTarget } from './targets';

/** Nothing was published for a target because its job count dropped too far since its previous snapshot. */
export class ShrinkRefusedError extends CollectError {}

/**
 * Refuses a snapshot whose job count dropped by more than the guard's share and more than its count of
 * jobs, or to 0 from any count, since `previous` (the snapshot it continues from). A listing that comes
 * back short, or describes that all answer "not found", look exactly like this; a real mass deletion
 * is accepted with `allow`.
 */
export function refuseShrink(
  guard: ShrinkGuardSettings,
  target: SnapshotTarget,
  previous: { readonly snapshotDate: string; readonly rows: number } | undefined,
  jobs: number,
): void {
  if (guard.allow || previous === undefined || jobs >= previous.rows) return;
  const dropped = previous.rows - jobs;
  if (jobs > 0 && !(dropped > previous.rows * guard.share && dropped > guard.jobs)) return;
  throw new ShrinkRefusedError(
    `${target.accountId}/${target.region} would go from ${previous.rows} jobs (snapshot of ${previous.snapshotDate}) to ${jobs}: ` +
      `${jobs === 0 ? 'every job gone' : `${dropped} jobs gone, more than ${guard.share * 100}% and more than ${guard.jobs}`}, ` +
      'which a listing or describes gone wrong look like; nothing was published for it. ' +
      'If the jobs were really deleted, run again with --allow-shrink (SM_INVENTORY_ALLOW_SHRINK=true)',
  );
}
