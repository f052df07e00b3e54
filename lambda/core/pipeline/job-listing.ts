import type { TrainingJobSummary } from '@aws-sdk/client-sagemaker';
import { LIST_PAGE_SIZE, TimeBudgetExhaustedError, type SummaryPage, type TrainingJobSource } from '../collect/training-job-source';
import { describeError } from '../errors';
import type { Checkpoint } from './checkpoint';
import type { InvocationControl } from './invocation-control';

/** One invocation's share of a target's listing, and where each page's jobs go. */
export interface JobListing {
  readonly source: TrainingJobSource;
  /** Where the listing is; each page moves it on, so a later invocation resumes from there. */
  readonly list: Checkpoint['list'];
  /** Where the modified-first listing starts; undefined when there is none (a full run, or no previous snapshot). */
  readonly modifiedAfter: Date | undefined;
  readonly control: InvocationControl;
  /** Jobs of the modified-first listing: described early, but only the full listing puts them in the snapshot. */
  onModified(summaries: readonly TrainingJobSummary[]): void;
  /** Jobs of the full listing: the jobs of the snapshot. */
  onListed(summaries: readonly TrainingJobSummary[]): void;
  onWarning(message: string, details: Record<string, unknown>): void;
}

type PagingOutcome = 'ended' | 'stopped' | 'declined';

/**
 * Lists the jobs modified since the previous snapshot first, then every job, each from where an earlier
 * invocation left off, until both are through or the invocation halts. An error of the full listing
 * escapes; the modified-first listing only gives way to the full listing when it fails.
 */
export async function listJobs(listing: JobListing): Promise<void> {
  const { list, modifiedAfter } = listing;
  // The jobs modified since the previous snapshot are most of what needs describing; listing them
  // first lets their describes run alongside the full listing instead of after it.
  if (modifiedAfter !== undefined && !list.modifiedFirst) {
    const outcome = await listModifiedFirst(listing, modifiedAfter);
    if (outcome === 'stopped') return;
  }
  await listPages(listing.source.summaryPages(list.token), listing.control, (page) => {
    listing.onListed(page.summaries);
    list.token = page.nextToken;
    if (page.nextToken === undefined) list.done = true;
    return true;
  });
  list.done = list.done || list.token === undefined;
}

async function listModifiedFirst(listing: JobListing, modifiedAfter: Date): Promise<PagingOutcome> {
  const { list, control } = listing;
  try {
    const outcome = await listPages(listing.source.summaryPages(list.modifiedToken, modifiedAfter), control, (page) => {
      listing.onModified(page.summaries);
      list.modifiedToken = page.nextToken;
      // A page short of full with more to come means the service filters after paging: this
      // listing would then cost as many calls as the full one, which finds these jobs anyway.
      const more = page.nextToken !== undefined && page.summaries.length >= LIST_PAGE_SIZE;
      if (!more) list.modifiedFirst = true;
      return more;
    });
    if (outcome === 'stopped') return outcome;
  } catch (error) {
    if (error instanceof TimeBudgetExhaustedError || control.signal.aborted) throw error;
    listing.onWarning('listing the jobs modified since the previous snapshot failed; the full listing finds them, later', {
      reason: describeError(error),
    });
  }
  list.modifiedFirst = true;
  return 'ended';
}

/** Pages through a listing until it ends, the invocation halts, or `onPage` wants no more. */
async function listPages(
  pages: AsyncIterable<SummaryPage>,
  control: InvocationControl,
  onPage: (page: SummaryPage) => boolean,
): Promise<PagingOutcome> {
  for await (const page of pages) {
    const more = onPage(page);
    if (control.halted.aborted) return 'stopped';
    if (!more) return 'declined';
  }
  return 'ended';
}
