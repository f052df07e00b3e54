import { AwsClientPool } from '../../lambda/core/aws/client-pool';
import { DEFAULT_RATE_LIMITS } from '../../lambda/core/collect/rate-limited-sender';
import { ConfigError } from '../../lambda/core/errors';
import { MEMBER_ROLE_NAME } from '../../lambda/core/names';
import { readConfig, type ConfigInput } from '../../lambda/core/pipeline/config';
import { OrganizationAccessError } from '../../lambda/core/pipeline/organization-targets';
import { resolveTargetSet, type ResolvedTargets } from '../../lambda/core/pipeline/targets';
import { AwsError } from '../../simulator/protocol';
import { SageMakerSimulator } from '../../simulator/server';
import { startSimulator, TEST_CREDENTIALS, type RunningSimulator } from '../support/local-simulator';

const MANAGEMENT = SageMakerSimulator.defaultAccountId;
/** 24 member accounts besides the management one: more than one ListAccounts page (20). */
const MEMBERS = Array.from({ length: 24 }, (_, i) => `2000000000${String(i).padStart(2, '0')}`);
const SUSPENDED = ['999900000001', '999900000002'];

const REGIONS = ['us-east-1', 'eu-west-1'];

function config(settings: ConfigInput) {
  return readConfig({ SM_INVENTORY_REGIONS: REGIONS.join(','), SM_INVENTORY_ORGANIZATION: 'true', ...settings });
}

/** The role the inventory assumes in `accountId` when no role name is configured. */
function defaultRoleArn(accountId: string): string {
  return `arn:aws:iam::${accountId}:role/${MEMBER_ROLE_NAME}`;
}

describe('targets from AWS Organizations', () => {
  let running: RunningSimulator;
  let pool: AwsClientPool;
  let assumed: string[];

  beforeAll(async () => {
    running = await startSimulator({
      accounts: [MANAGEMENT, ...MEMBERS],
      regions: ['us-east-1'],
      jobsPerRegion: 1,
      suspendedAccounts: SUSPENDED,
    });
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

  /** Resolves the targets of `settings` with a pool of its own (for a beforeAll), noting the roles assumed and the ListAccounts pages read. */
  async function resolveOnce(settings: ConfigInput): Promise<ResolvedTargets & { assumed: string[]; listAccountsPages: number }> {
    const runPool = new AwsClientPool({ credentials: TEST_CREDENTIALS, endpoint: running.endpoint });
    assumed = [];
    const pagesBefore = running.simulator.stats().ListAccounts.accepted;
    try {
      const resolved = await resolveTargetSet(config(settings), runPool);
      return { ...resolved, assumed: [...assumed], listAccountsPages: running.simulator.stats().ListAccounts.accepted - pagesBefore };
    } finally {
      runPool.destroy();
    }
  }

  describe('with no include or exclude list', () => {
    let resolved: Awaited<ReturnType<typeof resolveOnce>>;

    beforeAll(async () => {
      // Act
      resolved = await resolveOnce({});
    });

    it('skips no account', () => {
      // Assess
      expect(resolved.skipped).toEqual([]);
    });

    it('takes every ACTIVE account in every region', () => {
      // Assess
      expect(resolved.targets).toHaveLength((1 + MEMBERS.length) * REGIONS.length);
    });

    it('takes the management account first, with its own credentials', () => {
      // Assess
      expect(resolved.targets.slice(0, 2)).toEqual([
        { accountId: MANAGEMENT, region: 'us-east-1' },
        { accountId: MANAGEMENT, region: 'eu-west-1' },
      ]);
    });

    it('takes each member account through the default role', () => {
      // Assess
      expect(resolved.targets.filter((t) => t.region === 'us-east-1').slice(1)).toEqual(
        MEMBERS.map((id) => ({ accountId: id, region: 'us-east-1', roleArn: defaultRoleArn(id) })),
      );
    });

    it('leaves suspended accounts out', () => {
      // Assess
      expect(resolved.targets.some((t) => SUSPENDED.includes(t.accountId))).toBe(false);
    });

    it('assumes the role in each member account once, whatever the number of regions', () => {
      // Assess
      expect(resolved.assumed.sort()).toEqual(MEMBERS.map(defaultRoleArn));
    });

    it('reads every page of ListAccounts', () => {
      // Assess
      expect(resolved.listAccountsPages).toBeGreaterThanOrEqual(2);
    });
  });

  describe('with an include list', () => {
    let resolved: ResolvedTargets;

    beforeAll(async () => {
      // Prepare
      const settings = {
        SM_INVENTORY_INCLUDE_CALLER_ACCOUNT: 'false',
        SM_INVENTORY_REGIONS: 'us-east-1',
        SM_INVENTORY_ORGANIZATION_ROLE_NAME: 'Inventory.Reader',
        SM_INVENTORY_ORGANIZATION_ACCOUNTS: [MEMBERS[0], MEMBERS[1], SUSPENDED[0], '555555555555'].join(','),
      };

      // Act
      resolved = await resolveOnce(settings);
    });

    it('takes only the included ACTIVE accounts, through the configured role', () => {
      // Assess
      expect(resolved.targets).toEqual(
        [MEMBERS[0], MEMBERS[1]].map((id) => ({ accountId: id, region: 'us-east-1', roleArn: `arn:aws:iam::${id}:role/Inventory.Reader` })),
      );
    });

    it('reports included accounts that are suspended or unknown', () => {
      // Assess
      expect(resolved.skipped).toEqual([
        { accountId: SUSPENDED[0], reason: 'listed in SM_INVENTORY_ORGANIZATION_ACCOUNTS but SUSPENDED in the organization' },
        { accountId: '555555555555', reason: 'listed in SM_INVENTORY_ORGANIZATION_ACCOUNTS but not an account of the organization' },
      ]);
    });
  });

  it('leaves the accounts of the exclude list alone: no target, no role assumed', async () => {
    // Prepare
    const settings = { SM_INVENTORY_REGIONS: 'us-east-1', SM_INVENTORY_ORGANIZATION_EXCLUDE_ACCOUNTS: MEMBERS.slice(1).join(',') };

    // Act
    const { targets } = await resolveTargetSet(config(settings), pool);

    // Assess
    expect(targets.map((t) => t.accountId)).toEqual([MANAGEMENT, MEMBERS[0]]);
    expect(assumed).toEqual([defaultRoleArn(MEMBERS[0])]);
  });

  it('reports and skips an account whose role cannot be assumed, and keeps the others', async () => {
    // Prepare
    const denied = defaultRoleArn(MEMBERS[3]);
    running.simulator.onCall((operation, input) => {
      if (operation === 'AssumeRole' && input.RoleArn === denied) {
        throw new AwsError(
          403,
          'AccessDenied',
          `User: arn:aws:sts::${MANAGEMENT}:assumed-role/inventory is not authorized to perform: sts:AssumeRole on resource: ${denied}`,
        );
      }
    });

    // Act
    const { targets, skipped } = await resolveTargetSet(config({ SM_INVENTORY_REGIONS: 'us-east-1' }), pool);

    // Assess
    expect(skipped).toEqual([
      {
        accountId: MEMBERS[3],
        roleArn: denied,
        reason: expect.stringMatching(
          /^cannot assume .*SageMakerJobInventoryRead: .*AccessDenied.*not authorized to perform: sts:AssumeRole/,
        ),
      },
    ]);
    expect(targets.map((t) => t.accountId)).toEqual([MANAGEMENT, ...MEMBERS.filter((id) => id !== MEMBERS[3])]);
  });

  it('names the account and the missing permission when ListAccounts is denied', async () => {
    // Prepare: a fresh simulator, since hooks stay for its lifetime.
    const denying = await startSimulator({ accounts: [MANAGEMENT], regions: ['us-east-1'], jobsPerRegion: 1 });
    denying.simulator.onCall((operation) => {
      if (operation === 'ListAccounts')
        throw new AwsError(400, 'AccessDeniedException', "You don't have permissions to access this resource.");
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
    const credentials = await memberPool.source('us-east-1', defaultRoleArn(MEMBERS[0])).sts.config.credentials();
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
    [
      { SM_INVENTORY_ORGANIZATION_ROLE_NAME: 'role/with/path' },
      'SM_INVENTORY_ORGANIZATION_ROLE_NAME is "role/with/path"; allowed: an IAM role name of 1-64 letters, digits and +=,.@_- (no path, no ARN), such as SageMakerJobInventoryRead',
    ],
    [{ SM_INVENTORY_ORGANIZATION_ACCOUNTS: '1234' }, 'SM_INVENTORY_ORGANIZATION_ACCOUNTS has "1234"; allowed: 12-digit AWS account ids'],
    [
      { SM_INVENTORY_ORGANIZATION_ACCOUNTS: '111122223333', SM_INVENTORY_ORGANIZATION_EXCLUDE_ACCOUNTS: '111122223333' },
      'SM_INVENTORY_ORGANIZATION_ACCOUNTS and SM_INVENTORY_ORGANIZATION_EXCLUDE_ACCOUNTS both list 111122223333; allowed: each account in at most one of them',
    ],
    [
      { SM_INVENTORY_ORGANIZATION: 'false', SM_INVENTORY_ORGANIZATION_ROLE_NAME: 'Reader' },
      'SM_INVENTORY_ORGANIZATION_ROLE_NAME is set but SM_INVENTORY_ORGANIZATION is not true; allowed: set SM_INVENTORY_ORGANIZATION=true, or leave SM_INVENTORY_ORGANIZATION_ROLE_NAME unset',
    ],
    [{ SM_INVENTORY_RATE_SHARE: '0.0005' }, 'SM_INVENTORY_RATE_SHARE is "0.0005"; allowed: a number from 0.001 to 1'],
  ])('rejects %j, naming the value and what is allowed', (settings, message) => {
    // Act
    const attempt = () => config(settings);

    // Assess
    expect(attempt).toThrow(new ConfigError(message));
  });

  it('lets an organization alone be the accounts to snapshot', () => {
    // Act
    const { organization } = config({ SM_INVENTORY_INCLUDE_CALLER_ACCOUNT: 'false' });

    // Assess
    expect(organization).toEqual({ roleName: MEMBER_ROLE_NAME, includeAccounts: [], excludeAccounts: [] });
  });

  it("applies the rate share to every operation's limit", () => {
    // Prepare
    const share = 0.25;
    const fullLimits = { ...DEFAULT_RATE_LIMITS, DescribeTrainingJob: 8 };

    // Act
    const { limits } = config({ SM_INVENTORY_RATE_SHARE: String(share), SM_INVENTORY_LIMITS: 'DescribeTrainingJob=8' });

    // Assess
    expect(limits).toEqual(Object.fromEntries(Object.entries(fullLimits).map(([operation, rate]) => [operation, rate * share])));
  });
});
