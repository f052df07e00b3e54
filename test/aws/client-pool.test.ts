import { AwsClientPool } from '../../lambda/core/aws/client-pool';
import { TEST_CREDENTIALS } from '../support/local-simulator';

describe('AwsClientPool', () => {
  const role = 'arn:aws:iam::210987654321:role/SageMakerJobInventoryRead';
  let pool: AwsClientPool;
  beforeEach(() => (pool = new AwsClientPool({ credentials: TEST_CREDENTIALS })));
  afterEach(() => pool.destroy());

  it('hands out the same clients for the same role and region, so a warm Lambda reuses them', () => {
    // Act
    const callerClients = [pool.source('us-east-1'), pool.source('us-east-1')];
    const roleClients = [pool.source('us-east-1', role), pool.source('us-east-1', role)];
    const s3Clients = [pool.s3('eu-west-1'), pool.s3('eu-west-1')];

    // Assess
    expect(callerClients[0]).toBe(callerClients[1]);
    expect(roleClients[0]).toBe(roleClients[1]);
    expect(s3Clients[0]).toBe(s3Clients[1]);
  });

  it("gives a member account's role clients of its own, apart from the caller's", () => {
    // Act
    const caller = pool.source('us-east-1');
    const member = pool.source('us-east-1', role);

    // Assess
    expect(caller).not.toBe(member);
  });

  it('gives each region clients of their own, configured for that region', async () => {
    // Act
    const east = pool.source('us-east-1');
    const west = pool.source('eu-west-1');

    // Assess
    expect(east).not.toBe(west);
    expect(await west.sagemaker.config.region()).toBe('eu-west-1');
  });

  it('builds new clients after destroy', () => {
    // Prepare
    const before = pool.source('us-east-1');

    // Act
    pool.destroy();

    // Assess
    expect(pool.source('us-east-1')).not.toBe(before);
  });
});
