import type { SummaryRecord } from '../../lambda/core/pipeline/checkpoint';
import { ListedJobs } from '../../lambda/core/pipeline/listed-jobs';
import { listingChanges, type DescribeOutcomes } from '../../lambda/core/pipeline/listing-changes';
import { PreviousJobIndex } from '../../lambda/core/pipeline/previous-job-index';
import type { PreviousJob } from '../../lambda/core/pipeline/previous-snapshot';

const ARN = 'arn:aws:sagemaker:us-east-1:123456789012:training-job/';
const CREATED = 1_700_000_000_000;
const MODIFIED = 1_700_000_360_000;

const settled: PreviousJob = { creationTime: CREATED, lastModifiedTime: MODIFIED, status: 'Completed', settled: true };
const none: DescribeOutcomes = { vanished: new Set(), setAside: new Set() };

function summary(name: string, fields: Partial<SummaryRecord> = {}): SummaryRecord {
  return { name, arn: `${ARN}${name}`, created: CREATED, lastModified: MODIFIED, status: 'Completed', ...fields };
}

/** The previous snapshot's file holds `names` in that order, each at the position of its place. */
function indexOf(...names: string[]): PreviousJobIndex {
  const index = new PreviousJobIndex(names.length);
  names.forEach((name, position) => index.add(`${ARN}${name}`, settled, position));
  return index;
}

function listedOf(...records: SummaryRecord[]): ListedJobs {
  const listed = new ListedJobs();
  for (const record of records) listed.set(record);
  return listed;
}

describe('listingChanges', () => {
  it('carries the unchanged jobs, counts and names the new ones, and gives the positions of the gone ones in ascending order', () => {
    // Prepare
    const previous = indexOf('gone-late', 'same', 'modified', 'gone-early', 'reborn');
    const listed = listedOf(
      summary('new'),
      summary('modified', { lastModified: MODIFIED + 1 }),
      summary('same'),
      summary('reborn', { created: CREATED + 1 }),
    );

    // Act
    const changes = listingChanges(listed, previous, true, none);

    // Assess
    expect([...changes.carried]).toEqual([`${ARN}same`]);
    expect(changes.jobsNew).toBe(2);
    expect(changes.firstSeen).toEqual([
      { arn: `${ARN}new`, name: 'new', created: CREATED },
      { arn: `${ARN}reborn`, name: 'reborn', created: CREATED + 1 },
    ]);
    expect(changes.departed).toEqual([0, 3, 4]);
  });

  it('carries nothing in a full snapshot, whose ledger still says what is new and gone', () => {
    // Prepare
    const previous = indexOf('same', 'gone');
    const listed = listedOf(summary('same'), summary('new'));

    // Act
    const changes = listingChanges(listed, previous, false, none);

    // Assess
    expect([changes.carried.size, changes.jobsNew, changes.firstSeen.map((job) => job.name), changes.departed]).toEqual([
      0,
      1,
      ['new'],
      [1],
    ]);
  });

  it('counts a job found gone when described as gone, and a job set aside as neither new nor gone', () => {
    // Prepare
    const previous = indexOf('vanished', 'set-aside-old');
    const listed = listedOf(
      summary('vanished', { status: 'Stopped' }),
      summary('set-aside-old', { status: 'Stopped' }),
      summary('set-aside-new'),
    );
    const outcomes: DescribeOutcomes = { vanished: new Set(['vanished']), setAside: new Set(['set-aside-old', 'set-aside-new']) };

    // Act
    const changes = listingChanges(listed, previous, true, outcomes);

    // Assess
    expect([changes.jobsNew, changes.firstSeen, changes.departed]).toEqual([1, [], [0]]);
  });

  it('calls every job new without a previous snapshot, and a job without an ARN new but not first seen', () => {
    // Prepare
    const listed = listedOf(summary('a'), { name: 'no-arn' });

    // Act
    const withPrevious = listingChanges(listed, indexOf(), true, none);
    const withoutPrevious = listingChanges(listed, undefined, true, none);

    // Assess
    expect([withPrevious.jobsNew, withPrevious.firstSeen.map((job) => job.name), withPrevious.carried.size]).toEqual([2, ['a'], 0]);
    expect([withoutPrevious.jobsNew, withoutPrevious.departed]).toEqual([undefined, []]);
  });
});
