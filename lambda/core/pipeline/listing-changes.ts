import { ArnSet } from './arn-rows';
import type { ListedJobs } from './listed-jobs';
import type { PreviousJobIndex } from './previous-job-index';
import type { FirstSeenJob } from './target-run-types';

/** What the full listing, checked against the previous snapshot, says the new snapshot and the ledger hold. */
export interface ListingChanges {
  /** ARNs whose row is carried from the previous snapshot: the same job, settled and listed as it was. */
  readonly carried: ArnSet;
  /** Listed jobs the previous snapshot does not have; undefined without a previous snapshot (then every job is new). */
  readonly jobsNew: number | undefined;
  /** Jobs in the snapshot for the first time (by ARN and creation time, since a name comes back after DeleteTrainingJob). */
  readonly firstSeen: FirstSeenJob[];
  /** Where the rows of the previous snapshot's jobs that are not in this one are in its file, ascending. */
  readonly departed: number[];
}

/** What the listing's jobs became once described. */
export interface DescribeOutcomes {
  /** Found gone when described: not in the snapshot. */
  readonly vanished: ReadonlySet<string>;
  /** Set aside: not in the snapshot, so not new; one the previous snapshot has is not gone either. */
  readonly setAside: ReadonlySet<string>;
}

/**
 * The listing against the previous snapshot's index, in one pass and one index lookup a job: which
 * rows are carried (none when `carries` is false, as in a full snapshot), which jobs are new, and which of
 * the previous snapshot's rows are gone. The jobs that stay, and those carried, are a mark per index row (a byte a job).
 */
export function listingChanges(
  listed: ListedJobs,
  previous: PreviousJobIndex | undefined,
  carries: boolean,
  outcomes: DescribeOutcomes,
): ListingChanges {
  const carried = new ArnSet(previous?.arns);
  const firstSeen: FirstSeenJob[] = [];
  const staying = new Uint8Array(previous?.size ?? 0);
  let jobsNew = 0;
  for (const { name, arn, created, lastModified, status } of listed) {
    const row = arn === undefined || previous === undefined ? -1 : previous.rowOfJob(arn, created);
    if (row < 0) jobsNew++;
    else if (carries && previous!.isUnchangedAt(row, lastModified, status)) carried.addRow(row);
    if (arn === undefined || outcomes.vanished.has(name)) continue;
    if (row >= 0) staying[row] = 1;
    else if (!outcomes.setAside.has(name)) firstSeen.push({ arn, name, created });
  }
  return { carried, jobsNew: previous && jobsNew, firstSeen, departed: departedOf(previous, staying) };
}

/** The file positions of the index rows not marked as staying, ascending. */
function departedOf(previous: PreviousJobIndex | undefined, staying: Uint8Array): number[] {
  const departed: number[] = [];
  for (let row = 0; row < staying.length; row++) if (staying[row] === 0) departed.push(previous!.positionAt(row));
  return departed.sort((a, b) => a - b);
}
