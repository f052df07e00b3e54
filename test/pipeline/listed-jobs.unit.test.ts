import type { SummaryRecord } from '../../lambda/core/pipeline/checkpoint';
import { ArnRows } from '../../lambda/core/pipeline/arn-rows';
import { ListedJobs } from '../../lambda/core/pipeline/listed-jobs';

const ARN = 'arn:aws:sagemaker:us-east-1:123456789012:training-job/';

const ended: SummaryRecord = {
  name: 'ended',
  arn: `${ARN}ended`,
  created: 1_700_000_000_000,
  lastModified: 1_700_000_360_000,
  status: 'Completed',
};
const bare: SummaryRecord = { name: 'bare' };

function listedOf(...records: SummaryRecord[]): ListedJobs {
  const listed = new ListedJobs();
  for (const record of records) listed.set(record);
  return listed;
}

describe('ListedJobs', () => {
  it('gives back each job as it was set, absent fields absent, and nothing for a name it does not hold', () => {
    // Prepare
    const listed = listedOf(ended, bare);

    // Act
    const found = [listed.get('ended'), listed.get('bare'), listed.get('other')];

    // Assess
    expect(found).toEqual([ended, bare, undefined]);
    expect(JSON.stringify(found[1])).toBe('{"name":"bare"}');
  });

  it('keeps a creation time of 0 and an empty status, which are values and not absence', () => {
    // Prepare
    const epoch: SummaryRecord = { name: 'epoch', created: 0, lastModified: 0, status: '' };

    // Act
    const found = listedOf(epoch).get('epoch');

    // Assess
    expect(found).toEqual(epoch);
  });

  it('replaces the fields of a name set twice, in its first place', () => {
    // Prepare
    const listed = listedOf(ended, bare);

    // Act
    listed.set({ ...ended, status: 'Failed', lastModified: undefined });

    // Assess
    expect([...listed]).toEqual([{ ...ended, status: 'Failed', lastModified: undefined }, bare]);
    expect(listed.size).toBe(2);
  });

  it('hands back the very ARN instance it was given', () => {
    // Prepare
    const arn = ['arn:aws:sagemaker:us-east-1:123456789012:', 'training-job/shared'].join('');

    // Act
    const listed = listedOf({ name: 'shared', arn });

    // Assess
    expect(Object.is(listed.arnOf('shared'), arn)).toBe(true);
  });

  it('holds many more jobs than its first capacity, each with its own fields', () => {
    // Prepare
    const records = Array.from({ length: 5_000 }, (_, index) => ({
      name: `job-${index}`,
      arn: `${ARN}job-${index}`,
      created: 1_700_000_000_000 + index,
      status: index % 3 === 0 ? 'Failed' : 'Completed',
    }));

    // Act
    const listed = listedOf(...records);

    // Assess
    expect([...listed]).toEqual(records);
    expect([...listed.names()]).toEqual(records.map((record) => record.name));
  });

  it('tells the jobs first set after a point, not those only set again', () => {
    // Prepare
    const listed = listedOf(ended);
    const since = listed.size;

    // Act
    listed.set({ ...ended, status: 'Failed' });
    listed.set(bare);

    // Assess
    expect(listed.addedSince(since)).toEqual([bare]);
  });

  it('finds a job by a name its shared ARN ends with, and by one it does not (SageMaker puts a name in lower case in its ARN)', () => {
    // Prepare
    const shared = new ArnRows();
    for (const name of ['ended', 'mixed']) shared.add(`${ARN}${name}`);
    const mixed: SummaryRecord = { name: 'Mixed', arn: `${ARN}mixed`, status: 'Completed' };
    const listed = new ListedJobs(shared);

    // Act
    for (const record of [ended, mixed, bare]) listed.set(record);

    // Assess
    expect([listed.get('ended'), listed.get('Mixed'), listed.get('bare')]).toEqual([ended, mixed, bare]);
    expect([listed.has('mixed'), listed.arnOf('mixed')]).toEqual([false, undefined]);
    expect([...listed.names()]).toEqual(['ended', 'Mixed', 'bare']);
  });

  it('keeps the name of a job held by its shared ARN when the job is set again without an ARN', () => {
    // Prepare
    const shared = new ArnRows();
    shared.add(ended.arn!);
    const listed = new ListedJobs(shared);
    listed.set(ended);

    // Act
    listed.set({ ...ended, arn: undefined });

    // Assess
    expect([...listed]).toEqual([{ ...ended, arn: undefined }]);
    expect(listed.has('ended')).toBe(true);
  });

  it('finds a job whose ARN the shared ARNs gained only after it was made', () => {
    // Prepare
    const shared = new ArnRows();
    shared.add(`${ARN}first`);
    const listed = new ListedJobs(shared);
    shared.add(ended.arn!);

    // Act
    listed.set(ended);

    // Assess
    expect([listed.get('ended'), [...listed.names()]]).toEqual([ended, ['ended']]);
  });

  it('holds nothing once cleared, and takes jobs again', () => {
    // Prepare
    const listed = listedOf(ended, bare);

    // Act
    listed.clear();
    listed.set(bare);

    // Assess
    expect([...listed]).toEqual([bare]);
    expect([listed.has('ended'), listed.has('bare')]).toEqual([false, true]);
  });
});
