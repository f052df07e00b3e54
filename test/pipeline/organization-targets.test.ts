import { AwsClientPool } from '../../lambda/core/aws/client-pool';
import { ConfigError } from '../../lambda/core/errors';
import { readConfig, type ConfigInput } from '../../lambda/core/pipeline/config';
import { OrganizationAccessError } from '../../lambda/core/pipeline/organization-targets';
import { resolveTargetSet } from '../../lambda/core/pipeline/targets';
import { AwsError } from '../../lambda/simulator/protocol';
import { SageMakerSimulator } from '../../lambda/simulator/server';
import { startSimulator, TEST_CREDENTIALS, type RunningSimulator } from '../support/local-simulator';

const MANAGEMENT = SageMakerSimulator.defaultAccountId;
/** 24 member accounts besides the management one: more than one ListAccounts page (20). */
const MEMBERS = Array.from({ length: 24 }, (_, i) => `2000000000${String(i).padStart(2, '0')}`);
const SUSPENDED = ['999900000001', '999900000002'];

function config(settings: ConfigInput) {
  return readConfig({ SM_INVENTORY_REGIONS: 'us-east-1,eu-west-1', SM_INVENTORY_ORGANIZATION: 'true', ...settings });
}

describe('targets from AWS Organizations', () => {
  let running: RunningSimulator;
  let pool: AwsClientPool;
  let assumed: string[];

  beforeAll(async () => {
    running = await startSimulator({ accounts: [MANAGEMENT, ...MEMBERS], regions: ['us-east-1'], jobsPerRegion: 1, suspendedAccounts: SUSPENDED });
    running.simulator.onCall((operation, input) => {
      if (operation === 'AssumeRole') assumed.push(String(input.RoleArn));
    });
  });
  beforeEach(() => {
    assumed = [];
    pool = new AwsClientPool({ credentials: TEST_CREDENTIALS, endpoint: running.endpoint });
  });
  afterEach(() => pool.destroy());
  afterAll(async () => running?.stop());

  it('takes every ACTIVE account over all pages, assumes the role in each once, and leaves suspended ones out', async () => {
    // Act
    const { targets, skipped } = await resolveTargetSet(config({}), pool);

    // Assess
    expect(skipped).toEqual([]);
    expect(targets).toHaveLength((1 + MEMBERS.length) * 2);
    expect(targets.slice(0, 2)).toEqual([
      { accountId: MANAGEMENT, region: 'us-east-1' },
      { accountId: MANAGEMENT, region: 'eu-west-1' },
    ]);
    expect(targets.filter((t) => t.region === 'us-east-1').slice(1)).toEqual(
      MEMBERS.map((id) => ({ accountId: id, region: 'us-east-1', roleArn: `arn:aws:iam::${id}:role/SageMakerJobInventoryRead` })),
    );
    expect(targets.some((t) => SUSPENDED.includes(t.accountId))).toBe(false);
    expect(assumed.sort()).toEqual(MEMBERS.map((id) => `arn:aws:iam::${id}:role/SageMakerJobInventoryRead`));
    expect(running.simulator.stats().ListAccounts.accepted).toBeGreaterThanOrEqual(2);
  });

  it('narrows to the include list, and reports included accounts that are suspended or unknown', async () => {
    // Prepare
    const settings = {
      SM_INVENTORY_INCLUDE_CALLER_ACCOUNT: 'false',
      SM_INVENTORY_REGIONS: 'us-east-1',
      SM_INVENTORY_ORGANIZATION_ROLE_NAME: 'Inventory.Reader',
      SM_INVENTORY_ORGANIZATION_ACCOUNTS: [MEMBERS[0], MEMBERS[1], SUSPENDED[0], '555555555555'].join(','),
    };

    // Act
    const { targets, skipped } = await resolveTargetSet(config(settings), pool);

    // Assess
    expect(targets).toEqual([MEMBERS[0], MEMBERS[1]].map((id) => ({ accountId: id, region: 'us-east-1', roleArn: `arn:aws:iam::${id}:role/Inventory.Reader` })));
    expect(skipped).toEqual([
      { accountId: SUSPENDED[0], reason: 'listed in SM_INVENTORY_ORGANIZATION_ACCOUNTS but SUSPENDED in the organization' },
      { accountId: '555555555555', reason: 'listed in SM_INVENTORY_ORGANIZATION_ACCOUNTS but not an account of the organization' },
    ]);
  });

  it('leaves out the accounts of the exclude list', async () => {
    // Act
    const { targets } = await resolveTargetSet(config({ SM_INVENTORY_REGIONS: 'us-east-1', SM_INVENTORY_ORGANIZATION_EXCLUDE_ACCOUNTS: MEMBERS.slice(1).join(',') }), pool);

    // Assess
    expect(targets.map((t) => t.accountId)).toEqual([MANAGEMENT, MEMBERS[0]]);
    expect(assumed).toEqual([`arn:aws:iam::${MEMBERS[0]}:role/SageMakerJobInventoryRead`]);
  });

  it('reports and skips an account whose role cannot be assumed, and keeps the others', async () => {
    // Prepare
    const denied = `arn:aws:iam::${MEMBERS[3]}:role/SageMakerJobInventoryRead`;
    running.simulator.onCall((operation, input) => {
      if (operation === 'AssumeRole' && input.RoleArn === denied) {
        throw new AwsError(403, 'AccessDenied', `User: arn:aws:sts::${MANAGEMENT}:assumed-role/inventory is not authorized to perform: sts:AssumeRole on resource: ${denied}`);
      }
    });

    // Act
    const { targets, skipped } = await resolveTargetSet(config({ SM_INVENTORY_REGIONS: 'us-east-1' }), pool);

    // Assess
    expect(skipped).toEqual([{ accountId: MEMBERS[3], roleArn: denied, reason: expect.stringMatching(/^cannot assume .*SageMakerJobInventoryRead: .*AccessDenied.*not authorized to perform: sts:AssumeRole/) }]);
    expect(targets.map((t) => t.accountId)).toEqual([MANAGEMENT, ...MEMBERS.filter((id) => id !== MEMBERS[3])]);
  });

  it('names the account and the missing permission when ListAccounts is denied', async () => {
    // Prepare: a fresh simulator, since hooks stay for its lifetime.
    const denying = await startSimulator({ accounts: [MANAGEMENT], regions: ['us-east-1'], jobsPerRegion: 1 });
    denying.simulator.onCall((operation) => {
      if (operation === 'ListAccounts') throw new AwsError(400, 'AccessDeniedException', 'You don\'t have permissions to access this resource.');
    });
    const deniedPool = new AwsClientPool({ credentials: TEST_CREDENTIALS, endpoint: denying.endpoint });

    // Act
    const attempt = resolveTargetSet(config({}), deniedPool);

    // Assess
    await expect(attempt).rejects.toThrow(OrganizationAccessError);
    await expect(attempt).rejects.toThrow(
      `organizations:ListAccounts was denied to arn:aws:iam::${MANAGEMENT}:user/simulated in account ${MANAGEMENT}: listing the organization's accounts needs the organization's management account or a delegated administrator, and organizations:ListAccounts allowed to this role (AccessDeniedException: You don't have permissions to access this resource.`,
    );
    deniedPool.destroy();
    await denying.stop();
  });

  it('is refused by the simulator, as by AWS, to an account that is not the management account', async () => {
    // Prepare: the caller's credentials are a member role's.
    const memberPool = new AwsClientPool({ credentials: TEST_CREDENTIALS, endpoint: running.endpoint });
    const { OrganizationsClient, ListAccountsCommand } = await import('@aws-sdk/client-organizations');
    const credentials = await memberPool.source('us-east-1', `arn:aws:iam::${MEMBERS[0]}:role/SageMakerJobInventoryRead`).sts.config.credentials();
    const client = new OrganizationsClient({ region: 'us-east-1', endpoint: running.endpoint, credentials, maxAttempts: 1 });

    // Act
    const attempt = client.send(new ListAccountsCommand({}));

    // Assess
    await expect(attempt).rejects.toMatchObject({ name: 'AccessDeniedException' });
    client.destroy();
    memberPool.destroy();
  });
});

describe('organization settings', () => {
  it.each([
    [{ SM_INVENTORY_ORGANIZATION_ROLE_NAME: 'role/with/path' }, 'SM_INVENTORY_ORGANIZATION_ROLE_NAME is "role/with/path"; allowed: an IAM role name of 1-64 letters, digits and +=,.@_- (no path, no ARN), such as SageMakerJobInventoryRead'],
    [{ SM_INVENTORY_ORGANIZATION_ACCOUNTS: '1234' }, 'SM_INVENTORY_ORGANIZATION_ACCOUNTS has "1234"; allowed: 12-digit AWS account ids, comma-separated'],
    [
      { SM_INVENTORY_ORGANIZATION_ACCOUNTS: '111122223333', SM_INVENTORY_ORGANIZATION_EXCLUDE_ACCOUNTS: '111122223333' },
      'SM_INVENTORY_ORGANIZATION_ACCOUNTS and SM_INVENTORY_ORGANIZATION_EXCLUDE_ACCOUNTS both list 111122223333; allowed: each account in at most one of them',
    ],
    [{ SM_INVENTORY_ORGANIZATION: 'false', SM_INVENTORY_ORGANIZATION_ROLE_NAME: 'Reader' }, 'SM_INVENTORY_ORGANIZATION_ROLE_NAME is set but SM_INVENTORY_ORGANIZATION is not true; allowed: set SM_INVENTORY_ORGANIZATION=true, or leave SM_INVENTORY_ORGANIZATION_ROLE_NAME unset'],
    [{ SM_INVENTORY_RATE_SHARE: '0.01' }, 'SM_INVENTORY_RATE_SHARE is "0.01"; allowed: a number from 0.05 to 1'],
  ])('rejects %j, naming the value and what is allowed', (settings, message) => {
    expect(() => config(settings)).toThrow(new ConfigError(message));
  });

  it('lets an organization alone be the accounts to snapshot', () => {
    expect(config({ SM_INVENTORY_INCLUDE_CALLER_ACCOUNT: 'false' }).organization).toEqual({ roleName: 'SageMakerJobInventoryRead', includeAccounts: [], excludeAccounts: [] });
  });

  it('applies the rate share to every operation\'s limit', () => {
    expect(config({ SM_INVENTORY_RATE_SHARE: '0.25', SM_INVENTORY_LIMITS: 'DescribeTrainingJob=8' }).limits).toEqual({ ListTrainingJobs: 0.5, DescribeTrainingJob: 2, ListTags: 2.5, GetResources: 1.25 });
  });
});
