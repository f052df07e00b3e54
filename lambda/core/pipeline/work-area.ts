import { STATE_PREFIX, WORK_PREFIX } from '../names';
import type { SnapshotTarget } from './targets';

/**
 * Where a run keeps what is not a table: its work area (checkpoints, listed summaries, parts of rows
 * described so far, the lease) and the state it hands to the next run (which object the latest
 * snapshot of an (account, region) is). Both prefixes sit beside the tables, outside every table's
 * location, so Athena never reads them; the work area expires by a lifecycle rule if a run is abandoned.
 */
export { STATE_PREFIX, WORK_PREFIX } from '../names';

/** The work area of one (account, region, date) of one table. */
export function workFolder(table: string, snapshotDate: string, target: Pick<SnapshotTarget, 'accountId' | 'region'>): string {
  return `${WORK_PREFIX}/${table}/snapshot_date=${snapshotDate}/region=${target.region}/${target.accountId}`;
}

export function workKeys(table: string, snapshotDate: string, target: Pick<SnapshotTarget, 'accountId' | 'region'>) {
  const folder = workFolder(table, snapshotDate, target);
  return {
    lease: `${folder}/lease.json`,
    checkpoint: `${folder}/checkpoint.json`,
    /** The table objects a run is about to write, so a later run removes them if it never committed them (commit-point.ts). */
    intent: `${folder}/commit-intent.json`,
    progress: (invocation: number) => `${folder}/progress-${String(invocation).padStart(5, '0')}.json`,
    part: (invocation: number) => `${folder}/part-${String(invocation).padStart(5, '0')}.parquet`,
  };
}

/** The pointer to an (account, region)'s latest published snapshot of a table. */
export function stateKey(table: string, target: Pick<SnapshotTarget, 'accountId' | 'region'>): string {
  return `${STATE_PREFIX}/${table}/region=${target.region}/${target.accountId}.json`;
}
