import { ConfigError } from '../../lambda/core/errors';
import { readConfig } from '../../lambda/core/pipeline/config';

describe('readConfig', () => {
  it('defaults to the Lambda region, the caller account and ./warehouse', () => {
    const config = readConfig({ AWS_REGION: 'eu-central-1' });
    expect(config.regions).toEqual(['eu-central-1']);
    expect(config.includeCallerAccount).toBe(true);
    expect(config.output).toMatchObject({ kind: 'local' });
    expect(config.limits).toEqual({ ListTrainingJobs: 2, DescribeTrainingJob: 10, ListTags: 10, GetResources: 5 });
  });

  it('parses an S3 root into bucket and prefix', () => {
    expect(readConfig({ AWS_REGION: 'us-east-1', SM_INVENTORY_OUTPUT: 's3://my-bucket/a/b/' }).output).toEqual({ kind: 's3', bucket: 'my-bucket', prefix: 'a/b' });
  });

  it('snapshots only member accounts when roles are given, unless told otherwise', () => {
    const roles = 'arn:aws:iam::111122223333:role/Read,arn:aws:iam::444455556666:role/Read';
    expect(readConfig({ AWS_REGION: 'us-east-1', SM_INVENTORY_ROLE_ARNS: roles }).includeCallerAccount).toBe(false);
    expect(readConfig({ AWS_REGION: 'us-east-1', SM_INVENTORY_ROLE_ARNS: roles, SM_INVENTORY_INCLUDE_CALLER_ACCOUNT: 'true' }).includeCallerAccount).toBe(true);
  });

  it.each([
    [{ SM_INVENTORY_REGIONS: 'us-east-1,us_east_2' }, 'SM_INVENTORY_REGIONS: region "us_east_2" is not allowed; allowed: an AWS Region code such as us-east-1'],
    [{ SM_INVENTORY_REGIONS: 'us-east-1,us-east-1' }, 'SM_INVENTORY_REGIONS lists a region twice: us-east-1,us-east-1; allowed: each region once'],
    [{ SM_INVENTORY_ROLE_ARNS: 'arn:aws:iam::12345:role/x' }, 'SM_INVENTORY_ROLE_ARNS has "arn:aws:iam::12345:role/x"; allowed: IAM role ARNs such as arn:aws:iam::123456789012:role/name'],
    [{ SM_INVENTORY_LIMITS: 'DescribeTrainingJob=0' }, 'SM_INVENTORY_LIMITS has "DescribeTrainingJob=0"; allowed: <operation>=<calls per second from 0.01 to 10000> with operation one of ListTrainingJobs, DescribeTrainingJob, ListTags, GetResources'],
    [{ SM_INVENTORY_CONCURRENCY: '100' }, 'SM_INVENTORY_CONCURRENCY is "100"; allowed: a whole number from 1 to 64'],
    [{ SM_INVENTORY_TAG_STRATEGY: 'sometimes' }, 'SM_INVENTORY_TAG_STRATEGY is "sometimes"; allowed: auto, bulk, per-job'],
    [{ SM_INVENTORY_COMPRESSION: 'lz4' }, 'SM_INVENTORY_COMPRESSION is "lz4"; allowed: zstd, snappy, gzip, uncompressed'],
    [{ SM_INVENTORY_OUTPUT: 'gs://bucket' }, 'SM_INVENTORY_OUTPUT: output root gs://bucket is not a folder and not s3://bucket[/prefix]; allowed: a local folder or s3://bucket[/prefix] (lower-case s3, two slashes)'],
    [{ SM_INVENTORY_S3_FORCE_PATH_STYLE: 'maybe' }, 'SM_INVENTORY_S3_FORCE_PATH_STYLE is "maybe"; allowed: true or false'],
    [{ SM_INVENTORY_INCLUDE_CALLER_ACCOUNT: 'false' }, 'SM_INVENTORY_INCLUDE_CALLER_ACCOUNT is false and SM_INVENTORY_ROLE_ARNS is empty: there is no account to snapshot; allowed: set one of them, or SM_INVENTORY_ORGANIZATION=true'],
  ])('rejects %j with a message naming the value and what is allowed', (settings, message) => {
    expect(() => readConfig({ AWS_REGION: 'us-east-1', ...settings })).toThrow(new ConfigError(message));
  });

  it('needs a region', () => {
    expect(() => readConfig({})).toThrow('SM_INVENTORY_REGIONS is empty and AWS_REGION is not set; allowed: one or more AWS Region codes such as us-east-1');
  });
});
