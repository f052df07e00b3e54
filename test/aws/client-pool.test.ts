import { AwsClientPool } from '../../lambda/core/aws/client-pool';
import { TEST_CREDENTIALS } from '../support/local-simulator';

describe('AwsClientPool', () => {
  const role = 'arn:aws:iam::210987654321:role/SageMakerJobInventoryRead';

  it('hands out the same clients for the same role and region, so a warm Lambda reuses them', () => {
    const pool = new AwsClientPool({ credentials: TEST_CREDENTIALS });
    expect(pool.source('us-east-1')).toBe(pool.source('us-east-1'));
    expect(pool.source('us-east-1', role)).toBe(pool.source('us-east-1', role));
    expect(pool.s3('eu-west-1')).toBe(pool.s3('eu-west-1'));
    pool.destroy();
  });

  it('keeps accounts and regions apart', async () => {
    const pool = new AwsClientPool({ credentials: TEST_CREDENTIALS });
    expect(pool.source('us-east-1')).not.toBe(pool.source('us-east-1', role));
    expect(pool.source('us-east-1')).not.toBe(pool.source('eu-west-1'));
    expect(await pool.source('eu-west-1').sagemaker.config.region()).toBe('eu-west-1');
    pool.destroy();
  });

  it('builds new clients after destroy', () => {
    const pool = new AwsClientPool({ credentials: TEST_CREDENTIALS });
    const before = pool.source('us-east-1');
    pool.destroy();
    expect(pool.source('us-east-1')).not.toBe(before);
    pool.destroy();
  });
});
