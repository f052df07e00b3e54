import { resolve } from 'node:path';
import { ConfigError } from '../../lambda/core/errors';
import { readConfig, type InventoryConfig } from '../../lambda/core/pipeline/config';

describe('readConfig', () => {
  describe('with only the Lambda region set', () => {
    let config: InventoryConfig;

    beforeAll(() => {
      // Prepare, Act
      config = readConfig({ AWS_REGION: 'eu-central-1' });
    });

    it('snapshots the Lambda region', () => {
      // Assess
      expect(config.regions).toEqual(['eu-central-1']);
    });

    it('snapshots the caller account', () => {
      // Assess
      expect(config.includeCallerAccount).toBe(true);
    });

    it('writes to the local folder ./warehouse', () => {
      // Assess
      expect(config.output).toMatchObject({ kind: 'local' });
      expect(config.output).toEqual({ kind: 'local', directory: resolve('warehouse') });
    });

    it('collects four (account, region) targets at once', () => {
      // Assess
      expect(config.parallelTargets).toBe(4);
    });

    it('paces each operation at its documented default rate', () => {
      // Assess
      expect(config.limits).toEqual({ ListTrainingJobs: 2, DescribeTrainingJob: 10, ListTags: 10, GetResources: 5 });
    });
  });

  it('parses an S3 root into bucket and prefix', () => {
    // Act
    const { output } = readConfig({ AWS_REGION: 'us-east-1', SM_INVENTORY_OUTPUT: 's3://my-bucket/a/b/' });

    // Assess
    expect(output).toEqual({ kind: 's3', bucket: 'my-bucket', prefix: 'a/b' });
  });

  describe('with member-account roles', () => {
    const roles = 'arn:aws:iam::111122223333:role/Read,arn:aws:iam::444455556666:role/Read';

    it('snapshots only the member accounts', () => {
      // Act
      const { includeCallerAccount } = readConfig({ AWS_REGION: 'us-east-1', SM_INVENTORY_ROLE_ARNS: roles });

      // Assess
      expect(includeCallerAccount).toBe(false);
    });

    it('also snapshots the caller account when told to', () => {
      // Act
      const { includeCallerAccount } = readConfig({
        AWS_REGION: 'us-east-1',
        SM_INVENTORY_ROLE_ARNS: roles,
        SM_INVENTORY_INCLUDE_CALLER_ACCOUNT: 'true',
      });

      // Assess
      expect(includeCallerAccount).toBe(true);
    });
  });

  it.each([
    [
      { SM_INVENTORY_REGIONS: 'us-east-1,us_east_2' },
      'SM_INVENTORY_REGIONS has "us_east_2"; allowed: AWS Region codes such as us-east-1, each once',
    ],
    [
      { SM_INVENTORY_REGIONS: 'us-east-1,us-east-1' },
      'SM_INVENTORY_REGIONS lists a region twice: us-east-1,us-east-1; allowed: each region once',
    ],
    [
      { SM_INVENTORY_ROLE_ARNS: 'arn:aws:iam::12345:role/x' },
      'SM_INVENTORY_ROLE_ARNS has "arn:aws:iam::12345:role/x"; allowed: IAM role ARNs such as arn:aws:iam::123456789012:role/SageMakerJobInventoryRead',
    ],
    [
      { SM_INVENTORY_LIMITS: 'DescribeTrainingJob=0' },
      'SM_INVENTORY_LIMITS has "DescribeTrainingJob=0"; allowed: <operation>=<calls per second from 0.01 to 10000> with operation one of ListTrainingJobs, DescribeTrainingJob, ListTags, GetResources',
    ],
    [{ SM_INVENTORY_CONCURRENCY: '100' }, 'SM_INVENTORY_CONCURRENCY is "100"; allowed: a whole number from 1 to 64'],
    [{ SM_INVENTORY_TAG_STRATEGY: 'sometimes' }, 'SM_INVENTORY_TAG_STRATEGY is "sometimes"; allowed: auto, bulk, per-job'],
    [{ SM_INVENTORY_COMPRESSION: 'lz4' }, 'SM_INVENTORY_COMPRESSION is "lz4"; allowed: zstd, snappy, gzip, uncompressed'],
    [
      { SM_INVENTORY_OUTPUT: 'gs://bucket' },
      'SM_INVENTORY_OUTPUT: output root gs://bucket is not a folder and not s3://bucket[/prefix]; allowed: a local folder or s3://bucket[/prefix] (lower-case s3, two slashes)',
    ],
    [{ SM_INVENTORY_S3_FORCE_PATH_STYLE: 'maybe' }, 'SM_INVENTORY_S3_FORCE_PATH_STYLE is "maybe"; allowed: true or false'],
    [
      { SM_INVENTORY_INCLUDE_CALLER_ACCOUNT: 'false' },
      'SM_INVENTORY_INCLUDE_CALLER_ACCOUNT is false and SM_INVENTORY_ROLE_ARNS is empty: there is no account to snapshot; allowed: set one of them, or SM_INVENTORY_ORGANIZATION=true',
    ],
  ])('rejects %j with a message naming the value and what is allowed', (settings, message) => {
    // Act
    const attempt = () => readConfig({ AWS_REGION: 'us-east-1', ...settings });

    // Assess
    expect(attempt).toThrow(new ConfigError(message));
  });

  it('refuses to run without a region, naming both settings that give one', () => {
    // Act
    const attempt = () => readConfig({});

    // Assess
    expect(attempt).toThrow(
      'SM_INVENTORY_REGIONS is empty and AWS_REGION is not set; allowed: one or more AWS Region codes such as us-east-1',
    );
  });

  it('refuses an SM_INVENTORY_* variable no setting reads, naming the closest known one', () => {
    // Prepare
    const environment: Record<string, string> = { AWS_REGION: 'eu-central-1', SM_INVENTORY_CONCURENCY: '4' };

    // Act
    const attempt = () => readConfig(environment);

    // Assess
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow('SM_INVENTORY_CONCURENCY is not a variable of the inventory (did you mean SM_INVENTORY_CONCURRENCY?)');
  });

  it('names a setting as the caller says (a flag), in range errors and in errors between settings', () => {
    // Prepare
    const nameOf = (setting: { variable: string }) =>
      setting.variable === 'SM_INVENTORY_CONCURRENCY' ? '--concurrency' : setting.variable;

    // Act
    const attempt = () => readConfig({ AWS_REGION: 'eu-central-1', SM_INVENTORY_CONCURRENCY: '65' }, nameOf);

    // Assess
    expect(attempt).toThrow('--concurrency is "65"; allowed: a whole number from 1 to 64');
  });
});
