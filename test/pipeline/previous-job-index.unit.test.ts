import { stringMapHash } from '../../lambda/core/parquet/string-map-cell';
import { PreviousJobIndex } from '../../lambda/core/pipeline/previous-job-index';
import type { PreviousJob } from '../../lambda/core/pipeline/previous-snapshot';

const ARN = 'arn:aws:sagemaker:us-east-1:123456789012:training-job/';

const ended: PreviousJob = { creationTime: 1_700_000_000_000, lastModifiedTime: 1_700_000_360_000, status: 'Completed', settled: true };
const blank: PreviousJob = { creationTime: null, lastModifiedTime: null, status: null, settled: false };

describe('PreviousJobIndex', () => {
  it('gives back each job as it was added, nulls included', () => {
    // Prepare
    const index = new PreviousJobIndex(2);

    // Act
    index.add(`${ARN}a`, ended, 0);
    index.add(`${ARN}b`, blank, 1);

    // Assess
    expect([index.get(`${ARN}a`), index.get(`${ARN}b`), index.get(`${ARN}c`)]).toEqual([ended, blank, undefined]);
  });

  it('iterates over every job by ARN, a job added twice once with its later fields', () => {
    // Prepare
    const index = new PreviousJobIndex(3);

    // Act
    index.add(`${ARN}a`, blank, 0);
    index.add(`${ARN}b`, { ...ended, status: 'Failed' }, 1);
    index.add(`${ARN}a`, ended, 2);

    // Assess
    expect([...index]).toEqual([
      [`${ARN}a`, ended],
      [`${ARN}b`, { ...ended, status: 'Failed' }],
    ]);
    expect(index.size).toBe(2);
  });

  it('refuses a job beyond the capacity it was made for, naming the ARN', () => {
    // Prepare
    const index = new PreviousJobIndex(1);
    index.add(`${ARN}a`, ended, 0);

    // Act
    const addingOneMore = () => index.add(`${ARN}b`, ended, 1);

    // Assess
    expect(addingOneMore).toThrow(`the index holds 1 jobs; ${ARN}b is one more`);
  });

  it("tells where each job's row is in the file, the later row for a job added twice", () => {
    // Prepare
    const index = new PreviousJobIndex(3);

    // Act
    index.add(`${ARN}a`, blank, 0);
    index.add(`${ARN}b`, ended, 1);
    index.add(`${ARN}a`, ended, 2);

    // Assess
    expect([index.positionOf(`${ARN}a`), index.positionOf(`${ARN}b`), index.positionOf(`${ARN}c`)]).toEqual([2, 1, undefined]);
  });

  it('gives the row of each position of the file, none for a position whose job a later one replaced, and keeps it once cleared', () => {
    // Prepare
    const index = new PreviousJobIndex(4);
    index.add(`${ARN}a`, blank, 0);
    index.add(`${ARN}b`, ended, 1);
    index.add(`${ARN}a`, ended, 2);
    index.add(`${ARN}c`, ended, 3);

    // Act
    const rowOfPosition = index.rowOfPosition;
    index.clear();

    // Assess
    expect([...rowOfPosition]).toEqual([-1, 1, 0, 2]);
    expect(index.rowOfPosition).toHaveLength(0);
  });

  it('gives the row of a position beyond the file it was made for, none for the positions skipped', () => {
    // Prepare
    const index = new PreviousJobIndex(1);

    // Act
    index.add(`${ARN}a`, ended, 2);

    // Assess
    expect([...index.rowOfPosition].slice(0, 3)).toEqual([-1, -1, 0]);
  });

  it("finds the row of the very job listed, and none for an ARN it lacks or a new job under a deleted one's name", () => {
    // Prepare
    const index = new PreviousJobIndex(2);
    index.add(`${ARN}a`, ended, 7);
    index.add(`${ARN}b`, blank, 8);

    // Act
    const rows = [
      index.rowOfJob(`${ARN}a`, ended.creationTime!),
      index.rowOfJob(`${ARN}a`, undefined),
      index.rowOfJob(`${ARN}a`, ended.creationTime! + 1),
      index.rowOfJob(`${ARN}b`, 123),
      index.rowOfJob(`${ARN}c`, undefined),
    ];

    // Assess
    expect(rows).toEqual([0, 0, -1, 1, -1]);
    expect([index.positionAt(0), index.positionAt(1)]).toEqual([7, 8]);
  });

  it('calls a job unchanged only when settled with the same LastModifiedTime and status, absent on both sides counting as the same', () => {
    // Prepare
    const index = new PreviousJobIndex(3);
    index.add(`${ARN}a`, ended, 0);
    index.add(`${ARN}b`, { ...ended, settled: false }, 1);
    index.add(`${ARN}c`, { ...blank, settled: true }, 2);
    const { lastModifiedTime, status } = ended;

    // Act
    const unchanged = [
      index.isUnchangedAt(0, lastModifiedTime!, status!),
      index.isUnchangedAt(0, lastModifiedTime! + 1, status!),
      index.isUnchangedAt(0, lastModifiedTime!, 'Failed'),
      index.isUnchangedAt(0, undefined, status!),
      index.isUnchangedAt(1, lastModifiedTime!, status!),
      index.isUnchangedAt(2, undefined, undefined),
      index.isUnchangedAt(2, 0, undefined),
      index.isUnchangedAt(2, undefined, ''),
    ];

    // Assess
    expect(unchanged).toEqual([true, false, false, false, false, true, false, false]);
  });

  it("tells whether a job's row holds the very tags given, by the hash of its tags cell; none without its hash or its row", () => {
    // Prepare
    const index = new PreviousJobIndex(3);
    const tags = { team: 'vision', project: 'p1' };
    index.add(`${ARN}a`, ended, 0, stringMapHash(tags));
    index.add(`${ARN}b`, ended, 1);
    index.add(`${ARN}c`, ended, 2, stringMapHash({}));

    // Act
    const answers = [
      index.holdsTags(`${ARN}a`, { team: 'vision', project: 'p1' }),
      index.holdsTags(`${ARN}a`, { team: 'vision', project: 'p2' }),
      index.holdsTags(`${ARN}a`, { project: 'p1', team: 'vision' }),
      index.holdsTags(`${ARN}b`, {}),
      index.holdsTags(`${ARN}c`, {}),
      index.holdsTags(`${ARN}d`, tags),
    ];

    // Assess
    expect(answers).toEqual([true, false, false, false, true, false]);
  });

  it('holds nothing once cleared', () => {
    // Prepare
    const index = new PreviousJobIndex(1);
    index.add(`${ARN}a`, ended, 0);

    // Act
    index.clear();

    // Assess
    expect([index.size, index.get(`${ARN}a`), [...index]]).toEqual([0, undefined, []]);
  });
});
