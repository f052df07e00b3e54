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
